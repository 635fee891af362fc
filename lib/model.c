/*
 * Features, split and least squares for the baseline model. Features are
 * computed on the fly from the cleaned series in every pass, so nothing
 * per row is stored. The fit accumulates the centred normal equations in
 * long double and solves them by Gaussian elimination with pivoting.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include <jansson.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/log.h"
#include "pm25/model.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"

const char *const pm_feature_names[PM_MAX_FEATURES] = {
	"pm25",	      "pm25_lag1", "pm25_lag2", "pm25_lag3", "pm25_lag24",
	"pm25_roll24", "hour_sin",  "hour_cos",  "dow_tue",   "dow_wed",
	"dow_thu",     "dow_fri",   "dow_sat",   "dow_sun",   "temp",
	"rh",	      "ws",
};

static double *copy_column(const double *v, size_t span)
{
	double *c = pm_xmalloc((span ? span : 1) * sizeof(*c));
	size_t i;

	if (v)
		memcpy(c, v, span * sizeof(*c));
	else
		for (i = 0; i < span; i++)
			c[i] = NAN;
	return c;
}

void pm_series_add(struct pm_series_set *set, const char *station,
		   size_t len, uint32_t first, size_t span, const double *p,
		   const double *const *w)
{
	struct pm_series *s;
	int q;

	PM_ALLOC_GROW(set->s, set->nr + 1, set->alloc);
	s = &set->s[set->nr++];
	memset(s, 0, sizeof(*s));
	s->station = pm_xmemdupz(station, len);
	s->first = first;
	s->span = span;
	s->p = copy_column(p, span);
	for (q = 0; set->weather && q < PM_NWEATHER; q++)
		s->w[q] = copy_column(w ? w[q] : NULL, span);
}

void pm_series_release(struct pm_series_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++) {
		int q;

		free(set->s[i].station);
		free(set->s[i].p);
		for (q = 0; q < PM_NWEATHER; q++)
			free(set->s[i].w[q]);
	}
	free(set->s);
	memset(set, 0, sizeof(*set));
}

/* sin and cos of 2 pi h / 24, computed as ((2 pi) h) / 24 */
static double hour_sin[24], hour_cos[24];

static void init_hours(void)
{
	int h;

	for (h = 0; h < 24; h++) {
		hour_sin[h] = sin(((2 * M_PI) * h) / 24);
		hour_cos[h] = cos(((2 * M_PI) * h) / 24);
	}
}

/*
 * The features x (nf of them) and target y of hour index i of s; 0 if a
 * feature or the target is missing.
 */
static int features(const struct pm_series *s, size_t i, size_t nf,
		    double *x, double *y)
{
	const double *p = s->p;
	uint32_t t = s->first + (uint32_t)i;
	unsigned hour = (t + 7) % 24, dow = ((t + 7) / 24 + 3) % 7, k;
	double sum = 0;

	if (i < 24 || i + 1 >= s->span)
		return 0;
	if (isnan(p[i]) || isnan(p[i - 1]) || isnan(p[i - 2]) ||
	    isnan(p[i - 3]) || isnan(p[i - 24]) || isnan(p[i + 1]))
		return 0;
	for (k = 0; k < 24; k++) {
		if (isnan(p[i - k]))
			return 0;
		sum += p[i - k];
	}
	x[0] = p[i];
	x[1] = p[i - 1];
	x[2] = p[i - 2];
	x[3] = p[i - 3];
	x[4] = p[i - 24];
	x[5] = sum / 24;
	x[6] = hour_sin[hour];
	x[7] = hour_cos[hour];
	for (k = 0; k < 6; k++)
		x[8 + k] = dow == k + 1 ? 1.0 : 0.0;
	for (k = 0; k + PM_NFEATURES < nf; k++) {
		if (!s->w[k] || isnan(s->w[k][i]))
			return 0;
		x[PM_NFEATURES + k] = s->w[k][i];
	}
	*y = p[i + 1];
	return 1;
}

