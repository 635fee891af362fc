/*
 * The cleaning engine. Rows are packed per station as they are read;
 * each station is then deduplicated, validated and laid on its hourly
 * grid, and the grids are written out day by day, so each output file is
 * created and written once.
 */
#include "pm25/compat.h"
#include <regex.h>
#include "limits.h"
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/csv.h"
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
	size_t unique_rule; /* index of the unique-key rule, or SIZE_MAX */
	size_t miss[PM_NMEASURES]; /* accepted rows missing each column */
	int keep_grids;		    /* output wanted */
	regex_t id_re;		    /* the contract's station pattern */
	int has_id_re;
	int64_t now; /* for time bounds and freshness */
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

/*
 * The rows of one file, packed by a reader thread: the same per-station
 * layout as the engine's, with local station and text ids, so that the
 * merge into the engine is a few copies.
 */
struct filepack {
	uint16_t file;
	struct pm_strmap ids;
	struct pm_station *st; /* parallel to ids */
	size_t st_alloc;
	struct pm_strmap texts; /* unparseable timestamps */
	struct pm_csv_counts k;
	struct pm_station *last;
};

static void filepack_release(struct filepack *fp)
{
	size_t i;

	for (i = 0; i < fp->ids.nr; i++)
		pm_station_release(&fp->st[i]);
	free(fp->st);
	pm_strmap_release(&fp->ids);
	pm_strmap_release(&fp->texts);
	memset(fp, 0, sizeof(*fp));
}

static int to_pack(void *ctx, const struct pm_csv_row *row)
{
	struct filepack *fp = ctx;
	struct pm_station *s = fp->last;
	struct pm_srow *r;
	int c;

	if (row->meta_only)
		return 0;
	if (!s || s->len != row->station.len ||
	    memcmp(s->id, row->station.ptr, row->station.len)) {
		uint32_t k = pm_strmap_intern(&fp->ids, row->station.ptr,
					      row->station.len);

		if (k >= fp->st_alloc) {
			size_t n = fp->st_alloc ? fp->st_alloc * 2 : 8;

			fp->st = pm_xrealloc(fp->st, n * sizeof(*fp->st));
			memset(fp->st + fp->st_alloc, 0,
			       (n - fp->st_alloc) * sizeof(*fp->st));
			fp->st_alloc = n;
		}
		s = fp->last = &fp->st[k];
		s->id = fp->ids.keys[k];
		s->len = fp->ids.lens[k];
	}
	PM_ALLOC_GROW(s->rows, s->nr + 1, s->alloc);
	r = &s->rows[s->nr++];
	r->line = row->line;
	r->file = fp->file;
	r->mask = 0;
	r->voff = (uint32_t)s->v.nr;
	r->hour = PM_HOUR_BAD;
	if (row->time != PM_TIME_NONE) {
		/* a time inside an hour counts for the hour it ends */
		int64_t h = pm_floor_div(row->time + 3599, 3600);

		if (h >= 0 && h < (int64_t)PM_HOUR_BAD)
			r->hour = (uint32_t)h;
	}
	if (r->hour == PM_HOUR_BAD) {
		PM_ALLOC_GROW(s->bad_text, s->nbad + 1, s->badalloc);
		s->bad_text[s->nbad++] = pm_strmap_intern(
			&fp->texts, row->time_text.ptr, row->time_text.len);
	}
	for (c = 0; c < PM_NMEASURES; c++) {
		if (!(row->present & (1u << c)))
			continue;
		r->mask |= (uint16_t)(1u << c);
		pm_vpool_add_num(&s->v, &row->val[c]);
	}
	return 0;
}

/* Move the rows of fp to the engine's stations, after what is there. */
static enum pm_err merge_pack(struct engine *e, struct filepack *fp,
			      struct pm_buf *err)
{
	size_t j, i;

	for (j = 0; j < fp->ids.nr; j++) {
		struct pm_station *from = &fp->st[j], *s;
		uint32_t base = 0;

		s = station_of(e, from->id, from->len);
		if (e->ids.nr > PM_MAX_STATIONS)
			return pm_errf(err, PM_ERR_LIMIT,
				       "more than %d stations",
				       PM_MAX_STATIONS);
		base = (uint32_t)s->v.nr;
		if (s->nr + from->nr > s->alloc) {
			s->alloc = s->alloc * 3 / 2 > s->nr + from->nr ?
					   s->alloc * 3 / 2 :
					   s->nr + from->nr;
			s->rows = pm_xrealloc(s->rows,
					      s->alloc * sizeof(*s->rows));
		}
		for (i = 0; i < from->nr; i++) {
			s->rows[s->nr] = from->rows[i];
			s->rows[s->nr++].voff += base;
		}
		pm_vpool_append(&s->v, &from->v);
		for (i = 0; i < from->nbad; i++) {
			uint32_t t = from->bad_text[i];

			PM_ALLOC_GROW(s->bad_text, s->nbad + 1, s->badalloc);
			s->bad_text[s->nbad++] = pm_strmap_intern(
				&e->bad_texts, fp->texts.keys[t],
				fp->texts.lens[t]);
		}
	}
	return PM_OK;
}

