/*
 * The cleaning engine. Rows are packed per station as they are read
 * (16 bytes plus 4 per present value), then each station is processed on
 * its own: dedup, validation, hourly grid, interpolation, output.
 */
#include "compat.h"
#include "limits.h"
#include <fcntl.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/contract.h"
#include "pm25/csvsrc.h"
#include "pm25/fsutil.h"
#include "pm25/strmap.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

#define HOUR_BAD UINT32_MAX
#define ESCAPE 7

static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };

/* One input row, packed. Values follow in the station's value pool. */
struct srow {
	uint32_t hour; /* UTC hours since epoch, HOUR_BAD if unparseable */
	uint32_t line;
	uint16_t file;
	uint16_t mask; /* bit per measurement column present */
	uint32_t voff; /* first value in the pool */
};

struct station {
	const char *id; /* borrowed from the engine's strmap */
	size_t len;
	struct srow *rows;
	size_t nr, alloc;
	int32_t *vals; /* encoded values, see encode() */
	size_t nv, valloc;
	double *xv; /* values that do not encode */
	size_t nx, xalloc;
	uint32_t *bad_text; /* per bad-time row in order: text id */
	size_t nbad, badalloc;
};

struct engine {
	const struct pm_clean_opts *o;
	const struct pm_contract *c;
	struct pm_clean_report *r;
	struct pm_strmap ids;
	struct station *st;
	size_t st_alloc;
	struct pm_strmap bad_texts;
	uint32_t min_hour, max_hour;
	/* output */
	char *tmp_dir;
	struct daybuf {
		struct pm_buf text;
		int started;
	} *days;
	int64_t first_day;
	size_t nr_days, buffered;
	struct pm_atomic single;
	struct pm_buf line;
	size_t miss[PM_NMEASURES]; /* accepted rows missing each column */
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

static int32_t encode(struct station *s, double v)
{
	int k;

	if (!(v == 0 && signbit(v)) && fabs(v) < 1e7) {
		for (k = 0; k < ESCAPE; k++) {
			double m = nearbyint(v * pow10_tab[k]);

			if (fabs(m) < (double)(1 << 27) &&
			    m / pow10_tab[k] == v)
				return (int32_t)m * 8 + k;
		}
	}
	PM_ALLOC_GROW(s->xv, s->nx + 1, s->xalloc);
	s->xv[s->nx] = v;
	return (int32_t)(s->nx++ * 8 + ESCAPE);
}

static double decode(const struct station *s, int32_t e)
{
	int k = e & 7;

	if (k == ESCAPE)
		return s->xv[(uint32_t)e >> 3];
	return (double)((e - k) / 8) / pow10_tab[k];
}

/* Unpack row r's ten values into v (NaN for missing). */
static void unpack(const struct station *s, const struct srow *r, double *v)
{
	size_t k = r->voff;
	int c;

	for (c = 0; c < PM_NMEASURES; c++)
		v[c] = (r->mask & (1u << c)) ? decode(s, s->vals[k++]) : NAN;
}

static struct station *station_of(struct engine *e, const char *id,
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
	size_t i, bad = 0;

	for (i = 0; i < t->nr; i++) {
		uint32_t sid = t->station[i];
		struct station *s = station_of(e, t->stations.keys[sid],
					       t->stations.lens[sid]);
		struct srow *r;
		int c;

		if (e->ids.nr > PM_MAX_STATIONS)
			return pm_errf(err, PM_ERR_LIMIT,
				       "more than %d stations",
				       PM_MAX_STATIONS);
		PM_ALLOC_GROW(s->rows, s->nr + 1, s->alloc);
		r = &s->rows[s->nr++];
		r->line = t->line[i];
		r->file = file;
		r->mask = 0;
		r->voff = (uint32_t)s->nv;
		r->hour = HOUR_BAD;
		if (t->time[i] != PM_TIME_NONE) {
			/* times inside an hour count for the hour they end */
			int64_t h = pm_floor_div(t->time[i] + 3599, 3600);

			if (h >= 0 && h < (int64_t)HOUR_BAD)
				r->hour = (uint32_t)h;
		}
		if (r->hour == HOUR_BAD) {
			const char *text = "";

			while (bad < t->nr_bad && t->bad[bad].row < i)
				bad++;
			if (bad < t->nr_bad && t->bad[bad].row == i)
				text = t->bad[bad].text;
			PM_ALLOC_GROW(s->bad_text, s->nbad + 1, s->badalloc);
			s->bad_text[s->nbad++] = pm_strmap_intern(
				&e->bad_texts, text, strlen(text));
		} else {
			if (r->hour < e->min_hour)
				e->min_hour = r->hour;
			if (r->hour > e->max_hour)
				e->max_hour = r->hour;
		}
		for (c = 0; c < PM_NMEASURES; c++) {
			double v = t->col[c][i];

			if (isnan(v))
				continue;
			r->mask |= 1u << c;
			PM_ALLOC_GROW(s->vals, s->nv + 1, s->valloc);
			s->vals[s->nv++] = encode(s, v);
		}
	}
	return PM_OK;
}

static void station_release(struct station *s)
{
	free(s->rows);
	free(s->vals);
	free(s->xv);
	free(s->bad_text);
	memset(s, 0, sizeof(*s));
}

/* ------------------------------------------------------------ output */

static void format_value(struct pm_buf *b, double v, int decimals)
{
	char tmp[64];
	int prec;

	if (isnan(v))
		return;
	if (decimals >= 0) {
		pm_buf_add(b, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%.*f",
						    decimals, v));
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	pm_buf_addstr(b, tmp);
}

static void add_header(struct engine *e, struct pm_buf *b)
{
	size_t i;

	for (i = 0; i < e->c->nr_out_cols; i++) {
		int col = e->c->out_cols[i];

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

static void format_row(struct engine *e, const struct station *s,
		       uint32_t hour, const double *v, uint32_t flags,
		       struct pm_buf *b)
{
	size_t i;
	char ts[32];

	for (i = 0; i < e->c->nr_out_cols; i++) {
		int col = e->c->out_cols[i];

		if (i)
			pm_buf_addch(b, ',');
		switch (col) {
		case PM_OUT_TIME:
			pm_time_format((int64_t)hour * 3600, ts);
			pm_buf_add(b, ts, 20);
			break;
		case PM_OUT_STATION:
			pm_buf_add(b, s->id, s->len);
			break;
		case PM_OUT_FLAGS:
			pm_buf_addf(b, "%u", flags);
			break;
		case PM_OUT_INTERPOLATED:
			pm_buf_addch(b, (flags & PM_FLAG_INTERPOLATED) ? '1' :
									 '0');
			break;
		default:
			format_value(b, v[col], e->c->decimals);
		}
	}
	pm_buf_addch(b, '\n');
}

static enum pm_err day_path(struct engine *e, size_t d, struct pm_buf *path)
{
	char date[16];

	pm_date_format((e->first_day + (int64_t)d) * 86400, date);
	pm_buf_setf(path, "%s/date=%s.csv", e->tmp_dir, date);
	return PM_OK;
}

static enum pm_err flush_days(struct engine *e, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	size_t d;

	for (d = 0; d < e->nr_days; d++) {
		struct daybuf *db = &e->days[d];
		int fd;

		if (!db->text.len)
			continue;
		day_path(e, d, &path);
		fd = open(path.buf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			  0644);
		if (fd < 0 || write(fd, db->text.buf, db->text.len) !=
				      (ssize_t)db->text.len) {
			ret = pm_errf(err, PM_ERR_IO, "%s: %s", path.buf,
				      strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		close(fd);
		pm_buf_reset(&db->text);
	}
	e->buffered = 0;
out:
	pm_buf_release(&path);
	return ret;
}

static enum pm_err emit(struct engine *e, const struct station *s,
			uint32_t hour, const double *v, uint32_t flags,
			struct pm_buf *err)
{
	e->r->out_rows++;
	if (e->o->out_file) {
		pm_buf_reset(&e->line);
		format_row(e, s, hour, v, flags, &e->line);
		fwrite(e->line.buf, 1, e->line.len, e->single.fp);
		return PM_OK;
	}
	if (e->o->out_dir) {
		size_t d = (size_t)(hour / 24 - e->first_day);
		struct daybuf *db = &e->days[d];
		size_t before = db->text.len;

		if (!db->started) {
			db->started = 1;
			e->r->out_files++;
			add_header(e, &db->text);
		}
		format_row(e, s, hour, v, flags, &db->text);
		e->buffered += db->text.len - before;
		if (e->buffered > (16u << 20))
			return flush_days(e, err);
	}
	return PM_OK;
}

/* ------------------------------------------------------------ stations */

static void sample(struct pm_rule_result *rr, const struct srow *row)
{
	if (rr->nr_samples < PM_MAX_SAMPLES) {
		rr->samples[rr->nr_samples].file = row->file;
		rr->samples[rr->nr_samples].line = row->line;
		rr->nr_samples++;
	}
}

static int same_values(const struct station *s, const struct srow *a,
		       const struct srow *b)
{
	double va[PM_NMEASURES], vb[PM_NMEASURES];
	int c;

	if (a->mask != b->mask)
		return 0;
	unpack(s, a, va);
	unpack(s, b, vb);
	for (c = 0; c < PM_NMEASURES; c++)
		if ((a->mask & (1u << c)) && va[c] != vb[c])
			return 0;
	return 1;
}

/*
 * Row-level rules on one row. Returns 1 if an error rule failed; sets
 * *warn if a warn rule failed.
 */
static int check_row(struct engine *e, const struct station *s,
		     const struct srow *row, int *warn)
{
	const struct pm_contract *c = e->c;
	double v[PM_NMEASURES];
	int reject = 0;
	size_t i;

	unpack(s, row, v);
	*warn = 0;
	for (i = 0; i < c->nr_rules; i++) {
		const struct pm_rule *rule = &c->rules[i];
		int fail;

		switch (rule->kind) {
		case PM_RULE_TIME:
			fail = row->hour == HOUR_BAD;
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

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Order the good rows of s by (hour, input order) into idx; returns the
 * count. Counting sort when the span is small, else qsort on
 * (hour << 32 | position), which is unique and so stable.
 */
static size_t order_rows(const struct station *s, uint32_t *idx)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	size_t i, n = 0;

	for (i = 0; i < s->nr; i++) {
		uint32_t h = s->rows[i].hour;

		if (h == HOUR_BAD)
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
			if (s->rows[i].hour != HOUR_BAD)
				cnt[s->rows[i].hour - lo + 1]++;
		for (i = 1; i < span; i++)
			cnt[i] += cnt[i - 1];
		for (i = 0; i < s->nr; i++)
			if (s->rows[i].hour != HOUR_BAD)
				idx[cnt[s->rows[i].hour - lo]++] = (uint32_t)i;
		free(cnt);
	} else {
		uint64_t *key = pm_xmalloc(n * sizeof(*key));
		size_t k = 0;

		for (i = 0; i < s->nr; i++)
			if (s->rows[i].hour != HOUR_BAD)
				key[k++] = (uint64_t)s->rows[i].hour << 32 | i;
		qsort(key, n, sizeof(*key), cmp_u64);
		for (k = 0; k < n; k++)
			idx[k] = (uint32_t)key[k];
		free(key);
	}
	return n;
}

static uint64_t row_hash(const struct station *s, const struct srow *row,
			 uint32_t text)
{
	double v[PM_NMEASURES];
	uint64_t h = 1469598103934665603ull ^ row->hour ^
		     ((uint64_t)text << 32) ^ row->mask;
	int c;

	unpack(s, row, v);
	for (c = 0; c < PM_NMEASURES; c++) {
		uint64_t bits;
		double x = v[c] == 0 ? 0.0 : v[c]; /* -0 equals 0 */

		if (!(row->mask & (1u << c)))
			continue;
		memcpy(&bits, &x, sizeof(bits));
		h = (h ^ bits) * 1099511628211ull;
		h ^= h >> 29;
	}
	return h;
}

/*
 * Exact deduplication of list[0..n) (row indices in input order, all
 * with the same hour, or all unparseable with texts[] given): drops every
 * row equal to an earlier one, compacting list. Returns the new count.
 */
static size_t drop_exact(struct engine *e, const struct station *s,
			 uint32_t *list, const uint32_t *texts, size_t n)
{
	size_t i, j, out = 0;

	if (!e->c->dedup_exact || n < 2)
		return n;
	if (n <= 8) {
		for (i = 0; i < n; i++) {
			const struct srow *r = &s->rows[list[i]];
			int dup = 0;

			for (j = 0; j < out && !dup; j++)
				dup = (!texts || texts[i] == texts[j]) &&
				      same_values(s, &s->rows[list[j]], r);
			if (dup) {
				e->r->exact_dups++;
				continue;
			}
			if (texts)
				((uint32_t *)texts)[out] = texts[i];
			list[out++] = list[i];
		}
		return out;
	} else {
		size_t nslots = 16, mask;
		uint32_t *slot;

		while (nslots < n * 2)
			nslots *= 2;
		mask = nslots - 1;
		slot = pm_xcalloc(nslots, sizeof(*slot));
		for (i = 0; i < n; i++) {
			const struct srow *r = &s->rows[list[i]];
			uint32_t t = texts ? texts[i] : 0;
			size_t k = row_hash(s, r, t) & mask;
			int dup = 0;

			for (; slot[k]; k = (k + 1) & mask) {
				size_t o = slot[k] - 1;

				if ((!texts || texts[o] == t) &&
				    s->rows[list[o]].hour == r->hour &&
				    same_values(s, &s->rows[list[o]], r)) {
					dup = 1;
					break;
				}
			}
			if (dup) {
				e->r->exact_dups++;
				list[i] = UINT32_MAX;
				continue;
			}
			slot[k] = (uint32_t)(i + 1);
		}
		free(slot);
		for (i = 0; i < n; i++) {
			if (list[i] == UINT32_MAX)
				continue;
			if (texts)
				((uint32_t *)texts)[out] = texts[i];
			list[out++] = list[i];
		}
		return out;
	}
}

static double interp_value(double a, double b, int gap, int k)
{
	return (b - a) / (gap + 1) * k + a;
}

static enum pm_err process_station(struct engine *e, struct station *s,
				   struct pm_buf *err)
{
	struct pm_clean_report *r = e->r;
	const struct pm_contract *c = e->c;
	uint32_t *idx = NULL, *valid = NULL, *texts = NULL;
	size_t n, i, j, nv = 0, nbad = 0, span = 0;
	double *grid = NULL;
	uint32_t *gflags = NULL, first = 0;
	enum pm_err ret = PM_OK;
	size_t unique_rule = SIZE_MAX;

	for (i = 0; i < c->nr_rules; i++)
		if (c->rules[i].kind == PM_RULE_UNIQUE)
			unique_rule = i;
	idx = pm_xmalloc((s->nr + 1) * sizeof(*idx));
	valid = pm_xmalloc((s->nr + 1) * sizeof(*valid));
	n = order_rows(s, idx);

	/* duplicates, hour by hour */
	for (i = 0; i < n; i = j) {
		size_t k;

		for (j = i + 1; j < n && s->rows[idx[j]].hour ==
						 s->rows[idx[i]].hour;
		     j++)
			;
		k = drop_exact(e, s, idx + i, NULL, j - i);
		if (s->len == 0) {
			/* rows without a station are never key duplicates */
			memcpy(valid + nv, idx + i, k * sizeof(*idx));
			nv += k;
			continue;
		}
		r->key_dups += k - 1;
		for (size_t d = 1; d < k && unique_rule != SIZE_MAX; d++) {
			/* the rows that lose to the one kept */
			size_t drop = c->key_keep_last ? d - 1 : d;

			r->rules[unique_rule].failed++;
			sample(&r->rules[unique_rule], &s->rows[idx[i + drop]]);
		}
		valid[nv++] = idx[i + (c->key_keep_last ? k - 1 : 0)];
	}

	/* rows whose time did not parse: exact duplicates only */
	if (s->nbad) {
		texts = pm_xmalloc(s->nbad * sizeof(*texts));
		for (i = 0; i < s->nr; i++)
			if (s->rows[i].hour == HOUR_BAD) {
				texts[nbad] = s->bad_text[nbad];
				idx[nbad++] = (uint32_t)i;
			}
		nbad = drop_exact(e, s, idx, texts, nbad);
		memcpy(valid + nv, idx, nbad * sizeof(*idx));
		nv += nbad;
	}

	/* validation; accepted rows stay in valid[0..n) in hour order */
	n = 0;
	for (i = 0; i < nv; i++) {
		const struct srow *row = &s->rows[valid[i]];
		int warn;

		r->validated++;
		if (check_row(e, s, row, &warn)) {
			r->rejected++;
			continue;
		}
		r->accepted++;
		for (int col = 0; col < PM_NMEASURES; col++)
			e->miss[col] += !(row->mask & (1u << col));
		if (warn) {
			r->flagged++;
			/* remember the flag in the high bit of the index */
			valid[n++] = valid[i] | 0x80000000u;
		} else {
			valid[n++] = valid[i];
		}
	}
	if (!n || (!e->o->out_dir && !e->o->out_file && !c->interp_cols))
		goto count_only;

	/* hourly grid from the first to the last accepted hour */
	first = s->rows[valid[0] & 0x7fffffffu].hour;
	span = (size_t)(s->rows[valid[n - 1] & 0x7fffffffu].hour - first) + 1;
	grid = pm_xmalloc(span * PM_NMEASURES * sizeof(*grid));
	gflags = pm_xmalloc(span * sizeof(*gflags));
	for (i = 0; i < span * PM_NMEASURES; i++)
		grid[i] = NAN;
	for (i = 0; i < span; i++)
		gflags[i] = PM_FLAG_ADDED;
	for (i = 0; i < n; i++) {
		const struct srow *row = &s->rows[valid[i] & 0x7fffffffu];
		size_t g = row->hour - first;

		unpack(s, row, grid + g * PM_NMEASURES);
		gflags[g] = (valid[i] & 0x80000000u) ? PM_FLAG_OUTLIER : 0;
		if (r->newest == PM_TIME_NONE ||
		    (int64_t)row->hour * 3600 > r->newest)
			r->newest = (int64_t)row->hour * 3600;
	}
	r->stations++;
	r->grid_rows += span;
	r->rows_added += span - n;

	/* interpolation of short gaps */
	for (int col = 0; col < PM_NMEASURES; col++) {
		int is_pm = col == PM_COL_PM25;

		if (is_pm)
			for (i = 0; i < span; i++)
				r->pm25_missing_before +=
					isnan(grid[i * PM_NMEASURES + col]);
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
			for (size_t k = 1; k <= gap; k++) {
				grid[(i + k - 1) * PM_NMEASURES + col] =
					interp_value(a, b, (int)gap, (int)k);
				if (is_pm) {
					gflags[i + k - 1] |=
						PM_FLAG_INTERPOLATED;
					r->pm25_interpolated++;
				}
				r->interpolated_cells++;
			}
		}
	}

	for (i = 0; i < span; i++) {
		ret = emit(e, s, first + (uint32_t)i, grid + i * PM_NMEASURES,
			   gflags[i], err);
		if (ret)
			goto out;
	}
	goto out;

count_only:
	for (i = 0; i < n; i++) {
		const struct srow *row = &s->rows[valid[i] & 0x7fffffffu];

		if (r->newest == PM_TIME_NONE ||
		    (int64_t)row->hour * 3600 > r->newest)
			r->newest = (int64_t)row->hour * 3600;
	}
	if (n) {
		first = s->rows[valid[0] & 0x7fffffffu].hour;
		span = (size_t)(s->rows[valid[n - 1] & 0x7fffffffu].hour -
				first) + 1;
		r->stations++;
		r->grid_rows += span;
		r->rows_added += span - n;
	}
out:
	r->pm25_missing_after = r->pm25_missing_before - r->pm25_interpolated;
	free(idx);
	free(valid);
	free(texts);
	free(grid);
	free(gflags);
	return ret;
}

/* ------------------------------------------------------------ batch rules */

static void batch_rules(struct engine *e)
{
	const struct pm_contract *c = e->c;
	struct pm_clean_report *r = e->r;
	const size_t *miss = e->miss;
	int64_t now = e->o->now;
	size_t i;

	if (now == PM_TIME_NONE)
		now = (int64_t)time(NULL);
	for (i = 0; i < c->nr_rules; i++) {
		const struct pm_rule *rule = &c->rules[i];
		struct pm_rule_result *rr = &r->rules[i];
		int fail = 0;

		switch (rule->kind) {
		case PM_RULE_MISSING:
			rr->value = r->accepted ?
					    (double)miss[rule->col] /
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
		if (pm_is_dir(inputs[i])) {
			char **names;
			size_t n, k;
			enum pm_err ret;

			ret = pm_dir_list(inputs[i], ".csv", &names, &n, err);
			if (ret)
				return ret;
			if (!n) {
				pm_strv_free(names);
				return pm_errf(err, PM_ERR_NOTFOUND,
					       "%s: no *.csv files", inputs[i]);
			}
			for (k = 0; k < n; k++) {
				PM_ALLOC_GROW(r->files, r->nr_files + 1, alloc);
				r->files[r->nr_files++] = names[k];
			}
			free(names);
		} else {
			PM_ALLOC_GROW(r->files, r->nr_files + 1, alloc);
			r->files[r->nr_files++] = pm_xstrdup(inputs[i]);
		}
	}
	if (r->nr_files > PM_MAX_FILES)
		return pm_errf(err, PM_ERR_LIMIT, "more than %d input files",
			       PM_MAX_FILES);
	return PM_OK;
}

static int cmp_station(const void *a, const void *b)
{
	const struct station *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->id, y->id, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static enum pm_err open_outputs(struct engine *e, struct pm_buf *err)
{
	struct pm_buf tmp = PM_BUF_INIT;
	enum pm_err ret;

	if (e->o->out_file) {
		ret = pm_atomic_open(&e->single, e->o->out_file, err);
		if (ret)
			return ret;
		pm_buf_reset(&e->line);
		add_header(e, &e->line);
		fwrite(e->line.buf, 1, e->line.len, e->single.fp);
		return PM_OK;
	}
	if (!e->o->out_dir)
		return PM_OK;
	ret = pm_mkdir_p(e->o->out_dir, err);
	if (ret)
		return ret;
	pm_buf_addf(&tmp, "%s/.pm25-tmp-%ld", e->o->out_dir, (long)getpid());
	pm_remove_tree(tmp.buf);
	ret = pm_mkdir_p(tmp.buf, err);
	e->tmp_dir = pm_buf_detach(&tmp, NULL);
	if (e->min_hour <= e->max_hour) {
		e->first_day = e->min_hour / 24;
		e->nr_days = e->max_hour / 24 - e->first_day + 1;
		e->days = pm_xcalloc(e->nr_days, sizeof(*e->days));
		for (size_t d = 0; d < e->nr_days; d++)
			pm_buf_init(&e->days[d].text);
	}
	return ret;
}

static enum pm_err commit_outputs(struct engine *e, struct pm_buf *err)
{
	struct pm_buf from = PM_BUF_INIT, to = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	char date[16];
	size_t d;

	if (e->o->out_file)
		return pm_atomic_commit(&e->single, err);
	if (!e->o->out_dir)
		return PM_OK;
	ret = flush_days(e, err);
	for (d = 0; !ret && d < e->nr_days; d++) {
		if (!e->days[d].started)
			continue;
		pm_date_format((e->first_day + (int64_t)d) * 86400, date);
		pm_buf_setf(&from, "%s/date=%s.csv", e->tmp_dir, date);
		pm_buf_setf(&to, "%s/date=%s.csv", e->o->out_dir, date);
		if (rename(from.buf, to.buf))
			ret = pm_errf(err, PM_ERR_IO, "%s: %s", to.buf,
				      strerror(errno));
	}
	pm_buf_release(&from);
	pm_buf_release(&to);
	return ret;
}

static void engine_release(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->ids.nr; i++)
		station_release(&e->st[i]);
	free(e->st);
	pm_strmap_release(&e->ids);
	pm_strmap_release(&e->bad_texts);
	if (e->single.fp)
		pm_atomic_abort(&e->single);
	if (e->tmp_dir)
		pm_remove_tree(e->tmp_dir);
	free(e->tmp_dir);
	for (i = 0; i < e->nr_days; i++)
		pm_buf_release(&e->days[i].text);
	free(e->days);
	pm_buf_release(&e->line);
}

enum pm_err pm_clean_run(const struct pm_clean_opts *o,
			 const char *const *inputs, size_t nr_inputs,
			 struct pm_clean_report *r, struct pm_buf *err)
{
	const struct pm_contract *c = o->contract;
	struct engine e;
	struct pm_buf data = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	enum pm_err ret;
	size_t i, f;

	memset(&e, 0, sizeof(e));
	memset(r, 0, sizeof(*r));
	e.o = o;
	e.c = c;
	e.r = r;
	e.min_hour = UINT32_MAX;
	pm_strmap_init(&e.ids);
	pm_strmap_init(&e.bad_texts);
	pm_buf_init(&e.line);
	r->newest = PM_TIME_NONE;
	r->nr_rules = c->nr_rules;
	r->rules = pm_xcalloc(c->nr_rules + 1, sizeof(*r->rules));

	ret = expand_inputs(inputs, nr_inputs, r, err);
	if (ret)
		goto out;
	co.missing = &c->missing;
	co.zero_missing = c->zero_missing;
	co.time_flags = c->strict_time ? PM_TIME_STRICT : 0;
	co.station = o->station;
	co.header = c->header;
	co.strict_fields = c->header != NULL;
	for (f = 0; f < r->nr_files; f++) {
		struct pm_table t;

		pm_buf_reset(&data);
		ret = pm_file_read(r->files[f], PM_MAX_BODY, &data, err);
		if (ret)
			goto out;
		pm_table_init(&t);
		ret = pm_csv_to_table(data.buf, data.len, r->files[f], &co, &t,
				      err);
		if (!ret)
			ret = pack_table(&e, &t, (uint16_t)f, err);
		r->input_rows += t.nr;
		r->markers += t.markers;
		r->junk += t.junk;
		r->met_zero += t.met_zero;
		pm_table_release(&t);
		if (ret)
			goto out;
		if (o->progress)
			o->progress(o->progress_data, f + 1, r->nr_files);
	}
	pm_buf_release(&data);

	ret = open_outputs(&e, err);
	if (ret)
		goto out;
	/* stations in byte order of their ids */
	for (i = 0; i < e.ids.nr; i++) {
		e.st[i].id = e.ids.keys[i];
		e.st[i].len = e.ids.lens[i];
	}
	qsort(e.st, e.ids.nr, sizeof(*e.st), cmp_station);
	for (i = 0; i < e.ids.nr; i++) {
		ret = process_station(&e, &e.st[i], err);
		if (ret)
			goto out;
		station_release(&e.st[i]);
	}
	r->score = r->input_rows ? (double)r->accepted / (double)r->input_rows :
				   0;
	batch_rules(&e);
	r->passed = r->input_rows && r->score >= c->gate && !r->batch_failed;
	ret = commit_outputs(&e, err);
out:
	pm_buf_release(&data);
	engine_release(&e);
	return ret;
}
