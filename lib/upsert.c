/*
 * Key-wise upsert of CSV day files. Records are never reformatted: a
 * kept record is copied byte for byte, so an upsert that brings nothing
 * new returns the old file exactly. Quoted fields (RFC 4180) may hold
 * commas and newlines.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/csv.h"
#include "pm25/store.h"
#include "pm25/upsert.h"

struct line {
	const char *p; /* borrowed: the line, without its newline */
	size_t len;
	struct pm_str station, time;
	size_t order; /* old lines first, then fresh, in input order */
};

struct lines {
	struct line *v;
	size_t nr, alloc;
};

static int field_index(struct pm_str hdr, const char *name)
{
	size_t i = 0, start = 0, n = strlen(name);
	int idx = 0;

	for (i = 0; i <= hdr.len; i++) {
		if (i == hdr.len || hdr.ptr[i] == ',') {
			if (i - start == n && !memcmp(hdr.ptr + start, name, n))
				return idx;
			idx++;
			start = i + 1;
		}
	}
	return -1;
}

/*
 * Field k of a record (RFC 4180: a quoted field may hold commas, quotes
 * doubled and newlines), as it stands, quotes and all: the writer
 * quotes a value always the same way, so equal values compare equal.
 */
static struct pm_str nth_field(const char *p, size_t len, int k)
{
	struct pm_str s = { p, 0 };
	size_t i, start = 0;
	int idx = 0, quoted = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && p[i] == '"') {
			quoted = !quoted;
			continue;
		}
		if (i == len || (!quoted && p[i] == ',')) {
			if (idx == k) {
				s.ptr = p + start;
				s.len = i - start;
				return s;
			}
			idx++;
			start = i + 1;
		}
	}
	return s;
}

/* The length of the record at p: up to a newline outside quotes. */
static size_t record_len(const char *p, const char *end, int *more)
{
	const char *q = p;
	int quoted = 0;

	for (; q < end; q++) {
		if (*q == '"')
			quoted = !quoted;
		else if (*q == '\n' && !quoted)
			break;
	}
	*more = q < end;
	return (size_t)(q - p);
}

/* Split text into records after the header; checks the header. */
static enum pm_err split(const char *text, size_t len, struct pm_str *hdr,
			 int ks, int kt, struct lines *out, size_t *order,
			 struct pm_buf *err)
{
	const char *p = text, *end = text + len;
	int first = 1;

	while (p < end) {
		int more;
		size_t n = record_len(p, end, &more);
		struct line *l;

		if (first) {
			first = 0;
			if (hdr->ptr && (hdr->len != n || memcmp(hdr->ptr, p, n)))
				return pm_errf(err, PM_ERR_DATA,
					       "day files with different "
					       "headers cannot be merged");
			hdr->ptr = p;
			hdr->len = n;
		} else if (n) {
			PM_ALLOC_GROW(out->v, out->nr + 1, out->alloc);
			l = &out->v[out->nr++];
			l->p = p;
			l->len = n;
			l->station = nth_field(p, n, ks);
			l->time = nth_field(p, n, kt);
			l->order = (*order)++;
		}
		p += n + more;
	}
	return PM_OK;
}

/* The next byte of a field's value at *i (quotes undone), or -1. */
static int value_byte(struct pm_str f, size_t *i)
{
	int quoted = f.len && f.ptr[0] == '"';
	size_t end = quoted && f.len > 1 ? f.len - 1 : f.len;

	if (quoted && *i == 0)
		*i = 1;
	if (*i >= end)
		return -1;
	if (quoted && f.ptr[*i] == '"')
		(*i)++; /* a doubled quote stands for one */
	return *i < end ? (unsigned char)f.ptr[(*i)++] : -1;
}

/* Fields in byte order of their values, as the clean writer sorts ids. */
static int cmp_str(struct pm_str a, struct pm_str b)
{
	size_t i = 0, j = 0;

	if ((!a.len || a.ptr[0] != '"') && (!b.len || b.ptr[0] != '"')) {
		/* unquoted: the bytes are the value */
		int c = memcmp(a.ptr, b.ptr, a.len < b.len ? a.len : b.len);

		return c	     ? (c < 0 ? -1 : 1) :
		       a.len < b.len ? -1 :
				       a.len > b.len;
	}
	for (;;) {
		int x = value_byte(a, &i), y = value_byte(b, &j);

		if (x != y)
			return x < y ? -1 : 1;
		if (x < 0)
			return 0;
	}
}

