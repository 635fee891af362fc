/*
 * The cleaning engine. Rows are packed per station as they are read;
 * each station is then deduplicated, validated and laid on its hourly
 * grid, and the grids are written out day by day, so each output file is
 * created and written once.
 */
#include "compat.h"
#include "limits.h"
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/contract.h"
#include "pm25/csvsrc.h"
#include "pm25/fsutil.h"
#include "pm25/log.h"
#include "pm25/num.h"
#include "pm25/strmap.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "clean-int.h"

struct engine {
	const struct pm_clean_opts *o;
	const struct pm_contract *c;
	struct pm_clean_report *r;
	struct pm_strmap ids;
	struct pm_station *st; /* parallel to ids until sorted */
	size_t st_alloc;
	struct pm_strmap bad_texts;
	size_t unique_rule;	   /* index of the unique-key rule, or SIZE_MAX */
	size_t miss[PM_NMEASURES]; /* accepted rows missing each column */
	int keep_grids;		   /* output wanted */
};

void pm_clean_report_release(struct pm_clean_report *r)
{
	size_t i;

	for (i = 0; i < r->nr_files; i++)
		free(r->files[i]);
	free(r->files);
	free(r->rules);
	memset(r, 0, sizeof(*r));
}

/* ------------------------------------------------------------ packing */

static struct pm_station *station_of(struct engine *e, const char *id,
				     size_t len)
{
	uint32_t k = pm_strmap_intern(&e->ids, id, len);

	if (k >= e->st_alloc) {
		size_t n = e->st_alloc ? e->st_alloc * 2 : 64;

		e->st = pm_xrealloc(e->st, n * sizeof(*e->st));
		memset(e->st + e->st_alloc, 0,
		       (n - e->st_alloc) * sizeof(*e->st));
		e->st_alloc = n;
	}
	return &e->st[k];
}

static enum pm_err pack_table(struct engine *e, const struct pm_table *t,
			      uint16_t file, struct pm_buf *err)
{
	struct pm_station *s = NULL;
	uint32_t last_sid = UINT32_MAX;
	size_t i, bad = 0;

	for (i = 0; i < t->nr; i++) {
		struct pm_srow *r;
		int c;

		if (t->station[i] != last_sid) {
			uint32_t sid = last_sid = t->station[i];

			s = station_of(e, t->stations.keys[sid],
				       t->stations.lens[sid]);
			if (e->ids.nr > PM_MAX_STATIONS)
				return pm_errf(err, PM_ERR_LIMIT,
					       "more than %d stations",
					       PM_MAX_STATIONS);
		}
		PM_ALLOC_GROW(s->rows, s->nr + 1, s->alloc);
		r = &s->rows[s->nr++];
		r->line = t->line[i];
		r->file = file;
		r->mask = 0;
		r->voff = (uint32_t)s->v.nr;
		r->hour = PM_HOUR_BAD;
		if (t->time[i] != PM_TIME_NONE) {
			/* a time inside an hour counts for the hour it ends */
			int64_t h = pm_floor_div(t->time[i] + 3599, 3600);

			if (h >= 0 && h < (int64_t)PM_HOUR_BAD)
				r->hour = (uint32_t)h;
		}
		if (r->hour == PM_HOUR_BAD) {
			const char *text = "";

			while (bad < t->nr_bad && t->bad[bad].row < i)
				bad++;
			if (bad < t->nr_bad && t->bad[bad].row == i)
				text = t->bad[bad].text;
			PM_ALLOC_GROW(s->bad_text, s->nbad + 1, s->badalloc);
			s->bad_text[s->nbad++] = pm_strmap_intern(
				&e->bad_texts, text, strlen(text));
		}
		for (c = 0; c < PM_NMEASURES; c++) {
			double v = t->col[c][i];

			if (isnan(v))
				continue;
			r->mask |= 1u << c;
			pm_vpool_add(&s->v, v);
		}
	}
	return PM_OK;
}

/* ------------------------------------------------------------ dedup */

static void sample(struct pm_rule_result *rr, const struct pm_srow *row)
{
	if (rr->nr_samples < PM_MAX_SAMPLES) {
		rr->samples[rr->nr_samples].file = row->file;
		rr->samples[rr->nr_samples].line = row->line;
		rr->nr_samples++;
	}
}