/* ------------------------------------------------------------ dedup */

/*
 * The counts of one run of stations. Threads each fill their own; the
 * tallies are then added to the report in station order, so samples and
 * sums do not depend on timing.
 */
struct tally {
	struct pm_clean_report r; /* counters, newest and rules[] */
	size_t miss[PM_NMEASURES];
};

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
static size_t drop_exact(struct engine *e, struct tally *ty,
			 const struct pm_station *s,
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
			ty->r.exact_dups++;
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
static size_t deduplicate(struct engine *e, struct tally *ty,
			  const struct pm_station *s,
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
		k = drop_exact(e, ty, s, idx + i, NULL, j - i);
		if (s->len == 0) {
			/* rows without a station are never key duplicates */
			memcpy(out + nv, idx + i, k * sizeof(*idx));
			nv += k;
			continue;
		}
		ty->r.key_dups += k - 1;
		for (size_t d = 1; d < k && e->unique_rule != SIZE_MAX; d++) {
			/* the rows that lose to the one kept */
			size_t drop = c->key_keep_last ? d - 1 : d;

			ty->r.rules[e->unique_rule].failed++;
			sample(&ty->r.rules[e->unique_rule],
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
	nbad = drop_exact(e, ty, s, idx, texts, nbad);
	memcpy(out + nv, idx, nbad * sizeof(*idx));
	free(texts);
	return nv + nbad;
}

/* ------------------------------------------------------------ validation */

/*
 * Row-level rules on one row. Returns 1 if an error rule failed; sets
 * *warn if a warn rule failed.
 */
static int check_row(struct engine *e, struct tally *ty,
		     const struct pm_station *s, int bad_id,
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
			fail = bad_id;
			break;
		case PM_RULE_TIME_RANGE: {
			int64_t t = (int64_t)row->hour * 3600;

			fail = row->hour != PM_HOUR_BAD &&
			       (t < rule->earliest ||
				(rule->max_future >= 0 &&
				 t > e->now + rule->max_future));
			break;
		}
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
		ty->r.rules[i].failed++;
		sample(&ty->r.rules[i], row);
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
static size_t validate(struct engine *e, struct tally *ty,
		       const struct pm_station *s,
		       uint32_t *list, size_t n)
{
	struct pm_clean_report *r = &ty->r;
	size_t i, out = 0;
	int bad_id = s->len == 0;

	if (!bad_id && e->has_id_re) {
		/* once per station: its id is the same on every row */
		char *id = pm_xmemdupz(s->id, s->len);

		bad_id = strlen(id) != s->len ||
			 regexec(&e->id_re, id, 0, NULL, 0) != 0;
		free(id);
	}
	for (i = 0; i < n; i++) {
		const struct pm_srow *row = &s->rows[list[i]];
		int warn, c;

		r->validated++;
		if (check_row(e, ty, s, bad_id, row, &warn)) {
			r->rejected++;
			continue;
		}
		r->accepted++;
		r->flagged += warn;
		for (c = 0; c < PM_NMEASURES; c++)
			ty->miss[c] += !(row->mask & (1u << c));
		list[out++] = list[i] | (warn ? WARN_BIT : 0);
	}
	return out;
}

/* ------------------------------------------------------------ grid */

/*
 * Fill each run of at most max_gap missing values in x[0..n) that has a
 * value on both sides, with the workload's formula in its exact order.
 * Marks filled[] and returns how many were filled.
 */
static size_t fill_gaps(double *x, size_t n, int max_gap, uint8_t *filled)
{
	size_t i, j, k, done = 0;

	for (i = 0; i < n; i = j) {
		double a, b;
		size_t gap;

		if (!isnan(x[i])) {
			j = i + 1;
			continue;
		}
		for (j = i; j < n && isnan(x[j]); j++)
			;
		gap = j - i;
		if (i == 0 || j == n || gap > (size_t)max_gap)
			continue;
		a = x[i - 1];
		b = x[j];
		for (k = 1; k <= gap; k++) {
			x[i + k - 1] = (b - a) / (double)(gap + 1) * (double)k + a;
			filled[i + k - 1] = 1;
		}
		done += gap;
	}
	return done;
}

/* Copy value i of pool from into pool to, keeping its code. */
static void copy_code(struct pm_vpool *to, const struct pm_vpool *from,
		      size_t i)
{
	int32_t c = from->code[i];

	if ((c & 7) == 7) {
		pm_vpool_add(to, from->xv[(uint32_t)c >> 3]);
		return;
	}
	PM_ALLOC_GROW(to->code, to->nr + 1, to->alloc);
	to->code[to->nr++] = c;
}

/*
 * Lay the accepted rows acc[0..n) (hour order) on the station's grid.
 * Values keep their codes; only interpolated cells are encoded anew.
 */
/* Whether accepted row i follows a hole longer than the contract allows. */
static int hole(const struct pm_contract *c, const struct pm_station *s,
		const uint32_t *acc, size_t i)
{
	uint32_t a = s->rows[acc[i - 1] & ~WARN_BIT].hour,
		 b = s->rows[acc[i] & ~WARN_BIT].hour;

	return c->max_hole > 0 && b - a - 1 > (uint32_t)c->max_hole;
}

static void build_grid(struct engine *e, struct tally *ty,
		       struct pm_station *s, const uint32_t *acc, size_t n)
{
	const struct pm_contract *c = e->c;
	struct pm_sgrid *g = &s->grid;
	struct pm_clean_report *r = &ty->r;
	double *series[PM_NMEASURES] = { NULL };
	uint8_t *filled[PM_NMEASURES] = { NULL };
	uint32_t *row_at, seg;
	size_t i, span;
	int64_t last;
	int col;

	/* runs of hours: a hole longer than max_hole starts a new one */
	g->first = s->rows[acc[0] & ~WARN_BIT].hour;
	g->nseg = 1;
	for (i = 1; i < n; i++)
		g->nseg += hole(c, s, acc, i);
	g->seg_first = pm_xmalloc(g->nseg * sizeof(*g->seg_first));
	g->seg_off = pm_xmalloc((g->nseg + 1) * sizeof(*g->seg_off));
	g->seg_first[0] = g->first;
	g->seg_off[0] = 0;
	for (i = 1, seg = 0; i < n; i++)
		if (hole(c, s, acc, i)) {
			uint32_t prev = s->rows[acc[i - 1] & ~WARN_BIT].hour;

			g->seg_off[seg + 1] =
				g->seg_off[seg] + (prev - g->seg_first[seg]) + 1;
			seg++;
			g->seg_first[seg] = s->rows[acc[i] & ~WARN_BIT].hour;
		}
	g->seg_off[g->nseg] = g->seg_off[g->nseg - 1] +
			      (s->rows[acc[n - 1] & ~WARN_BIT].hour -
			       g->seg_first[g->nseg - 1]) +
			      1;
	span = g->seg_off[g->nseg];
	last = (int64_t)s->rows[acc[n - 1] & ~WARN_BIT].hour * 3600;
	if (r->newest == PM_TIME_NONE || last > r->newest)
		r->newest = last;
	r->stations++;
	r->grid_rows += span;
	r->rows_added += span - n;

	/* which accepted row sits at each grid row, UINT32_MAX for none */
	row_at = pm_xmalloc(span * sizeof(*row_at));
	for (i = 0; i < span; i++)
		row_at[i] = UINT32_MAX;
	for (i = 0, seg = 0; i < n; i++) {
		uint32_t h = s->rows[acc[i] & ~WARN_BIT].hour;

		while (seg + 1 < g->nseg && h >= g->seg_first[seg + 1])
			seg++;
		row_at[g->seg_off[seg] + (h - g->seg_first[seg])] = (uint32_t)i;
	}
	for (i = 0; i < span; i++) {
		const struct pm_srow *row =
			row_at[i] == UINT32_MAX ?
				NULL :
				&s->rows[acc[row_at[i]] & ~WARN_BIT];

		r->pm25_missing_before +=
			!row || !(row->mask & (1u << PM_COL_PM25));
	}
	for (col = 0; col < PM_NMEASURES; col++) {
		if (!(c->interp_cols & (1u << col)))
			continue;
		series[col] = pm_xmalloc(span * sizeof(double));
		filled[col] = pm_xcalloc(span, 1);
		for (i = 0; i < span; i++) {
			const struct pm_srow *row;
			double v[PM_NMEASURES];

			series[col][i] = NAN;
			if (row_at[i] == UINT32_MAX)
				continue;
			row = &s->rows[acc[row_at[i]] & ~WARN_BIT];
			if (!(row->mask & (1u << col)))
				continue;
			pm_vpool_unpack(&s->v, row->mask, row->voff, v);
			series[col][i] = v[col];
		}
		/* gaps are filled within a run, never across a hole */
		i = 0;
		for (seg = 0; seg < g->nseg; seg++)
			i += fill_gaps(series[col] + g->seg_off[seg],
				       g->seg_off[seg + 1] - g->seg_off[seg],
				       c->max_gap, filled[col] + g->seg_off[seg]);
		r->interpolated_cells += i;
		if (col == PM_COL_PM25)
			r->pm25_interpolated += i;
	}
	if (!e->keep_grids)
		goto out;

	g->span = (uint32_t)span;
	g->flags = pm_xmalloc(span);
	g->mask = pm_xmalloc(span * sizeof(*g->mask));
	for (i = 0; i < span; i++) {
		const struct pm_srow *row = NULL;
		size_t at = 0;
		uint16_t m = 0;

		g->flags[i] = PM_FLAG_ADDED;
		if (row_at[i] != UINT32_MAX) {
			uint32_t a = acc[row_at[i]];

			row = &s->rows[a & ~WARN_BIT];
			at = row->voff;
			g->flags[i] = (a & WARN_BIT) ? PM_FLAG_OUTLIER : 0;
		}
		for (col = 0; col < PM_NMEASURES; col++) {
			if (row && (row->mask & (1u << col))) {
				copy_code(&g->v, &s->v, at++);
				m |= (uint16_t)(1u << col);
			} else if (filled[col] && filled[col][i]) {
				pm_vpool_add(&g->v, series[col][i]);
				m |= (uint16_t)(1u << col);
				if (col == PM_COL_PM25)
					g->flags[i] |= PM_FLAG_INTERPOLATED;
			}
		}
		g->mask[i] = m;
	}
out:
	for (col = 0; col < PM_NMEASURES; col++) {
		free(series[col]);
		free(filled[col]);
	}
	free(row_at);
}

static void process_station(struct engine *e, struct tally *ty,
			    struct pm_station *s)
{
	uint32_t *idx = pm_xmalloc((s->nr + 1) * sizeof(*idx));
	uint32_t *list = pm_xmalloc((s->nr + 1) * sizeof(*list));
	size_t n;

	n = deduplicate(e, ty, s, idx, list);
	n = validate(e, ty, s, list, n);
	if (n)
		build_grid(e, ty, s, list, n);
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

/* Write the decimal digits of v at p; returns the new end. */
static char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

/*
 * Format value code c of pool v with the given decimals at p. A short
 * decimal (mantissa m, scale k <= decimals) prints as its own digits,
 * which is what printf("%.*f") gives for the nearest double; anything
 * else goes through pm_num_format on the double.
 */
static char *put_code(char *p, const struct pm_vpool *v, size_t i,
		      int decimals)
{
	int32_t c = v->code[i];
	int k = c & 7, n = 0, j;
	int64_t m;
	uint64_t um;
	char tmp[24];

	if (k == 7 || k > decimals || decimals > 9)
		return p + pm_num_format(p, 64, pm_vpool_get(v, i), decimals);
	m = (c - k) / 8;
	if (m < 0)
		*p++ = '-';
	um = (uint64_t)(m < 0 ? -m : m);
	/* the digits, last first, then the point goes k from the end */
	do {
		tmp[n++] = (char)('0' + um % 10);
		um /= 10;
	} while (um);
	while (n <= k)
		tmp[n++] = '0';
	for (j = n; j-- > k;)
		*p++ = tmp[j];
	if (decimals) {
		*p++ = '.';
		for (j = k; j-- > 0;)
			*p++ = tmp[j];
		for (j = k; j < decimals; j++)
			*p++ = '0';
	}
	return p;
}

/* Format the grid rows of s from cursor k up to (not including) hour end. */
static void format_rows(const struct pm_contract *c, const struct pm_station *s,
			struct pm_gcursor *k, uint32_t end, struct pm_buf *b)
{
	const struct pm_sgrid *g = &s->grid;
	size_t where[PM_NMEASURES];
	struct pm_buf quoted = PM_BUF_INIT;
	const char *id = s->id;
	size_t id_len = s->len;
	char ts[32];
	int64_t day = -1;

	/* an id that needs it is quoted (RFC 4180), once per station */
	if (memchr(s->id, ',', s->len) || memchr(s->id, '"', s->len) ||
	    memchr(s->id, '\n', s->len) || memchr(s->id, '\r', s->len)) {
		pm_csv_add_field(&quoted, s->id, s->len);
		id = quoted.buf;
		id_len = quoted.len;
	}
	for (; k->cur < g->span; k->cur++) {
		uint32_t hour = pm_grid_hour(g, k->cur, &k->seg);

		if (hour >= end)
			break;
		unsigned m = g->mask[k->cur];
		size_t i, at = k->curv;
		char *p;
		int col;

		if (hour / 24 != day) {
			day = hour / 24;
			pm_time_format((int64_t)hour * 3600, ts);
		}
		ts[11] = (char)('0' + hour % 24 / 10);
		ts[12] = (char)('0' + hour % 24 % 10);
		for (col = 0; col < PM_NMEASURES; col++)
			if (m & (1u << col))
				where[col] = at++;
		k->curv = at;
		pm_buf_grow(b, id_len + 32 + c->nr_out_cols * 66);
		p = b->buf + b->len;
		for (i = 0; i < c->nr_out_cols; i++) {
			col = c->out_cols[i];
			if (i)
				*p++ = ',';
			switch (col) {
			case PM_OUT_TIME:
				memcpy(p, ts, 20);
				p += 20;
				break;
			case PM_OUT_STATION:
				memcpy(p, id, id_len);
				p += id_len;
				break;
			case PM_OUT_FLAGS:
				p = put_u64(p, g->flags[k->cur]);
				break;
			case PM_OUT_INTERPOLATED:
				*p++ = (g->flags[k->cur] & PM_FLAG_INTERPOLATED) ?
					       '1' :
					       '0';
				break;
			default:
				if (!(m & (1u << col)))
					break;
				if (c->decimals >= 0)
					p = put_code(p, &g->v, where[col],
						     c->decimals);
				else
					p += pm_num_format_shortest(
						p, 64,
						pm_vpool_get(&g->v, where[col]));
			}
		}
		*p++ = '\n';
		pm_buf_setlen(b, (size_t)(p - b->buf));
	}
	pm_buf_release(&quoted);
}

static enum pm_err write_file(const char *path, const struct pm_buf *b,
			      struct pm_buf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = b->buf;
	size_t left = b->len;

	if (fd < 0)
		return pm_errno_fail(err, path);
	while (left) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = errno;

			close(fd);
			errno = n < 0 ? saved : ENOSPC;
			return pm_errno_fail(err, path);
		}
		p += n;
		left -= (size_t)n;
	}
	if (close(fd))
		return pm_errno_fail(err, path);
	return PM_OK;
}

/* Move cursor k of grid g to the first hour at or after hour h. */
static void seek(const struct pm_sgrid *g, struct pm_gcursor *k, uint32_t h)
{
	size_t target = g->span;
	uint32_t s;

	/* the first row at or after hour h */
	for (s = 0; s < g->nseg; s++) {
		uint32_t len = g->seg_off[s + 1] - g->seg_off[s];

		if (g->seg_first[s] + len - 1 >= h) {
			target = g->seg_off[s] +
				 (h > g->seg_first[s] ? h - g->seg_first[s] : 0);
			break;
		}
	}
	for (; k->cur < target; k->cur++)
		k->curv += (size_t)__builtin_popcount(g->mask[k->cur]);
}

struct day_writer {
	struct engine *e;
	size_t nst;
	const char *dir;   /* files go to DIR/<id>/, one directory per thread */
	int id;
	uint64_t from, to; /* days [from, to) */
	size_t files;
	struct pm_day_files mem; /* or here, with no dir */
	enum pm_err ret;
	struct pm_buf err;
};

/* Keep one day file (name, text) in d, taking text's bytes. */
static void keep_day(struct pm_day_files *d, const char *name,
		     struct pm_buf *text)
{
	if (d->nr == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 8;
		d->name = pm_xrealloc(d->name, d->alloc * sizeof(*d->name));
		d->text = pm_xrealloc(d->text, d->alloc * sizeof(*d->text));
	}
	snprintf(d->name[d->nr], sizeof(d->name[d->nr]), "%s", name);
	d->text[d->nr] = *text;
	d->nr++;
	pm_buf_init(text);
}

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
		w->files++;
		if (!w->dir) {
			pm_buf_setf(&path, "date=%s.csv", date);
			keep_day(&w->mem, path.buf, &text);
			continue;
		}
		pm_buf_setf(&path, "%s/%d/date=%s.csv", w->dir, w->id, date);
		w->ret = write_file(path.buf, &text, &w->err);
	}
	free(k);
	pm_buf_release(&text);
	pm_buf_release(&path);
	return NULL;
}

/* The first and last hour of every grid; lo > hi when there is none. */
static void day_span(const struct engine *e, size_t nst, uint32_t *lo,
		     uint32_t *hi)
{
	size_t i;

	*lo = UINT32_MAX;
	*hi = 0;
	for (i = 0; i < nst; i++) {
		const struct pm_sgrid *g = &e->st[i].grid;
		uint32_t seg = 0, end;

		if (!g->span)
			continue;
		end = pm_grid_hour(g, g->span - 1, &seg);
		*lo = g->first < *lo ? g->first : *lo;
		*hi = end > *hi ? end : *hi;
	}
}

/*
 * Two threads, each a range of days [lo, mid) and [mid, hi], into dir's
 * subfolders 0 and 1, or into memory (dir NULL). The first error.
 */
static enum pm_err run_writers(struct engine *e, struct day_writer *w,
			       size_t nst, const char *dir, uint32_t lo,
			       uint32_t hi, uint64_t mid, struct pm_buf *err)
{
	enum pm_err ret = PM_OK;
	pthread_t th;
	size_t i;
	int threaded;

	for (i = 0; i < 2; i++) {
		w[i].e = e;
		w[i].nst = nst;
		w[i].dir = dir;
		w[i].id = (int)i;
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
	return ret;
}

/* The days of both writers into o->days, in date order. */
static void keep_days(struct engine *e, struct day_writer *w)
{
	size_t i, k;

	for (i = 0; i < 2; i++) {
		for (k = 0; k < w[i].mem.nr; k++)
			keep_day(e->o->days, w[i].mem.name[k],
				 &w[i].mem.text[k]);
		pm_day_files_release(&w[i].mem);
	}
}

/*
 * One file per UTC day, written into a temporary directory inside
 * out_dir and renamed into place once every day is written; or, with
 * o->days, one text per day in memory.
 */
static enum pm_err write_days(struct engine *e, size_t nst, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, tmp = PM_BUF_INIT;
	struct day_writer w[2];
	uint32_t lo, hi;
	enum pm_err ret = PM_OK;
	uint64_t day, mid;
	size_t i;
	char date[16];

	memset(w, 0, sizeof(w));
	day_span(e, nst, &lo, &hi);
	mid = (lo / 24 + hi / 24 + 1) / 2;
	if (!e->o->out_dir) {
		if (lo <= hi)
			ret = run_writers(e, w, nst, NULL, lo, hi, mid, err);
		keep_days(e, w);
		goto out;
	}
	ret = pm_mkdir_p(e->o->out_dir, err);
	if (ret)
		goto out;
	pm_buf_addf(&tmp, "%s/.pm25-tmp-%ld", e->o->out_dir, (long)getpid());
	pm_remove_tree(tmp.buf);
	ret = pm_mkdir_p(tmp.buf, err);
	if (ret || lo > hi)
		goto out;
	for (i = 0; i < 2 && !ret; i++) {
		pm_buf_setf(&path, "%s/%zu", tmp.buf, i);
		ret = pm_mkdir_p(path.buf, err);
	}
	if (!ret)
		ret = run_writers(e, w, nst, tmp.buf, lo, hi, mid, err);
	for (day = lo / 24; !ret && day <= hi / 24; day++) {
		struct pm_buf to = PM_BUF_INIT;

		pm_date_format((int64_t)day * 86400, date);
		pm_buf_setf(&path, "%s/%d/date=%s.csv", tmp.buf,
			    day >= mid, date);
		pm_buf_addf(&to, "%s/date=%s.csv", e->o->out_dir, date);
		if (rename(path.buf, to.buf) && errno != ENOENT)
			ret = pm_errno_fail(err, to.buf);
		pm_buf_release(&to);
	}
out:
	for (i = 0; i < 2; i++) {
		pm_buf_release(&w[i].err);
		pm_day_files_release(&w[i].mem);
	}
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
		struct pm_gcursor k = { 0, 0, 0 };

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

/* ------------------------------------------------------------ threads */

struct station_range {
	struct engine *e;
	size_t from, to;
	struct tally ty;
};

static void *process_range(void *arg)
{
	struct station_range *sr = arg;
	size_t i;

	for (i = sr->from; i < sr->to; i++)
		process_station(sr->e, &sr->ty, &sr->e->st[i]);
	return NULL;
}

static void add_tally(struct engine *e, const struct tally *ty)
{
	struct pm_clean_report *r = e->r;
	const struct pm_clean_report *p = &ty->r;
	size_t i, k;

	r->exact_dups += p->exact_dups;
	r->key_dups += p->key_dups;
	r->validated += p->validated;
	r->accepted += p->accepted;
	r->rejected += p->rejected;
	r->flagged += p->flagged;
	r->stations += p->stations;
	r->grid_rows += p->grid_rows;
	r->rows_added += p->rows_added;
	r->pm25_missing_before += p->pm25_missing_before;
	r->pm25_interpolated += p->pm25_interpolated;
	r->interpolated_cells += p->interpolated_cells;
	if (p->newest != PM_TIME_NONE &&
	    (r->newest == PM_TIME_NONE || p->newest > r->newest))
		r->newest = p->newest;
	for (i = 0; i < PM_NMEASURES; i++)
		e->miss[i] += ty->miss[i];
	for (i = 0; i < r->nr_rules; i++) {
		struct pm_rule_result *to = &r->rules[i];
		const struct pm_rule_result *from = &p->rules[i];

		to->failed += from->failed;
		for (k = 0; k < from->nr_samples &&
			    to->nr_samples < PM_MAX_SAMPLES;
		     k++)
			to->samples[to->nr_samples++] = from->samples[k];
	}
}

/*
 * Process the stations in two runs of about equal row counts, one per
 * thread, and add their tallies in order.
 */
static void process_stations(struct engine *e, size_t nst)
{
	struct station_range part[2];
	size_t i, rows = 0, half = 0, cut = 0;
	pthread_t th;
	int threaded;

	for (i = 0; i < nst; i++)
		rows += e->st[i].nr;
	for (cut = 0; cut < nst && half < rows / 2; cut++)
		half += e->st[cut].nr;
	for (i = 0; i < 2; i++) {
		memset(&part[i], 0, sizeof(part[i]));
		part[i].e = e;
		part[i].from = i ? cut : 0;
		part[i].to = i ? nst : cut;
		part[i].ty.r.newest = PM_TIME_NONE;
		part[i].ty.r.nr_rules = e->c->nr_rules;
		part[i].ty.r.rules = pm_xcalloc(e->c->nr_rules + 1,
						sizeof(*part[i].ty.r.rules));
	}
	threaded = !pthread_create(&th, NULL, process_range, &part[1]);
	process_range(&part[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		process_range(&part[1]);
	for (i = 0; i < 2; i++) {
		add_tally(e, &part[i].ty);
		free(part[i].ty.r.rules);
	}
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
	struct filepack fp;
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

	memset(&p->fp, 0, sizeof(p->fp));
	p->fp.file = (uint16_t)f;
	pm_buf_init(&p->err);
	p->ret = pm_file_read(path, PM_MAX_BODY, &data, &p->err);
	if (!p->ret)
		p->ret = pm_csv_read(data.buf, data.len, path, &rd->co,
				     to_pack, &p->fp, &p->fp.k, &p->err);
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
	pm_clean_csv_opts(c, &rd.co);
	rd.co.station = e->o->station;
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
			ret = merge_pack(e, &p->fp, err);
		r->input_rows += p->fp.k.rows;
		r->markers += p->fp.k.markers;
		r->junk += p->fp.k.junk;
		r->met_zero += p->fp.k.met_zero;
		filepack_release(&p->fp);
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
		filepack_release(&rd.slot[f].fp);
		pm_buf_release(&rd.slot[f].err);
	}
	free(rd.slot);
	pthread_mutex_destroy(&rd.lock);
	pthread_cond_destroy(&rd.cond);
	return ret;
}

/*
 * The rows of o->table, taken as its CSV form (pm_table_write_csv())
 * would be read back: each value as its shortest text through the same
 * cell rules, so that markers, zeros and counts come out as they would
 * from the file, without the file.
 */
static enum pm_err read_table(struct engine *e, struct pm_buf *err)
{
	const struct pm_table *t = e->o->table;
	struct pm_csv_opts co = { 0 };
	struct pm_clean_report *r = e->r;
	struct filepack fp;
	struct pm_csv_row row;
	enum pm_err ret;
	size_t i;
	int c;

	memset(&fp, 0, sizeof(fp));
	memset(&row, 0, sizeof(row));
	pm_clean_csv_opts(e->c, &co);
	r->files = pm_xcalloc(2, sizeof(*r->files));
	r->files[0] = pm_xstrdup(e->o->table_origin ? e->o->table_origin :
						      "table");
	r->nr_files = 1;
	for (i = 0; i < t->nr; i++) {
		uint32_t s = t->station[i];

		row.station.ptr = t->stations.keys[s];
		row.station.len = t->stations.lens[s];
		row.time = t->time[i];
		row.time_text.ptr = "";
		row.time_text.len = 0;
		row.line = (uint32_t)(i + 2);
		row.present = 0;
		for (c = 0; c < PM_NMEASURES; c++) {
			char text[64];
			double v = t->col[c][i];
			struct pm_str f = { text, 0 };

			if (!isnan(v))
				f.len = (size_t)pm_num_format_shortest(
					text, sizeof(text), v);
			pm_csv_take_cell(&row, c, f, co.missing,
					 co.zero_missing, &fp.k);
		}
		fp.k.rows++;
		to_pack(&fp, &row);
	}
	ret = merge_pack(e, &fp, err);
	r->input_rows += fp.k.rows;
	r->markers += fp.k.markers;
	r->junk += fp.k.junk;
	r->met_zero += fp.k.met_zero;
	filepack_release(&fp);
	return ret;
}

void pm_day_files_release(struct pm_day_files *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		pm_buf_release(&d->text[i]);
	free(d->name);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

/* Decode a station's columns and hand them to the caller. */
static void hand_series(const struct pm_station *s,
			const struct pm_clean_opts *o)
{
	const struct pm_sgrid *g = &s->grid;
	double *col[PM_NMEASURES], v[PM_NMEASURES];
	size_t i, at = 0;
	uint32_t seg;
	int c;

	if (!g->span)
		return;
	for (c = 0; c < PM_NMEASURES; c++)
		col[c] = pm_xmalloc(g->span * sizeof(double));
	for (i = 0; i < g->span; i++) {
		pm_vpool_unpack(&g->v, g->mask[i], at, v);
		at += (size_t)__builtin_popcount(g->mask[i]);
		for (c = 0; c < PM_NMEASURES; c++)
			col[c][i] = v[c];
	}
	/* one call per run of hours: each is contiguous */
	for (seg = 0; seg < g->nseg; seg++) {
		const double *part[PM_NMEASURES];

		for (c = 0; c < PM_NMEASURES; c++)
			part[c] = col[c] + g->seg_off[seg];
		o->series(o->series_data, s->id, s->len, g->seg_first[seg],
			  g->seg_off[seg + 1] - g->seg_off[seg], part);
	}
	for (c = 0; c < PM_NMEASURES; c++)
		free(col[c]);
}

void pm_clean_csv_opts(const struct pm_contract *c, struct pm_csv_opts *co)
{
	co->missing = &c->missing;
	co->zero_missing = c->zero_missing;
	co->time_flags = c->strict_time ? PM_TIME_STRICT : 0;
	co->header = c->header;
	co->strict_fields = c->header != NULL;
}

enum pm_err pm_clean_run(const struct pm_clean_opts *o,
			 const char *const *inputs, size_t nr_inputs,
			 struct pm_clean_report *r, struct pm_buf *err)
{
	const struct pm_contract *c = o->contract;
	struct engine e;
	enum pm_err ret;
	size_t i, nst = 0;
	double t0 = pm_mono_s(), t1, t2;

	memset(&e, 0, sizeof(e));
	memset(r, 0, sizeof(*r));
	e.o = o;
	e.c = c;
	e.r = r;
	e.keep_grids = o->out_dir || o->days || o->out_file || o->series;
	e.unique_rule = SIZE_MAX;
	e.now = o->now == PM_TIME_NONE ? (int64_t)time(NULL) : o->now;
	if (c->station_pattern &&
	    !regcomp(&e.id_re, c->station_pattern, REG_EXTENDED | REG_NOSUB))
		e.has_id_re = 1;
	for (i = 0; i < c->nr_rules; i++)
		if (c->rules[i].kind == PM_RULE_UNIQUE)
			e.unique_rule = i;
	pm_strmap_init(&e.ids);
	pm_strmap_init(&e.bad_texts);
	r->newest = PM_TIME_NONE;
	r->nr_rules = c->nr_rules;
	r->rules = pm_xcalloc(c->nr_rules + 1, sizeof(*r->rules));

	if (o->table) {
		ret = read_table(&e, err);
	} else {
		ret = expand_inputs(inputs, nr_inputs, r, err);
		if (!ret)
			ret = read_inputs(&e, err);
	}
	if (ret)
		goto out;

	t1 = pm_mono_s();
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
	process_stations(&e, nst);
	r->pm25_missing_after = r->pm25_missing_before - r->pm25_interpolated;
	r->out_rows = e.keep_grids ? r->grid_rows : 0;
	r->score = r->input_rows ?
			   (double)r->accepted / (double)r->input_rows :
			   0;
	batch_rules(&e);
	r->passed = r->input_rows && r->score >= c->gate && !r->batch_failed;
	t2 = pm_mono_s();
	pm_log(PM_LOG_DEBUG, "clean", "dedup, validate, grid: %.3f s",
	       t2 - t1);
	if (o->out_dir || o->days)
		ret = write_days(&e, nst, err);
	else if (o->out_file)
		ret = write_single(&e, nst, err);
	for (i = 0; !ret && o->series && i < nst; i++)
		hand_series(&e.st[i], o);
	pm_log(PM_LOG_DEBUG, "clean", "write %zu rows: %.3f s", r->out_rows,
	       pm_mono_s() - t2);
out:
	for (i = 0; i < e.st_alloc && e.st; i++)
		pm_station_release(&e.st[i]);
	free(e.st);
	pm_strmap_release(&e.ids);
	pm_strmap_release(&e.bad_texts);
	if (e.has_id_re)
		regfree(&e.id_re);
	return ret;
}