static int cmp_line(const void *x, const void *y)
{
	const struct line *a = x, *b = y;
	int c = cmp_str(a->station, b->station);

	if (!c)
		c = cmp_str(a->time, b->time);
	if (!c)
		c = a->order < b->order ? -1 : a->order > b->order;
	return c;
}

/* The key columns of the first text that has a header. */
static enum pm_err key_columns(const char *a, size_t alen, const char *b,
			       size_t blen, int *ks, int *kt,
			       struct pm_buf *err)
{
	const char *h = blen ? b : a;
	size_t hl = blen ? blen : alen;
	const char *nl = memchr(h, '\n', hl);
	struct pm_str hs = { h, nl ? (size_t)(nl - h) : hl };

	*ks = field_index(hs, "station_id");
	*kt = field_index(hs, "time_utc");
	if (*ks < 0 || *kt < 0)
		return pm_errf(err, PM_ERR_DATA,
			       "a day file needs station_id and time_utc "
			       "columns");
	return PM_OK;
}

static void note_change(struct pm_row_diff *d, char mark, const struct line *l)
{
	struct pm_row_change *c;

	if (d->nr_keys == PM_ROW_DIFF_KEYS)
		return;
	c = &d->keys[d->nr_keys++];
	c->mark = mark;
	c->key = pm_xmalloc(l->station.len + l->time.len + 2);
	memcpy(c->key, l->station.ptr, l->station.len);
	c->key[l->station.len] = ',';
	memcpy(c->key + l->station.len + 1, l->time.ptr, l->time.len);
	c->key[l->station.len + 1 + l->time.len] = '\0';
}

enum pm_err pm_csv_row_diff(const char *old, size_t old_len, const char *new,
			    size_t new_len, struct pm_row_diff *d,
			    struct pm_buf *err)
{
	struct lines a = { NULL, 0, 0 }, b = { NULL, 0, 0 };
	struct pm_str ha = { NULL, 0 }, hb = { NULL, 0 };
	size_t i = 0, j = 0, order = 0;
	enum pm_err ret;
	int ks, kt;

	memset(d, 0, sizeof(*d));
	ret = key_columns(old, old_len, new, new_len, &ks, &kt, err);
	if (!ret)
		ret = split(old, old_len, &ha, ks, kt, &a, &order, err);
	if (!ret)
		ret = split(new, new_len, &hb, ks, kt, &b, &order, err);
	if (ret)
		goto out;
	if (a.nr)
		qsort(a.v, a.nr, sizeof(*a.v), cmp_line);
	if (b.nr)
		qsort(b.v, b.nr, sizeof(*b.v), cmp_line);
	while (i < a.nr || j < b.nr) {
		int c;

		if (i == a.nr)
			c = 1;
		else if (j == b.nr)
			c = -1;
		else if (!(c = cmp_str(a.v[i].station, b.v[j].station)))
			c = cmp_str(a.v[i].time, b.v[j].time);
		if (c < 0) {
			d->removed++;
			note_change(d, '-', &a.v[i++]);
		} else if (c > 0) {
			d->added++;
			note_change(d, '+', &b.v[j++]);
		} else {
			if (a.v[i].len != b.v[j].len ||
			    memcmp(a.v[i].p, b.v[j].p, a.v[i].len)) {
				d->changed++;
				note_change(d, '~', &b.v[j]);
			}
			i++;
			j++;
		}
	}
out:
	free(a.v);
	free(b.v);
	return ret;
}

void pm_row_diff_release(struct pm_row_diff *d)
{
	size_t i;

	for (i = 0; i < d->nr_keys; i++)
		free(d->keys[i].key);
	memset(d, 0, sizeof(*d));
}

void pm_row_diff_text(const struct pm_row_diff *d, struct pm_buf *b)
{
	size_t i, n = d->added + d->removed + d->changed;

	pm_buf_addf(b, "    rows: %zu added, %zu removed, %zu changed\n",
		    d->added, d->removed, d->changed);
	for (i = 0; i < d->nr_keys; i++)
		pm_buf_addf(b, "    %c %s\n", d->keys[i].mark, d->keys[i].key);
	if (n > d->nr_keys)
		pm_buf_addf(b, "    ... and %zu more\n", n - d->nr_keys);
}