static int same_values(const struct pm_station *s, const struct pm_srow *a,
		       const struct pm_srow *b)
{
	double va[PM_NMEASURES], vb[PM_NMEASURES];
	int c;

	if (a->mask != b->mask)
		return 0;
	pm_vpool_unpack(&s->v, a->mask, a->voff, va);
	pm_vpool_unpack(&s->v, b->mask, b->voff, vb);
	for (c = 0; c < PM_NMEASURES; c++)
		if ((a->mask & (1u << c)) && va[c] != vb[c])
			return 0;
	return 1;
}

static uint64_t row_hash(const struct pm_station *s, const struct pm_srow *row,
			 uint32_t text)
{
	double v[PM_NMEASURES];
	uint64_t h = 1469598103934665603ull ^ row->hour ^
		     ((uint64_t)text << 32) ^ row->mask;
	int c;

	pm_vpool_unpack(&s->v, row->mask, row->voff, v);
	for (c = 0; c < PM_NMEASURES; c++) {
		double x = v[c] == 0 ? 0.0 : v[c]; /* -0 equals 0 */
		uint64_t bits;

		if (!(row->mask & (1u << c)))
			continue;
		memcpy(&bits, &x, sizeof(bits));
		h = (h ^ bits) * 1099511628211ull;
		h ^= h >> 29;
	}
	return h;
}

/*
 * Exact deduplication of list[0..n): row indices in input order, all of
 * one hour, or all with unparseable times and texts[] their text ids.
 * Drops every row equal to an earlier one and compacts list (and texts).
 * Returns the new count.
 */
static size_t drop_exact(struct engine *e, const struct pm_station *s,
			 uint32_t *list, uint32_t *texts, size_t n)
{
	size_t i, j, out = 0, nslots = 16, mask;
	uint32_t *slot = NULL;

	if (!e->c->dedup_exact || n < 2)
		return n;
	if (n > 8) {
		while (nslots < n * 2)
			nslots *= 2;
		slot = pm_xcalloc(nslots, sizeof(*slot));
	}
	mask = nslots - 1;
	for (i = 0; i < n; i++) {
		const struct pm_srow *r = &s->rows[list[i]];
		uint32_t t = texts ? texts[i] : 0;
		int dup = 0;

		if (!slot) {
			for (j = 0; j < out && !dup; j++)
				dup = (!texts || texts[j] == t) &&
				      s->rows[list[j]].hour == r->hour &&
				      same_values(s, &s->rows[list[j]], r);
		} else {
			size_t k = row_hash(s, r, t) & mask;

			for (; slot[k] && !dup; k = (k + 1) & mask) {
				size_t o = slot[k] - 1;

				dup = (!texts || texts[o] == t) &&
				      s->rows[list[o]].hour == r->hour &&
				      same_values(s, &s->rows[list[o]], r);
			}
			if (!dup)
				slot[k] = (uint32_t)(out + 1);
		}
		if (dup) {
			e->r->exact_dups++;
			continue;
		}
		if (texts)
			texts[out] = t;
		list[out++] = list[i];
	}
	free(slot);
	return out;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Order the rows of s with a parseable time by (hour, input order) into
 * idx; returns their count. Counting sort when the span is small, else
 * qsort on (hour << 32 | position), which is unique and so stable.
 */
static size_t order_rows(const struct pm_station *s, uint32_t *idx)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	size_t i, n = 0;

	for (i = 0; i < s->nr; i++) {
		uint32_t h = s->rows[i].hour;

		if (h == PM_HOUR_BAD)
			continue;
		lo = h < lo ? h : lo;
		hi = h > hi ? h : hi;
		n++;
	}
	if (!n)
		return 0;
	if ((uint64_t)(hi - lo) <= 4 * (uint64_t)n + 4096) {
		size_t span = (size_t)(hi - lo) + 2;
		uint32_t *cnt = pm_xcalloc(span, sizeof(*cnt));

		for (i = 0; i < s->nr; i++)
			if (s->rows[i].hour != PM_HOUR_BAD)
				cnt[s->rows[i].hour - lo + 1]++;
		for (i = 1; i < span; i++)
			cnt[i] += cnt[i - 1];
		for (i = 0; i < s->nr; i++)
			if (s->rows[i].hour != PM_HOUR_BAD)
				idx[cnt[s->rows[i].hour - lo]++] = (uint32_t)i;
		free(cnt);
	} else {
		uint64_t *key = pm_xmalloc(n * sizeof(*key));
		size_t k = 0;

		for (i = 0; i < s->nr; i++)
			if (s->rows[i].hour != PM_HOUR_BAD)
				key[k++] = (uint64_t)s->rows[i].hour << 32 | i;
		qsort(key, n, sizeof(*key), cmp_u64);
		for (k = 0; k < n; k++)
			idx[k] = (uint32_t)key[k];
		free(key);
	}
	return n;
}

