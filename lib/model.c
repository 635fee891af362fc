/*
 * Features, split and least squares for the baseline model. Features are
 * computed on the fly from the cleaned series in every pass, so nothing
 * per row is stored. The fit accumulates the centred normal equations in
 * long double and solves them by Gaussian elimination with pivoting.
 */
#include "compat.h"
#include <jansson.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/model.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"

const char *const pm_feature_names[PM_NFEATURES] = {
	"pm25",	      "pm25_lag1", "pm25_lag2", "pm25_lag3", "pm25_lag24",
	"pm25_roll24", "hour_sin",  "hour_cos",  "dow_tue",   "dow_wed",
	"dow_thu",     "dow_fri",   "dow_sat",   "dow_sun",
};

void pm_series_add(struct pm_series_set *set, const char *station,
		   size_t len, uint32_t first, size_t span, const double *p)
{
	struct pm_series *s;

	PM_ALLOC_GROW(set->s, set->nr + 1, set->alloc);
	s = &set->s[set->nr++];
	s->station = pm_xmemdupz(station, len);
	s->first = first;
	s->span = span;
	s->p = pm_xmalloc((span ? span : 1) * sizeof(*s->p));
	memcpy(s->p, p, span * sizeof(*s->p));
}

void pm_series_release(struct pm_series_set *set)
{
	size_t i;

	for (i = 0; i < set->nr; i++) {
		free(set->s[i].station);
		free(set->s[i].p);
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
 * The features x and target y of hour index i of s; 0 if a feature or
 * the target is missing.
 */
static int features(const struct pm_series *s, size_t i, double *x, double *y)
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

/* Which hours have a kept feature row: a bitmap over [lo, lo + bits). */
struct hours {
	uint32_t lo;
	size_t bits;
	uint64_t *map;
};

/* MAE, RMSE and R2 of the model and of persistence, in one pass. */
static void metrics(const struct pm_series_set *set, struct pm_fit *f)
{
	long double n = 0, ys = 0, yy = 0, abs_m = 0, sq_m = 0, abs_p = 0,
		    sq_p = 0, sst;
	double x[PM_NFEATURES], y;
	size_t s, i;

	for (s = 0; s < set->nr; s++) {
		const struct pm_series *ser = &set->s[s];
		size_t from = ser->first >= f->test_start ?
				      0 :
				      f->test_start - ser->first;

		for (i = from; i < ser->span; i++) {
			long double pred, d;
			int j;

			if (!features(ser, i, x, &y))
				continue;
			pred = f->intercept;
			for (j = 0; j < PM_NFEATURES; j++)
				pred += (long double)f->coef[j] * x[j];
			n++;
			ys += y;
			yy += (long double)y * y;
			d = y - pred;
			abs_m += fabsl(d);
			sq_m += d * d;
			d = (long double)y - x[0];
			abs_p += fabsl(d);
			sq_p += d * d;
		}
	}
	sst = yy - ys * ys / n;
	f->model.mae = (double)(abs_m / n);
	f->model.rmse = sqrt((double)(sq_m / n));
	f->model.r2 = (double)(1 - sq_m / sst);
	f->persistence.mae = (double)(abs_p / n);
	f->persistence.rmse = sqrt((double)(sq_p / n));
	f->persistence.r2 = (double)(1 - sq_p / sst);
}

enum pm_err pm_model_fit(const struct pm_series_set *set, struct pm_fit *f,
			 struct pm_buf *err)
{
	long double xs[PM_NFEATURES] = { 0 }, ys = 0;
	long double xx[PM_NFEATURES * PM_NFEATURES] = { 0 },
		    xy[PM_NFEATURES] = { 0 };
	double a[PM_NFEATURES * PM_NFEATURES], b[PM_NFEATURES];
	double x[PM_NFEATURES], y, xm[PM_NFEATURES], ym;
	struct hours h = { UINT32_MAX, 0, NULL };
	uint32_t hi = 0;
	size_t s, i, k, seen;
	int j, l;

	memset(f, 0, sizeof(*f));
	init_hours();
	for (s = 0; s < set->nr; s++) {
		if (!set->s[s].span)
			continue;
		h.lo = set->s[s].first < h.lo ? set->s[s].first : h.lo;
		if (set->s[s].first + set->s[s].span - 1 > hi)
			hi = set->s[s].first + (uint32_t)set->s[s].span - 1;
	}
	if (h.lo > hi)
		return pm_errf(err, PM_ERR_DATA, "no data to build features from");
	h.bits = (size_t)(hi - h.lo) + 1;
	h.map = pm_xcalloc(h.bits / 64 + 1, sizeof(*h.map));
	for (s = 0; s < set->nr; s++) {
		const struct pm_series *ser = &set->s[s];

		for (i = 0; i < ser->span; i++) {
			size_t bit;

			if (!features(ser, i, x, &y))
				continue;
			f->rows++;
			bit = ser->first + i - h.lo;
			h.map[bit / 64] |= 1ull << (bit % 64);
		}
	}
	for (k = 0; k < h.bits / 64 + 1; k++)
		f->distinct_hours += (size_t)__builtin_popcountll(h.map[k]);
	f->train_hours = 4 * f->distinct_hours / 5;
	if (f->train_hours == 0 || f->train_hours == f->distinct_hours) {
		free(h.map);
		return pm_errf(err, PM_ERR_DATA,
			       "%zu distinct feature hours are too few to "
			       "split into train and test",
			       f->distinct_hours);
	}
	for (k = 0, seen = 0; k < h.bits; k++)
		if ((h.map[k / 64] >> (k % 64)) & 1) {
			if (seen++ == f->train_hours) {
				f->test_start = h.lo + (uint32_t)k;
				break;
			}
		}
	free(h.map);

	/*
	 * One pass: sums and cross products of the train rows, centred
	 * afterwards (S_xx - n mean mean'). Each station sums in double and
	 * the totals add up in long double, which keeps the rounding well
	 * inside the 1e-6 the workload allows.
	 */
	for (s = 0; s < set->nr; s++) {
		const struct pm_series *ser = &set->s[s];
		/* per station in double, totals in long double */
		double cx[PM_NFEATURES] = { 0 }, cy = 0;
		double cxx[PM_NFEATURES * PM_NFEATURES] = { 0 },
		       cxy[PM_NFEATURES] = { 0 };

		for (i = 0; i < ser->span; i++) {
			if (!features(ser, i, x, &y))
				continue;
			if (ser->first + i >= f->test_start) {
				f->test_rows++;
				continue;
			}
			f->train_rows++;
			for (j = 0; j < PM_NFEATURES; j++) {
				cx[j] += x[j];
				for (l = j; l < PM_NFEATURES; l++)
					cxx[j * PM_NFEATURES + l] += x[j] * x[l];
				cxy[j] += x[j] * y;
			}
			cy += y;
		}
		for (j = 0; j < PM_NFEATURES; j++) {
			xs[j] += cx[j];
			xy[j] += cxy[j];
			for (l = j; l < PM_NFEATURES; l++)
				xx[j * PM_NFEATURES + l] +=
					cxx[j * PM_NFEATURES + l];
		}
		ys += cy;
	}
	if (f->train_rows <= PM_NFEATURES)
		return pm_errf(err, PM_ERR_DATA,
			       "the %zu training rows do not determine the "
			       "model (too few, or constant features)",
			       f->train_rows);
	for (j = 0; j < PM_NFEATURES; j++) {
		xm[j] = (double)(xs[j] / f->train_rows);
		xy[j] -= xs[j] * ys / f->train_rows;
		for (l = j; l < PM_NFEATURES; l++)
			xx[j * PM_NFEATURES + l] -=
				xs[j] * xs[l] / f->train_rows;
	}
	ym = (double)(ys / f->train_rows);
	for (j = 0; j < PM_NFEATURES; j++) {
		for (l = 0; l < PM_NFEATURES; l++)
			a[j * PM_NFEATURES + l] =
				(double)(l >= j ? xx[j * PM_NFEATURES + l] :
						  xx[l * PM_NFEATURES + j]);
		b[j] = (double)xy[j];
	}
	if (f->train_rows <= PM_NFEATURES || pm_solve(a, b, PM_NFEATURES))
		return pm_errf(err, PM_ERR_DATA,
			       "the %zu training rows do not determine the "
			       "model (too few, or constant features)",
			       f->train_rows);
	f->intercept = ym;
	for (j = 0; j < PM_NFEATURES; j++) {
		f->coef[j] = b[j];
		f->intercept -= b[j] * xm[j];
	}
	if (!f->test_rows)
		return pm_errf(err, PM_ERR_DATA, "no test rows");
	metrics(set, f);
	return PM_OK;
}

void pm_model_score(const struct pm_series_set *set, const struct pm_fit *f,
		    double intercept, const double *coef,
		    struct pm_metrics *m)
{
	struct pm_fit tmp = *f;

	init_hours();
	tmp.intercept = intercept;
	memcpy(tmp.coef, coef, sizeof(tmp.coef));
	metrics(set, &tmp);
	*m = tmp.model;
}

enum pm_err pm_model_forecast(const struct pm_series *s, double intercept,
			      const double *coef, size_t hours, double *out,
			      struct pm_buf *err)
{
	struct pm_series ext = *s;
	double x[PM_NFEATURES], y;
	size_t k, i;
	int j;

	init_hours();
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
	for (k = 0; k < hours; k++) {
		/* features of the last known hour need a "target" slot */
		ext.span = s->span + k + 1;
		ext.p[ext.span - 1] = 0;
		features(&ext, ext.span - 2, x, &y);
		y = intercept;
		for (j = 0; j < PM_NFEATURES; j++)
			y += coef[j] * x[j];
		ext.p[ext.span - 1] = y;
		out[k] = y;
	}
	free(ext.p);
	return PM_OK;
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
		       "  \"pm25_version\": \"%s\",\n  \"features\": [",
		    run, PM25_VERSION);
	for (i = 0; i < PM_NFEATURES; i++)
		pm_buf_addf(b, "%s\"%s\"", i ? ", " : "", pm_feature_names[i]);
	pm_buf_addstr(b, "],\n  \"intercept\": ");
	pm_buf_add_json_num(b, f->intercept);
	pm_buf_addstr(b, ",\n  \"coefficients\": {");
	for (i = 0; i < PM_NFEATURES; i++) {
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
	int i, ok = j != NULL;

	c = json_object_get(j, "coefficients");
	*intercept = json_number_value(json_object_get(j, "intercept"));
	for (i = 0; ok && i < PM_NFEATURES; i++) {
		json_t *v = json_object_get(c, pm_feature_names[i]);

		ok = json_is_number(v);
		coef[i] = json_number_value(v);
	}
	if (rmse)
		*rmse = json_number_value(json_object_get(
			json_object_get(json_object_get(j, "metrics"), "model"),
			"rmse"));
	json_decref(j);
	return ok ? 0 : -1;
}