void pm_row_diff_json(const struct pm_row_diff *d, struct pm_buf *b)
{
	size_t i;

	pm_buf_addf(b,
		    ", \"rows\": {\"added\": %zu, \"removed\": %zu, "
		    "\"changed\": %zu, \"keys\": [",
		    d->added, d->removed, d->changed);
	for (i = 0; i < d->nr_keys; i++) {
		const char *k = d->keys[i].key;

		pm_buf_addstr(b, i ? ", {\"key\": " : "{\"key\": ");
		pm_buf_add_json_str(b, k, strlen(k));
		pm_buf_addf(b, ", \"change\": \"%s\"}",
			    d->keys[i].mark == '+' ? "added" :
			    d->keys[i].mark == '-' ? "removed" :
						     "changed");
	}
	pm_buf_addstr(b, "]}");
}

/* Whether lines [lo, hi) of l have strictly increasing keys. */
static int keys_increase(const struct lines *l, size_t lo, size_t hi)
{
	size_t i;

	for (i = lo + 1; i < hi; i++) {
		int c = cmp_str(l->v[i - 1].station, l->v[i].station);

		if (c > 0 ||
		    (!c && cmp_str(l->v[i - 1].time, l->v[i].time) >= 0))
			return 0;
	}
	return 1;
}

/*
 * The order qsort with cmp_line gives, in one pass, when the old lines
 * (the first n_old) and the fresh ones each have strictly increasing
 * keys, as day files written by pm25 do; 0 (l untouched) otherwise.
 */
static int merge_sorted(struct lines *l, size_t n_old)
{
	struct line *v;
	size_t i = 0, j = n_old, k = 0;

	if (!keys_increase(l, 0, n_old) || !keys_increase(l, n_old, l->nr))
		return 0;
	if (!n_old || n_old == l->nr)
		return 1;
	v = pm_xmalloc(l->nr * sizeof(*v));
	while (i < n_old || j < l->nr)
		if (j == l->nr ||
		    (i < n_old && cmp_line(&l->v[i], &l->v[j]) < 0))
			v[k++] = l->v[i++];
		else
			v[k++] = l->v[j++];
	free(l->v);
	l->v = v;
	l->alloc = l->nr;
	return 1;
}

enum pm_err pm_csv_upsert(const char *old, size_t old_len, const char *fresh,
			  size_t fresh_len, struct pm_buf *out, int *changed,
			  struct pm_buf *err)
{
	struct lines all = { NULL, 0, 0 };
	struct pm_str hdr = { NULL, 0 };
	enum pm_err ret;
	size_t i, order = 0, n_old;
	int ks, kt;

	pm_buf_reset(out);
	ret = key_columns(old, old_len, fresh, fresh_len, &ks, &kt, err);
	if (ret)
		return ret;
	ret = split(old, old_len, &hdr, ks, kt, &all, &order, err);
	n_old = all.nr;
	if (!ret)
		ret = split(fresh, fresh_len, &hdr, ks, kt, &all, &order, err);
	if (ret)
		goto out;
	if (all.nr && !merge_sorted(&all, n_old))
		qsort(all.v, all.nr, sizeof(*all.v), cmp_line);
	pm_buf_add(out, hdr.ptr, hdr.len);
	pm_buf_addch(out, '\n');
	for (i = 0; i < all.nr; i++) {
		/* of equal keys the last (freshest) wins */
		if (i + 1 < all.nr &&
		    !cmp_str(all.v[i].station, all.v[i + 1].station) &&
		    !cmp_str(all.v[i].time, all.v[i + 1].time))
			continue;
		pm_buf_add(out, all.v[i].p, all.v[i].len);
		pm_buf_addch(out, '\n');
	}
	*changed = out->len != old_len ||
		   (old_len && memcmp(out->buf, old, old_len));
out:
	free(all.v);
	return ret;
}

int pm_store_row_diff(struct pm_store *s, const char *a, const char *b_ref,
		    const char *path, struct pm_row_diff *d)
{
	struct pm_buf old = PM_BUF_INIT, now = PM_BUF_INIT;
	size_t n = strlen(path);
	int ok = 0;

	if (strncmp(path, "clean/", 6) || n < 4 || strcmp(path + n - 4, ".csv"))
		return 0;
	if (!pm_store_get(s, a, path, &old, NULL) &&
	    !pm_store_get(s, b_ref, path, &now, NULL))
		ok = !pm_csv_row_diff(old.buf, old.len, now.buf, now.len, d,
				      NULL);
	pm_buf_release(&old);
	pm_buf_release(&now);
	return ok;
}