/*
 * Both duplicate passes: survivors go to out[], in hour order, followed
 * by the rows whose time did not parse. Returns their count.
 */
static size_t deduplicate(struct engine *e, const struct pm_station *s,
			  uint32_t *idx, uint32_t *out)
{
	const struct pm_contract *c = e->c;
	size_t n = order_rows(s, idx), i, j, nv = 0, nbad = 0;
	uint32_t *texts;

	for (i = 0; i < n; i = j) {
		size_t k;

		for (j = i + 1;
		     j < n && s->rows[idx[j]].hour == s->rows[idx[i]].hour; j++)
			;
		k = drop_exact(e, s, idx + i, NULL, j - i);
		if (s->len == 0) {
			/* rows without a station are never key duplicates */
			memcpy(out + nv, idx + i, k * sizeof(*idx));
			nv += k;
			continue;
		}
		e->r->key_dups += k - 1;
		for (size_t d = 1; d < k && e->unique_rule != SIZE_MAX; d++) {
			/* the rows that lose to the one kept */
			size_t drop = c->key_keep_last ? d - 1 : d;

			e->r->rules[e->unique_rule].failed++;
			sample(&e->r->rules[e->unique_rule],
			       &s->rows[idx[i + drop]]);
		}
		out[nv++] = idx[i + (c->key_keep_last ? k - 1 : 0)];
	}
	if (!s->nbad)
		return nv;
	texts = pm_xmalloc(s->nbad * sizeof(*texts));
	for (i = 0; i < s->nr; i++)
		if (s->rows[i].hour == PM_HOUR_BAD) {
			texts[nbad] = s->bad_text[nbad];
			idx[nbad++] = (uint32_t)i;
		}
	nbad = drop_exact(e, s, idx, texts, nbad);
	memcpy(out + nv, idx, nbad * sizeof(*idx));
	free(texts);
	return nv + nbad;
}

/* ------------------------------------------------------------ validation */

/*
 * Row-level rules on one row. Returns 1 if an error rule failed; sets
 * *warn if a warn rule failed.
 */
static int check_row(struct engine *e, const struct pm_station *s,
		     const struct pm_srow *row, int *warn)
{
	const struct pm_contract *c = e->c;
	double v[PM_NMEASURES];
	int reject = 0;
	size_t i;

	pm_vpool_unpack(&s->v, row->mask, row->voff, v);
	*warn = 0;
	for (i = 0; i < c->nr_rules; i++) {
		const struct pm_rule *rule = &c->rules[i];
		int fail;

		switch (rule->kind) {
		case PM_RULE_TIME:
			fail = row->hour == PM_HOUR_BAD;
			break;
		case PM_RULE_STATION:
			fail = s->len == 0;
			break;
		case PM_RULE_REQUIRED:
			fail = isnan(v[rule->col]);
			break;
		case PM_RULE_RANGE:
			fail = !isnan(v[rule->col]) &&
			       (v[rule->col] < rule->min ||
				v[rule->col] > rule->max);
			break;
		default:
			fail = 0;
		}
		if (!fail)
			continue;
		e->r->rules[i].failed++;
		sample(&e->r->rules[i], row);
		if (rule->severity == PM_SEV_ERROR)
			reject = 1;
		else
			*warn = 1;
	}
	return reject;
}

#define WARN_BIT 0x80000000u

/*
 * Validate the survivors in list[0..n); the accepted ones stay in list
 * (in order), with WARN_BIT set on flagged rows. Returns their count.
 */
static size_t validate(struct engine *e, const struct pm_station *s,
		       uint32_t *list, size_t n)
{
	struct pm_clean_report *r = e->r;
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		const struct pm_srow *row = &s->rows[list[i]];
		int warn, c;

		r->validated++;
		if (check_row(e, s, row, &warn)) {
			r->rejected++;
			continue;
		}
		r->accepted++;
		r->flagged += warn;
		for (c = 0; c < PM_NMEASURES; c++)
			e->miss[c] += !(row->mask & (1u << c));
		list[out++] = list[i] | (warn ? WARN_BIT : 0);
	}
	return out;
}

/* ------------------------------------------------------------ grid */