int pm_solve(double *a, double *b, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++) {
		size_t piv = i;

		for (j = i + 1; j < n; j++)
			if (fabs(a[j * n + i]) > fabs(a[piv * n + i]))
				piv = j;
		if (fabs(a[piv * n + i]) < 1e-300)
			return -1;
		if (piv != i) {
			for (k = 0; k < n; k++) {
				double tmp = a[i * n + k];

				a[i * n + k] = a[piv * n + k];
				a[piv * n + k] = tmp;
			}
			{
				double tmp = b[i];

				b[i] = b[piv];
				b[piv] = tmp;
			}
		}
		for (j = i + 1; j < n; j++) {
			double f = a[j * n + i] / a[i * n + i];

			for (k = i; k < n; k++)
				a[j * n + k] -= f * a[i * n + k];
			b[j] -= f * b[i];
		}
	}
	for (i = n; i-- > 0;) {
		double v = b[i];

		for (k = i + 1; k < n; k++)
			v -= a[i * n + k] * b[k];
		b[i] = v / a[i * n + i];
	}
	return 0;
}

/* ------------------------------------------------------------ walking rows */

/*
 * A feature row needs 25 present hours ending at its own (the lags, the
 * 24-hour mean and lag 24) and the next hour (the target). A walker
 * keeps the length of the present run and its rolling 24-hour sum, so
 * each row costs O(1); the sum is recomputed every 4096 hours so that
 * rounding cannot pile up along a long run.
 */
/*
 * The continuous values of a row: pm25, lags 1 2 3 24, roll24, the
 * weather ones if used, and the target last (c[nc - 1]).
 */
#define NC (7 + PM_NWEATHER)
#define NB (24 * 7) /* hour-of-day x weekday buckets */

struct walker {
	const double *p;
	const double *w[PM_NWEATHER]; /* the weather columns in use */
	int nw, nc;
	size_t i, end; /* next hour to look at, and where to stop */
	size_t run;    /* present hours ending at i - 1 */
	double sum; /* of the last min(run, 24) of them */
	uint32_t first;
	double c[NC];
	unsigned bucket; /* weekday * 24 + hour of the row, Bangkok time */
};

/* The feature index of continuous value j (of nc). */
static int feature_of(int j)
{
	return j < 6 ? j : PM_NFEATURES + (j - 6);
}

/* The sum of the 24 values ending at p[0], oldest first. */
static double sum24(const double *p)
{
	double sum = 0;
	int k;

	for (k = 23; k >= 0; k--)
		sum += p[-k];
	return sum;
}

/*
 * Start at hour index from, with nw weather features; the run before it
 * is rebuilt. A series without its weather columns has no rows then.
 */
static void walk_init(struct walker *w, const struct pm_series *s,
		      size_t from, int nw)
{
	int q, missing = 0;

	memset(w, 0, sizeof(*w));
	w->p = s->p;
	w->nw = nw;
	w->nc = 7 + nw;
	for (q = 0; q < nw; q++) {
		w->w[q] = s->w[q];
		missing |= !s->w[q];
	}
	w->first = s->first;
	w->end = s->span ? s->span - 1 : 0; /* the last hour has no target */
	w->i = from > 25 ? from - 25 : 0;
	while (w->i < from && w->i < w->end) {
		double v = w->p[w->i++];

		if (isnan(v)) {
			w->run = 0;
			w->sum = 0;
			continue;
		}
		w->sum += v;
		if (++w->run > 24)
			w->sum -= w->p[w->i - 25];
	}
	if (missing)
		w->i = w->end; /* no weather, no rows */
}

/* Advance to the next feature row; its index, or SIZE_MAX at the end. */
static inline size_t walk_next(struct walker *w)
{
	const double *p = w->p;

	while (w->i < w->end) {
		size_t i = w->i++;
		double v = p[i];
		uint32_t t;
		int q;

		if (isnan(v)) {
			w->run = 0;
			w->sum = 0;
			continue;
		}
		w->sum += v;
		if (++w->run > 24)
			w->sum -= p[i - 24];
		if (w->run % 4096 == 0) /* now and then, shed the rounding */
			w->sum = sum24(p + i);
		if (w->run < 25 || isnan(p[i + 1]))
			continue;
		for (q = 0; q < w->nw; q++)
			if (isnan(w->c[6 + q] = w->w[q][i]))
				break;
		if (q < w->nw)
			continue;
		w->c[0] = v;
		w->c[1] = p[i - 1];
		w->c[2] = p[i - 2];
		w->c[3] = p[i - 3];
		w->c[4] = p[i - 24];
		w->c[5] = w->sum / 24;
		w->c[w->nc - 1] = p[i + 1];
		t = w->first + (uint32_t)i;
		w->bucket = (((t + 7) / 24 + 3) % 7) * 24 + (t + 7) % 24;
		return i;
	}
	return SIZE_MAX;
}

/* ------------------------------------------------------------ sums */

/*
 * What the normal equations need, kept small: the hour and weekday
 * features take one of 168 value sets, so per bucket counts and sums of
 * the continuous values carry every cross product with them; only the
 * continuous values need their own products. Totals are long double.
 */
struct sums {
	long double n[NB], s[NB][NC], cc[NC][NC];
	size_t rows;
};

/* Errors of the model and of persistence. */
struct errs {
	long double n, ys, yy, abs_m, sq_m, abs_p, sq_p;
};

/* A share of the series for one thread. */
struct part {
	const struct pm_series_set *set;
	size_t from, to;
	uint32_t split;	    /* first test hour */
	int nw;		    /* weather features in use */
	const double *base; /* scoring: per bucket intercept and calendar terms */
	const double *coef; /* scoring: per continuous value */
	struct sums *sums;  /* training: add the train rows here, or */
	struct errs errs;   /* scoring: the test rows' errors */
};

/* Add the train rows of s: each station sums in double, then to totals. */
static void add_train(const struct pm_series *s, uint32_t split, int nw,
		      struct sums *t)
{
	double n[NB] = { 0 }, sm[NB][NC] = { 0 }, cc[NC][NC] = { 0 };
	struct walker w;
	size_t i, rows = 0;
	int j, l, b, nc = 7 + nw;

	walk_init(&w, s, 0, nw);
	while ((i = walk_next(&w)) != SIZE_MAX && s->first + i < split) {
		const double *c = w.c;

		n[w.bucket]++;
		for (j = 0; j < nc; j++) {
			sm[w.bucket][j] += c[j];
			for (l = j; l < nc; l++)
				cc[j][l] += c[j] * c[l];
		}
		rows++;
	}
	for (b = 0; b < NB; b++) {
		if (!n[b])
			continue;
		t->n[b] += n[b];
		for (j = 0; j < nc; j++)
			t->s[b][j] += sm[b][j];
	}
	for (j = 0; j < nc; j++)
		for (l = j; l < nc; l++)
			t->cc[j][l] += cc[j][l];
	t->rows += rows;
}

/* Add the errors of the test rows of s. */
static void add_test(const struct pm_series *s, const struct part *pt,
		     struct errs *e)
{
	struct walker w;
	size_t i;
	int j;

	walk_init(&w, s, pt->split > s->first ? pt->split - s->first : 0,
		  pt->nw);
	while ((i = walk_next(&w)) != SIZE_MAX) {
		long double pred = pt->base[w.bucket], d, y = w.c[w.nc - 1];

		for (j = 0; j < w.nc - 1; j++)
			pred += (long double)pt->coef[j] * w.c[j];
		e->n++;
		e->ys += y;
		e->yy += y * y;
		d = y - pred;
		e->abs_m += fabsl(d);
		e->sq_m += d * d;
		d = y - w.c[0];
		e->abs_p += fabsl(d);
		e->sq_p += d * d;
	}
}

static void *run_part(void *arg)
{
	struct part *pt = arg;
	size_t s;

	for (s = pt->from; s < pt->to; s++) {
		if (pt->sums)
			add_train(&pt->set->s[s], pt->split, pt->nw,
				  pt->sums);
		else
			add_test(&pt->set->s[s], pt, &pt->errs);
	}
	return NULL;
}

/*
 * Run two parts, split by hours, on two threads (or one, if a thread
 * cannot start); the results are the same either way.
 */