static void interpolate(struct engine *e, double *grid, uint8_t *flags,
			size_t span)
{
	const struct pm_contract *c = e->c;
	struct pm_clean_report *r = e->r;
	size_t i, j, k;
	int col;

	for (i = 0; i < span; i++)
		r->pm25_missing_before +=
			isnan(grid[i * PM_NMEASURES + PM_COL_PM25]);
	for (col = 0; col < PM_NMEASURES; col++) {
		if (!(c->interp_cols & (1u << col)))
			continue;
		for (i = 0; i < span; i = j) {
			double a, b;
			size_t gap;

			if (!isnan(grid[i * PM_NMEASURES + col])) {
				j = i + 1;
				continue;
			}
			for (j = i; j < span &&
				    isnan(grid[j * PM_NMEASURES + col]);
			     j++)
				;
			gap = j - i;
			if (i == 0 || j == span || gap > (size_t)c->max_gap)
				continue;
			a = grid[(i - 1) * PM_NMEASURES + col];
			b = grid[j * PM_NMEASURES + col];
			for (k = 1; k <= gap; k++) {
				/* the workload's formula, in this order */
				grid[(i + k - 1) * PM_NMEASURES + col] =
					(b - a) / (double)(gap + 1) *
						(double)k +
					a;
				r->interpolated_cells++;
				if (col == PM_COL_PM25) {
					flags[i + k - 1] |=
						PM_FLAG_INTERPOLATED;
					r->pm25_interpolated++;
				}
			}
		}
	}
}

/* Lay the accepted rows acc[0..n) (hour order) on the station's grid. */
static void build_grid(struct engine *e, struct pm_station *s,
		       const uint32_t *acc, size_t n)
{
	struct pm_sgrid *g = &s->grid;
	struct pm_clean_report *r = e->r;
	double *vals;
	size_t i, span;
	int64_t last;

	g->first = s->rows[acc[0] & ~WARN_BIT].hour;
	span = (size_t)(s->rows[acc[n - 1] & ~WARN_BIT].hour - g->first) + 1;
	last = ((int64_t)g->first + (int64_t)span - 1) * 3600;
	if (r->newest == PM_TIME_NONE || last > r->newest)
		r->newest = last;
	r->stations++;
	r->grid_rows += span;
	r->rows_added += span - n;
	if (!e->keep_grids)
		return;

	vals = pm_xmalloc(span * PM_NMEASURES * sizeof(*vals));
	g->span = (uint32_t)span;
	g->flags = pm_xmalloc(span);
	g->mask = pm_xmalloc(span * sizeof(*g->mask));
	for (i = 0; i < span * PM_NMEASURES; i++)
		vals[i] = NAN;
	memset(g->flags, PM_FLAG_ADDED, span);
	for (i = 0; i < n; i++) {
		const struct pm_srow *row = &s->rows[acc[i] & ~WARN_BIT];
		size_t h = row->hour - g->first;

		pm_vpool_unpack(&s->v, row->mask, row->voff,
				vals + h * PM_NMEASURES);
		g->flags[h] = (acc[i] & WARN_BIT) ? PM_FLAG_OUTLIER : 0;
	}
	interpolate(e, vals, g->flags, span);
	for (i = 0; i < span; i++) {
		const double *v = vals + i * PM_NMEASURES;
		uint16_t m = 0;
		int c;

		for (c = 0; c < PM_NMEASURES; c++) {
			if (isnan(v[c]))
				continue;
			m |= (uint16_t)(1u << c);
			pm_vpool_add(&g->v, v[c]);
		}
		g->mask[i] = m;
	}
	free(vals);
}

static void process_station(struct engine *e, struct pm_station *s)
{
	uint32_t *idx = pm_xmalloc((s->nr + 1) * sizeof(*idx));
	uint32_t *list = pm_xmalloc((s->nr + 1) * sizeof(*list));
	size_t n;

	n = deduplicate(e, s, idx, list);
	n = validate(e, s, list, n);
	if (n)
		build_grid(e, s, list, n);
	free(idx);
	free(list);
	/* the input rows are not needed any more */
	free(s->rows);
	s->rows = NULL;
	pm_vpool_release(&s->v);
	free(s->bad_text);
	s->bad_text = NULL;
}

/* ------------------------------------------------------------ output */

static void format_value(struct pm_buf *b, double v, int decimals)
{
	char tmp[64];
	int n = decimals >= 0 ? pm_num_format(tmp, sizeof(tmp), v, decimals) :
				pm_num_format_shortest(tmp, sizeof(tmp), v);

	pm_buf_add(b, tmp, (size_t)n);
}

static void add_header(const struct pm_contract *c, struct pm_buf *b)
{
	size_t i;

	for (i = 0; i < c->nr_out_cols; i++) {
		int col = c->out_cols[i];

		if (i)
			pm_buf_addch(b, ',');
		switch (col) {
		case PM_OUT_TIME:
			pm_buf_addstr(b, "time_utc");
			break;
		case PM_OUT_STATION:
			pm_buf_addstr(b, "station_id");
			break;
		case PM_OUT_FLAGS:
			pm_buf_addstr(b, "flags");
			break;
		case PM_OUT_INTERPOLATED:
			pm_buf_addstr(b, "pm25_interpolated");
			break;
		default:
			pm_buf_addstr(b, pm_col_name(col));
		}
	}
	pm_buf_addch(b, '\n');
}

/* Format the grid rows of s from cursor k up to (not including) hour end. */
static void format_rows(const struct pm_contract *c, const struct pm_station *s,
			struct pm_gcursor *k, uint32_t end, struct pm_buf *b)
{
	const struct pm_sgrid *g = &s->grid;
	double v[PM_NMEASURES];
	char ts[32];
	int64_t day = -1;

	for (; k->cur < g->span && g->first + k->cur < end; k->cur++) {
		uint32_t hour = g->first + (uint32_t)k->cur;
		unsigned m = g->mask[k->cur];
		size_t i;

		if (hour / 24 != day) {
			day = hour / 24;
			pm_time_format((int64_t)hour * 3600, ts);
		}
		ts[11] = (char)('0' + hour % 24 / 10);
		ts[12] = (char)('0' + hour % 24 % 10);
		pm_vpool_unpack(&g->v, m, k->curv, v);
		k->curv += (size_t)__builtin_popcount(m);
		for (i = 0; i < c->nr_out_cols; i++) {
			int col = c->out_cols[i];

			if (i)
				pm_buf_addch(b, ',');
			switch (col) {
			case PM_OUT_TIME:
				pm_buf_add(b, ts, 20);
				break;
			case PM_OUT_STATION:
				pm_buf_add(b, s->id, s->len);
				break;
			case PM_OUT_FLAGS:
				pm_buf_addf(b, "%u", g->flags[k->cur]);
				break;
			case PM_OUT_INTERPOLATED:
				pm_buf_addch(b, (g->flags[k->cur] &
						 PM_FLAG_INTERPOLATED) ?
							'1' :
							'0');
				break;
			default:
				if (!isnan(v[col]))
					format_value(b, v[col], c->decimals);
			}
		}
		pm_buf_addch(b, '\n');
	}
}

static enum pm_err write_file(const char *path, const struct pm_buf *b,
			      struct pm_buf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = b->buf;
	size_t left = b->len;

	if (fd < 0)
		return pm_errf(err, PM_ERR_IO, "%s: %s", path,
			       strerror(errno));
	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = errno;

			close(fd);
			return pm_errf(err, PM_ERR_IO, "%s: %s", path,
				       strerror(n < 0 ? saved : ENOSPC));
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd))
		return pm_errf(err, PM_ERR_IO, "%s: %s", path,
			       strerror(errno));
	return PM_OK;
}

/* Move cursor k of grid g to the first hour at or after hour h. */
static void seek(const struct pm_sgrid *g, struct pm_gcursor *k, uint32_t h)
{
	size_t target = h <= g->first ? 0 : h - g->first;

	if (target > g->span)
		target = g->span;
	for (; k->cur < target; k->cur++)
		k->curv += (size_t)__builtin_popcount(g->mask[k->cur]);
}

struct day_writer {
	struct engine *e;
	size_t nst;
	const char *dir;
	uint64_t from, to; /* days [from, to) */
	size_t files;
	enum pm_err ret;
	struct pm_buf err;
};

static void *write_day_range(void *arg)
{
	struct day_writer *w = arg;
	struct engine *e = w->e;
	struct pm_gcursor *k = pm_xcalloc(w->nst + 1, sizeof(*k));
	struct pm_buf text = PM_BUF_INIT, path = PM_BUF_INIT;
	uint64_t day;
	size_t i;
	char date[16];

	for (i = 0; i < w->nst; i++)
		seek(&e->st[i].grid, &k[i], (uint32_t)(w->from * 24));
	for (day = w->from; day < w->to && !w->ret; day++) {
		uint32_t end = (uint32_t)((day + 1) * 24);
		size_t before;

		pm_buf_reset(&text);
		add_header(e->c, &text);
		before = text.len;
		for (i = 0; i < w->nst; i++)
			if (e->st[i].grid.span)
				format_rows(e->c, &e->st[i], &k[i], end, &text);
		if (text.len == before)
			continue;
		pm_date_format((int64_t)day * 86400, date);
		pm_buf_setf(&path, "%s/date=%s.csv", w->dir, date);
		w->ret = write_file(path.buf, &text, &w->err);
		w->files++;
	}
	free(k);
	pm_buf_release(&text);
	pm_buf_release(&path);
	return NULL;
}