static void run_parts(struct part *pt)
{
	const struct pm_series_set *set = pt[0].set;
	size_t total = 0, acc = 0, s;
	pthread_t th;
	int threaded;

	for (s = 0; s < set->nr; s++)
		total += set->s[s].span;
	for (s = 0; s < set->nr && acc < total / 2; s++)
		acc += set->s[s].span;
	pt[0].from = 0;
	pt[0].to = pt[1].from = s;
	pt[1].to = set->nr;
	threaded = !pthread_create(&th, NULL, run_part, &pt[1]);
	run_part(&pt[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		run_part(&pt[1]);
}

/* The calendar feature m (0 sin, 1 cos, 2.. weekdays) of bucket b. */
static double calendar(int b, int m)
{
	int hour = b % 24, dow = b / 24;

	if (m == 0)
		return hour_sin[hour];
	if (m == 1)
		return hour_cos[hour];
	return dow == m - 1 ? 1.0 : 0.0;
}

/* Add v to the upper-triangle cell of features a and b. */
static void add_xx(long double *xx, int nf, int a, int b, long double v)
{
	if (a <= b)
		xx[a * nf + b] += v;
	else
		xx[b * nf + a] += v;
}

/*
 * Raw sums of the nf features (xs), of the target (ys), and of their
 * products (xx, upper triangle, and xy), in feature order, from sums
 * over nc continuous values (the target last).
 */
static void normal_sums(const struct sums *t, int nf, int nc, long double *xs,
			long double *ys, long double *xx, long double *xy)
{
	const int y = nc - 1;
	int b, j, l, m;

	memset(xs, 0, (size_t)nf * sizeof(*xs));
	memset(xx, 0, (size_t)nf * (size_t)nf * sizeof(*xx));
	memset(xy, 0, (size_t)nf * sizeof(*xy));
	*ys = 0;
	for (j = 0; j < y; j++) {
		for (l = j; l < y; l++)
			add_xx(xx, nf, feature_of(j), feature_of(l),
			       t->cc[j][l]);
		xy[feature_of(j)] = t->cc[j][y];
	}
	for (b = 0; b < NB; b++) {
		if (!t->n[b])
			continue;
		*ys += t->s[b][y];
		for (j = 0; j < y; j++)
			xs[feature_of(j)] += t->s[b][j];
		for (m = 0; m < 8; m++) {
			long double g = calendar(b, m);

			if (!g)
				continue;
			xs[6 + m] += g * t->n[b];
			xy[6 + m] += g * t->s[b][y];
			for (j = 0; j < y; j++)
				add_xx(xx, nf, feature_of(j), 6 + m,
				       g * t->s[b][j]);
			for (l = m; l < 8; l++)
				add_xx(xx, nf, 6 + m, 6 + l,
				       g * calendar(b, l) * t->n[b]);
		}
	}
}

/*
 * MAE, RMSE and R2 of the model f (f->nfeat features) and of persistence
 * on the test rows that have nw weather values too.
 */
static void metrics(const struct pm_series_set *set, struct pm_fit *f, int nw)
{
	struct part pt[2];
	double base[NB], coef[NC];
	struct errs e;
	long double sst;
	int b, m, j;

	for (b = 0; b < NB; b++) {
		long double v = f->intercept;

		for (m = 0; m < 8; m++)
			v += (long double)f->coef[6 + m] * calendar(b, m);
		base[b] = (double)v;
	}
	for (j = 0; j < 6 + nw; j++)
		coef[j] = (size_t)feature_of(j) < f->nfeat ?
				  f->coef[feature_of(j)] :
				  0;
	memset(pt, 0, sizeof(pt));
	pt[0].set = pt[1].set = set;
	pt[0].split = pt[1].split = f->test_start;
	pt[0].nw = pt[1].nw = nw;
	pt[0].base = pt[1].base = base;
	pt[0].coef = pt[1].coef = coef;
	run_parts(pt);
	e = pt[0].errs;
	e.n += pt[1].errs.n;
	e.ys += pt[1].errs.ys;
	e.yy += pt[1].errs.yy;
	e.abs_m += pt[1].errs.abs_m;
	e.sq_m += pt[1].errs.sq_m;
	e.abs_p += pt[1].errs.abs_p;
	e.sq_p += pt[1].errs.sq_p;
	sst = e.yy - e.ys * e.ys / e.n;
	f->model.mae = (double)(e.abs_m / e.n);
	f->model.rmse = sqrt((double)(e.sq_m / e.n));
	f->model.r2 = (double)(1 - e.sq_m / sst);
	f->persistence.mae = (double)(e.abs_p / e.n);
	f->persistence.rmse = sqrt((double)(e.sq_p / e.n));
	f->persistence.r2 = (double)(1 - e.sq_p / sst);
}

/*
 * Count the feature rows and their distinct hours, and find the first
 * test hour: the hour after the first floor(4n/5) distinct ones.
 */
static enum pm_err split_hours(const struct pm_series_set *set, int nw,
			       struct pm_fit *f, struct pm_buf *err)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	uint64_t *map;
	size_t s, i, k, words, seen;
	struct walker w;

	for (s = 0; s < set->nr; s++) {
		if (!set->s[s].span)
			continue;
		lo = set->s[s].first < lo ? set->s[s].first : lo;
		if (set->s[s].first + set->s[s].span - 1 > hi)
			hi = set->s[s].first + (uint32_t)set->s[s].span - 1;
	}
	if (lo > hi)
		return pm_errf(err, PM_ERR_DATA, "no data to build features from");
	words = (size_t)(hi - lo) / 64 + 1;
	map = pm_xcalloc(words, sizeof(*map));
	for (s = 0; s < set->nr; s++) {
		walk_init(&w, &set->s[s], 0, nw);
		while ((i = walk_next(&w)) != SIZE_MAX) {
			size_t bit = set->s[s].first + i - lo;

			f->rows++;
			map[bit / 64] |= 1ull << (bit % 64);
		}
	}
	for (k = 0; k < words; k++)
		f->distinct_hours += (size_t)__builtin_popcountll(map[k]);
	f->train_hours = 4 * f->distinct_hours / 5;
	for (k = 0, seen = 0; k < words * 64; k++)
		if (((map[k / 64] >> (k % 64)) & 1) &&
		    seen++ == f->train_hours) {
			f->test_start = lo + (uint32_t)k;
			break;
		}
	free(map);
	if (f->train_hours == 0 || f->train_hours == f->distinct_hours)
		return pm_errf(err, PM_ERR_DATA,
			       "%zu distinct feature hours are too few to "
			       "split into train and test",
			       f->distinct_hours);
	return PM_OK;
}

enum pm_err pm_model_fit(const struct pm_series_set *set,
			 const struct pm_fit_opts *o, struct pm_fit *f,
			 struct pm_buf *err)
{
	enum { MF = PM_MAX_FEATURES };
	long double xs[MF], ys, xx[MF * MF], xy[MF];
	double a[MF * MF], b[MF], xm[MF], ym;
	struct sums *t = pm_xcalloc(2, sizeof(*t));
	struct part pt[2];
	double t0 = pm_mono_s(), t1, t2;
	enum pm_err ret;
	size_t n;
	int j, l, nw = o && o->weather ? PM_NWEATHER : 0, nc = 7 + nw, NF;

	memset(f, 0, sizeof(*f));
	init_hours();
	f->alpha = o ? o->alpha : 0;
	f->nfeat = (size_t)(NF = PM_NFEATURES + nw);
	if (nw && (!set->nr || !set->s[0].w[0])) {
		ret = pm_errf(err, PM_ERR_USAGE,
			      "weather features need the weather columns");
		goto out;
	}
	ret = split_hours(set, nw, f, err);
	if (ret)
		goto out;
	t1 = pm_mono_s();
	pm_log(PM_LOG_DEBUG, "model", "split %zu feature rows: %.3f s",
	       f->rows, t1 - t0);
	memset(pt, 0, sizeof(pt));
	pt[0].set = pt[1].set = set;
	pt[0].split = pt[1].split = f->test_start;
	pt[0].nw = pt[1].nw = nw;
	pt[0].sums = &t[0];
	pt[1].sums = &t[1];
	run_parts(pt);
	for (j = 0; j < NB; j++) {
		t[0].n[j] += t[1].n[j];
		for (l = 0; l < NC; l++)
			t[0].s[j][l] += t[1].s[j][l];
	}
	for (j = 0; j < NC; j++)
		for (l = 0; l < NC; l++)
			t[0].cc[j][l] += t[1].cc[j][l];
	n = f->train_rows = t[0].rows + t[1].rows;
	f->test_rows = f->rows - n;
	if (n <= (size_t)NF) {
		ret = pm_errf(err, PM_ERR_DATA,
			      "the %zu training rows do not determine the "
			      "model (too few, or constant features)", n);
		goto out;
	}
	/* centre: S_xx - n mean mean' */
	normal_sums(&t[0], NF, nc, xs, &ys, xx, xy);
	for (j = 0; j < NF; j++) {
		xm[j] = (double)(xs[j] / n);
		xy[j] -= xs[j] * ys / n;
		for (l = j; l < NF; l++)
			xx[j * NF + l] -= xs[j] * xs[l] / n;
	}
	ym = (double)(ys / n);
	for (j = 0; j < NF; j++) {
		for (l = 0; l < NF; l++)
			a[j * NF + l] = (double)(l >= j ? xx[j * NF + l] :
							  xx[l * NF + j]);
		a[j * NF + j] += f->alpha;
		b[j] = (double)xy[j];
	}
	if (pm_solve(a, b, (size_t)NF)) {
		ret = pm_errf(err, PM_ERR_DATA,
			      "the %zu training rows do not determine the "
			      "model (too few, or constant features)", n);
		goto out;
	}
	f->intercept = ym;
	for (j = 0; j < NF; j++) {
		f->coef[j] = b[j];
		f->intercept -= b[j] * xm[j];
	}
	if (!f->test_rows) {
		ret = pm_errf(err, PM_ERR_DATA, "no test rows");
		goto out;
	}
	t2 = pm_mono_s();
	pm_log(PM_LOG_DEBUG, "model", "fit %zu train rows: %.3f s", n,
	       t2 - t1);
	metrics(set, f, nw);
	pm_log(PM_LOG_DEBUG, "model", "score %zu test rows: %.3f s",
	       f->test_rows, pm_mono_s() - t2);
out:
	free(t);
	return ret;
}

void pm_model_score(const struct pm_series_set *set, const struct pm_fit *f,
		    double intercept, const double *coef, size_t nfeat,
		    struct pm_metrics *m)
{
	struct pm_fit tmp = *f;
	int nw = (nfeat > f->nfeat ? nfeat : f->nfeat) > PM_NFEATURES ?
			 PM_NWEATHER :
			 0;

	init_hours();
	tmp.intercept = intercept;
	tmp.nfeat = nfeat;
	memcpy(tmp.coef, coef, nfeat * sizeof(*coef));
	metrics(set, &tmp, nw);
	*m = tmp.model;
}

enum pm_err pm_model_forecast(const struct pm_series *s, double intercept,
			      const double *coef, size_t nfeat, size_t hours,
			      double *out, struct pm_buf *err)
{
	struct pm_series ext = *s;
	double x[PM_MAX_FEATURES], y;
	size_t k, i;
	int j, q, nw = nfeat > PM_NFEATURES ? PM_NWEATHER : 0;
	enum pm_err ret = PM_OK;

	init_hours();
	for (q = 0; q < nw; q++)
		if (!s->span || !s->w[q] || isnan(s->w[q][s->span - 1]))
			return pm_errf(err, PM_ERR_DATA,
				       "station %s has no %s in its last hour; "
				       "the model needs it",
				       s->station,
				       pm_feature_names[PM_NFEATURES + q]);
	if (s->span < 25)
		return pm_errf(err, PM_ERR_DATA,
			       "station %s has %zu hours; a forecast needs "
			       "the last 25",
			       s->station, s->span);
	for (i = s->span - 25; i < s->span; i++)
		if (isnan(s->p[i]))
			return pm_errf(err, PM_ERR_DATA,
				       "station %s misses hours among its last "
				       "25; no forecast",
				       s->station);
	ext.p = pm_xmalloc((s->span + hours + 1) * sizeof(*ext.p));
	memcpy(ext.p, s->p, s->span * sizeof(*ext.p));
	for (q = 0; q < nw; q++) {
		/* the weather ahead is unknown: the last hour's is held */
		ext.w[q] = pm_xmalloc((s->span + hours + 1) * sizeof(double));
		memcpy(ext.w[q], s->w[q], s->span * sizeof(double));
		for (i = s->span; i < s->span + hours + 1; i++)
			ext.w[q][i] = s->w[q][s->span - 1];
	}
	for (k = 0; k < hours; k++) {
		/* features of the last known hour need a "target" slot */
		ext.span = s->span + k + 1;
		ext.p[ext.span - 1] = 0;
		features(&ext, ext.span - 2, nfeat, x, &y);
		y = intercept;
		for (j = 0; j < (int)nfeat; j++)
			y += coef[j] * x[j];
		ext.p[ext.span - 1] = y;
		out[k] = y;
	}
	free(ext.p);
	for (q = 0; q < nw; q++)
		free(ext.w[q]);
	return ret;
}

void pm_model_metrics_json(struct pm_buf *b, const char *name,
			 const struct pm_metrics *m)
{
	pm_buf_addf(b, "\"%s\": {\"mae\": ", name);
	pm_buf_add_json_num(b, m->mae);
	pm_buf_addstr(b, ", \"rmse\": ");
	pm_buf_add_json_num(b, m->rmse);
	pm_buf_addstr(b, ", \"r2\": ");
	pm_buf_add_json_num(b, m->r2);
	pm_buf_addch(b, '}');
}

/* The artefact: everything needed to use and trace the model. */
void pm_model_artefact(struct pm_buf *b, const struct pm_fit *f,
		     const struct pm_series_set *set, const char *data_commit,
		     const char *run)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	char ts[32];
	size_t i;

	for (i = 0; i < set->nr; i++) {
		lo = set->s[i].first < lo ? set->s[i].first : lo;
		if (set->s[i].first + set->s[i].span - 1 > hi)
			hi = set->s[i].first + (uint32_t)set->s[i].span - 1;
	}
	pm_buf_addf(b, "{\n  \"model\": \"linreg_pm25\",\n  \"run\": \"%s\",\n"
		       "  \"pm25_version\": \"%s\",\n"
		       "  \"estimator\": \"%s\",\n  \"alpha\": ",
		    run, PM25_VERSION, f->alpha > 0 ? "ridge" : "ols");
	pm_buf_add_json_num(b, f->alpha);
	pm_buf_addstr(b, ",\n  \"features\": [");
	for (i = 0; i < f->nfeat; i++)
		pm_buf_addf(b, "%s\"%s\"", i ? ", " : "", pm_feature_names[i]);
	pm_buf_addstr(b, "],\n  \"intercept\": ");
	pm_buf_add_json_num(b, f->intercept);
	pm_buf_addstr(b, ",\n  \"coefficients\": {");
	for (i = 0; i < f->nfeat; i++) {
		pm_buf_addf(b, "%s\"%s\": ", i ? ", " : "",
			    pm_feature_names[i]);
		pm_buf_add_json_num(b, f->coef[i]);
	}
	pm_time_format((int64_t)lo * 3600, ts);
	pm_buf_addf(b, "},\n  \"training_window\": {\"from_utc\": \"%s\"", ts);
	pm_time_format((int64_t)f->test_start * 3600, ts);
	pm_buf_addf(b, ", \"test_start_utc\": \"%s\"", ts);
	pm_time_format((int64_t)hi * 3600, ts);
	pm_buf_addf(b, ", \"to_utc\": \"%s\"},\n  \"stations\": %zu,\n"
		       "  \"data_commit\": \"%s\",\n  \"rows\": {\"train\": %zu, "
		       "\"test\": %zu},\n  \"metrics\": {",
		    ts, set->nr, data_commit, f->train_rows, f->test_rows);
	pm_model_metrics_json(b, "model", &f->model);
	pm_buf_addstr(b, ", ");
	pm_model_metrics_json(b, "persistence", &f->persistence);
	pm_buf_addstr(b, "}\n}\n");
}

/* Read intercept and coefficients of an artefact. */
int pm_model_read(const char *text, size_t len, double *intercept,
		     double *coef, double *rmse)
{
	json_t *j = json_loadb(text, len, 0, NULL), *c;
	int i, ok = j != NULL, n = PM_NFEATURES;

	c = json_object_get(j, "coefficients");
	if (json_array_size(json_object_get(j, "features")) ==
	    PM_MAX_FEATURES)
		n = PM_MAX_FEATURES;
	*intercept = json_number_value(json_object_get(j, "intercept"));
	for (i = 0; ok && i < n; i++) {
		json_t *v = json_object_get(c, pm_feature_names[i]);

		ok = json_is_number(v);
		coef[i] = json_number_value(v);
	}
	if (rmse)
		*rmse = json_number_value(json_object_get(
			json_object_get(json_object_get(j, "metrics"), "model"),
			"rmse"));
	json_decref(j);
	return ok ? n : -1;
}

int pm_parse_alpha(const char *s, double *alpha)
{
	char *end;

	*alpha = 0;
	if (!s)
		return 0;
	errno = 0;
	*alpha = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(*alpha) || *alpha < 0)
		return -1;
	return 0;
}