/*
 * One file per UTC day, written into a temporary directory inside dir
 * (two threads, each a range of days) and renamed into place once every
 * day is written.
 */
static enum pm_err write_days(struct engine *e, size_t nst, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, tmp = PM_BUF_INIT;
	struct day_writer w[2];
	uint32_t lo = UINT32_MAX, hi = 0;
	enum pm_err ret;
	uint64_t day, mid;
	pthread_t th;
	size_t i;
	char date[16];
	int threaded;

	memset(w, 0, sizeof(w));
	ret = pm_mkdir_p(e->o->out_dir, err);
	if (ret)
		goto out;
	pm_buf_addf(&tmp, "%s/.pm25-tmp-%ld", e->o->out_dir, (long)getpid());
	pm_remove_tree(tmp.buf);
	ret = pm_mkdir_p(tmp.buf, err);
	if (ret)
		goto out;
	for (i = 0; i < nst; i++) {
		const struct pm_sgrid *g = &e->st[i].grid;

		if (!g->span)
			continue;
		lo = g->first < lo ? g->first : lo;
		hi = g->first + g->span - 1 > hi ? g->first + g->span - 1 : hi;
	}
	if (lo > hi)
		goto out;
	mid = (lo / 24 + hi / 24 + 1) / 2;
	for (i = 0; i < 2; i++) {
		w[i].e = e;
		w[i].nst = nst;
		w[i].dir = tmp.buf;
		w[i].from = i ? mid : lo / 24;
		w[i].to = i ? hi / 24 + 1 : mid;
		pm_buf_init(&w[i].err);
	}
	threaded = !pthread_create(&th, NULL, write_day_range, &w[1]);
	write_day_range(&w[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		write_day_range(&w[1]);
	for (i = 0; i < 2 && !ret; i++) {
		e->r->out_files += w[i].files;
		if (w[i].ret)
			ret = pm_errf(err, w[i].ret, "%s", w[i].err.buf);
	}
	for (day = lo / 24; !ret && day <= hi / 24; day++) {
		struct pm_buf to = PM_BUF_INIT;

		pm_date_format((int64_t)day * 86400, date);
		pm_buf_setf(&path, "%s/date=%s.csv", tmp.buf, date);
		pm_buf_addf(&to, "%s/date=%s.csv", e->o->out_dir, date);
		if (rename(path.buf, to.buf) && errno != ENOENT)
			ret = pm_errf(err, PM_ERR_IO, "%s: %s", to.buf,
				      strerror(errno));
		pm_buf_release(&to);
	}
out:
	for (i = 0; i < 2; i++)
		pm_buf_release(&w[i].err);
	if (tmp.len)
		pm_remove_tree(tmp.buf);
	pm_buf_release(&path);
	pm_buf_release(&tmp);
	return ret;
}

static enum pm_err write_single(struct engine *e, size_t nst,
				struct pm_buf *err)
{
	struct pm_atomic a = PM_ATOMIC_INIT;
	struct pm_buf text = PM_BUF_INIT;
	enum pm_err ret;
	size_t i;

	ret = pm_atomic_open(&a, e->o->out_file, err);
	if (ret)
		return ret;
	add_header(e->c, &text);
	for (i = 0; i < nst; i++) {
		struct pm_gcursor k = { 0, 0 };

		if (!e->st[i].grid.span)
			continue;
		format_rows(e->c, &e->st[i], &k, UINT32_MAX, &text);
		if (text.len > (1u << 20)) {
			fwrite(text.buf, 1, text.len, a.fp);
			pm_buf_reset(&text);
		}
	}
	fwrite(text.buf, 1, text.len, a.fp);
	pm_buf_release(&text);
	e->r->out_files = 1;
	return pm_atomic_commit(&a, err);
}

/* ------------------------------------------------------------ batch rules */

static void batch_rules(struct engine *e)
{
	const struct pm_contract *c = e->c;
	struct pm_clean_report *r = e->r;
	int64_t now = e->o->now;
	size_t i;

	if (now == PM_TIME_NONE)
		now = (int64_t)time(NULL);
	for (i = 0; i < c->nr_rules; i++) {
		const struct pm_rule *rule = &c->rules[i];
		struct pm_rule_result *rr = &r->rules[i];
		int fail;

		switch (rule->kind) {
		case PM_RULE_MISSING:
			rr->value = r->accepted ? (double)e->miss[rule->col] /
							  (double)r->accepted :
						  0;
			fail = rr->value > rule->max_rate;
			break;
		case PM_RULE_FRESHNESS:
			rr->value = r->newest == PM_TIME_NONE ?
					    INFINITY :
					    (double)(now - r->newest);
			fail = rr->value > (double)rule->max_age;
			break;
		default:
			continue;
		}
		rr->failed = (size_t)fail;
		if (fail && rule->severity == PM_SEV_ERROR)
			r->batch_failed = 1;
	}
}

/* ------------------------------------------------------------ the run */

static enum pm_err expand_inputs(const char *const *inputs, size_t nr,
				 struct pm_clean_report *r, struct pm_buf *err)
{
	size_t i, alloc = 0;

	for (i = 0; i < nr; i++) {
		char **names;
		size_t n, k;
		enum pm_err ret;

		if (!pm_is_dir(inputs[i])) {
			PM_ALLOC_GROW(r->files, r->nr_files + 1, alloc);
			r->files[r->nr_files++] = pm_xstrdup(inputs[i]);
			continue;
		}
		ret = pm_dir_list(inputs[i], ".csv", &names, &n, err);
		if (ret)
			return ret;
		if (!n) {
			pm_strv_free(names);
			return pm_errf(err, PM_ERR_NOTFOUND, "%s: no *.csv files",
				       inputs[i]);
		}
		for (k = 0; k < n; k++) {
			PM_ALLOC_GROW(r->files, r->nr_files + 1, alloc);
			r->files[r->nr_files++] = names[k];
		}
		free(names);
	}
	if (r->nr_files > PM_MAX_FILES)
		return pm_errf(err, PM_ERR_LIMIT, "more than %d input files",
			       PM_MAX_FILES);
	return PM_OK;
}

static int cmp_station(const void *a, const void *b)
{
	const struct pm_station *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = n ? memcmp(x->id, y->id, n) : 0;

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * Parallel reading: worker threads read and parse files into tables, at
 * most WINDOW files ahead of the packer; the calling thread packs the
 * tables strictly in file order, so the result does not depend on timing.
 */
#define WINDOW 8
#define READERS 2

struct parsed {
	struct pm_table t;
	enum pm_err ret;
	struct pm_buf err;
	int ready;
};

struct reader {
	struct engine *e;
	struct pm_csv_opts co;
	struct parsed *slot; /* one per file */
	size_t next;	     /* next file to parse */
	size_t packed;	     /* files packed so far */
	int stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void parse_one(struct reader *rd, size_t f, struct parsed *p)
{
	const char *path = rd->e->r->files[f];
	struct pm_buf data = PM_BUF_INIT;

	pm_table_init(&p->t);
	pm_buf_init(&p->err);
	p->ret = pm_file_read(path, PM_MAX_BODY, &data, &p->err);
	if (!p->ret)
		p->ret = pm_csv_to_table(data.buf, data.len, path, &rd->co,
					 &p->t, &p->err);
	pm_buf_release(&data);
}

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	size_t nr = rd->e->r->nr_files;

	pthread_mutex_lock(&rd->lock);
	for (;;) {
		size_t f;

		while (!rd->stop && rd->next < nr &&
		       rd->next >= rd->packed + WINDOW)
			pthread_cond_wait(&rd->cond, &rd->lock);
		if (rd->stop || rd->next >= nr)
			break;
		f = rd->next++;
		pthread_mutex_unlock(&rd->lock);
		parse_one(rd, f, &rd->slot[f]);
		pthread_mutex_lock(&rd->lock);
		rd->slot[f].ready = 1;
		pthread_cond_broadcast(&rd->cond);
	}
	pthread_mutex_unlock(&rd->lock);
	return NULL;
}

static enum pm_err read_inputs(struct engine *e, struct pm_buf *err)
{
	const struct pm_contract *c = e->c;
	struct pm_clean_report *r = e->r;
	struct reader rd;
	pthread_t th[READERS];
	int started = 0, k;
	enum pm_err ret = PM_OK;
	size_t f;

	memset(&rd, 0, sizeof(rd));
	rd.e = e;
	rd.co.missing = &c->missing;
	rd.co.zero_missing = c->zero_missing;
	rd.co.time_flags = c->strict_time ? PM_TIME_STRICT : 0;
	rd.co.station = e->o->station;
	rd.co.header = c->header;
	rd.co.strict_fields = c->header != NULL;
	rd.slot = pm_xcalloc(r->nr_files + 1, sizeof(*rd.slot));
	pthread_mutex_init(&rd.lock, NULL);
	pthread_cond_init(&rd.cond, NULL);
	for (k = 0; k < READERS && r->nr_files > 1; k++)
		if (!pthread_create(&th[started], NULL, reader_main, &rd))
			started++;
	for (f = 0; f < r->nr_files; f++) {
		struct parsed *p = &rd.slot[f];

		if (started) {
			pthread_mutex_lock(&rd.lock);
			while (!p->ready)
				pthread_cond_wait(&rd.cond, &rd.lock);
			pthread_mutex_unlock(&rd.lock);
		} else {
			parse_one(&rd, f, p);
		}
		ret = p->ret;
		if (ret)
			pm_errf(err, ret, "%s", p->err.buf);
		else
			ret = pack_table(e, &p->t, (uint16_t)f, err);
		r->input_rows += p->t.nr;
		r->markers += p->t.markers;
		r->junk += p->t.junk;
		r->met_zero += p->t.met_zero;
		pm_table_release(&p->t);
		pm_buf_release(&p->err);
		pthread_mutex_lock(&rd.lock);
		rd.packed = f + 1;
		if (ret)
			rd.stop = 1;
		pthread_cond_broadcast(&rd.cond);
		pthread_mutex_unlock(&rd.lock);
		if (ret)
			break;
		if (e->o->progress)
			e->o->progress(e->o->progress_data, f + 1,
				       r->nr_files);
	}
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	/* tables parsed ahead of a failure */
	for (f = 0; f < r->nr_files; f++) {
		pm_table_release(&rd.slot[f].t);
		pm_buf_release(&rd.slot[f].err);
	}
	free(rd.slot);
	pthread_mutex_destroy(&rd.lock);
	pthread_cond_destroy(&rd.cond);
	return ret;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum pm_err pm_clean_run(const struct pm_clean_opts *o,
			 const char *const *inputs, size_t nr_inputs,
			 struct pm_clean_report *r, struct pm_buf *err)
{
	const struct pm_contract *c = o->contract;
	struct engine e;
	enum pm_err ret;
	size_t i, nst = 0;
	double t0 = now_s(), t1, t2;

	memset(&e, 0, sizeof(e));
	memset(r, 0, sizeof(*r));
	e.o = o;
	e.c = c;
	e.r = r;
	e.keep_grids = o->out_dir || o->out_file;
	e.unique_rule = SIZE_MAX;
	for (i = 0; i < c->nr_rules; i++)
		if (c->rules[i].kind == PM_RULE_UNIQUE)
			e.unique_rule = i;
	pm_strmap_init(&e.ids);
	pm_strmap_init(&e.bad_texts);
	r->newest = PM_TIME_NONE;
	r->nr_rules = c->nr_rules;
	r->rules = pm_xcalloc(c->nr_rules + 1, sizeof(*r->rules));

	ret = expand_inputs(inputs, nr_inputs, r, err);
	if (!ret)
		ret = read_inputs(&e, err);
	if (ret)
		goto out;

	t1 = now_s();
	pm_log(PM_LOG_DEBUG, "clean", "read %zu files, %zu rows: %.3f s",
	       r->nr_files, r->input_rows, t1 - t0);
	/* stations in byte order of their ids */
	nst = e.ids.nr;
	for (i = 0; i < nst; i++) {
		e.st[i].id = e.ids.keys[i];
		e.st[i].len = e.ids.lens[i];
	}
	if (nst)
		qsort(e.st, nst, sizeof(*e.st), cmp_station);
	for (i = 0; i < nst; i++)
		process_station(&e, &e.st[i]);
	r->pm25_missing_after = r->pm25_missing_before - r->pm25_interpolated;
	r->out_rows = e.keep_grids ? r->grid_rows : 0;
	r->score = r->input_rows ?
			   (double)r->accepted / (double)r->input_rows :
			   0;
	batch_rules(&e);
	r->passed = r->input_rows && r->score >= c->gate && !r->batch_failed;
	t2 = now_s();
	pm_log(PM_LOG_DEBUG, "clean", "dedup, validate, grid: %.3f s",
	       t2 - t1);
	if (o->out_dir)
		ret = write_days(&e, nst, err);
	else if (o->out_file)
		ret = write_single(&e, nst, err);
	pm_log(PM_LOG_DEBUG, "clean", "write %zu rows: %.3f s", r->out_rows,
	       now_s() - t2);
out:
	for (i = 0; i < e.st_alloc && e.st; i++)
		pm_station_release(&e.st[i]);
	free(e.st);
	pm_strmap_release(&e.ids);
	pm_strmap_release(&e.bad_texts);
	return ret;
}
