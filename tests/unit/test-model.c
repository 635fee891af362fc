/*
 * The model's fast fit (rolling sums, calendar buckets, two threads)
 * against a plain reference written here: every feature row built in
 * full, two-pass centred normal equations. Gaps, several stations and
 * the weather features included.
 */
#include "test.h"
#include "pm25/buf.h"
#include "pm25/model.h"

static uint64_t lcg = 12345;

static double noise(void)
{
	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(lcg >> 11) / 9007199254740992.0;
}

/* A station: a daily cycle, an AR(1) wander, gaps, and weather. */
static void add_station(struct pm_series_set *set, const char *id,
			uint32_t first, size_t span)
{
	double *p = malloc(span * sizeof(*p)), *w[PM_NWEATHER];
	double level = 30;
	size_t i;
	int q;

	for (q = 0; q < PM_NWEATHER; q++)
		w[q] = malloc(span * sizeof(double));
	for (i = 0; i < span; i++) {
		level = 0.9 * level + 3 + 10 * noise();
		p[i] = level + 8 * sin((double)(first + i) * 0.2618);
		w[0][i] = 25 + 5 * noise();
		w[1][i] = 60 + 30 * noise();
		w[2][i] = 4 * noise();
		if (i % 97 == 13 || (i > 400 && i < 430))
			p[i] = NAN; /* gaps break the runs */
		if (i % 53 == 7)
			w[1][i] = NAN;
	}
	pm_series_add(set, id, strlen(id), first, span, p,
		      (const double *const *)w);
	free(p);
	for (q = 0; q < PM_NWEATHER; q++)
		free(w[q]);
}

/* Every feature row of the set, in full: x[nf] then y; returns rows. */
static size_t rows_of(const struct pm_series_set *set, size_t nf,
		      double **out, uint32_t **hours)
{
	size_t s, i, n = 0, cap = 1024;

	*out = malloc(cap * (nf + 1) * sizeof(double));
	*hours = malloc(cap * sizeof(uint32_t));
	for (s = 0; s < set->nr; s++) {
		const struct pm_series *ser = &set->s[s];

		for (i = 24; i + 1 < ser->span; i++) {
			double *r, sum = 0;
			uint32_t t = ser->first + (uint32_t)i;
			unsigned h = (t + 7) % 24, dow = ((t + 7) / 24 + 3) % 7;
			size_t k, ok = 1;

			for (k = 0; k <= 24; k++)
				ok &= !isnan(ser->p[i - k]);
			ok &= !isnan(ser->p[i + 1]);
			for (k = PM_NFEATURES; k < nf; k++)
				ok &= !isnan(ser->w[k - PM_NFEATURES][i]);
			if (!ok)
				continue;
			if (n == cap) {
				cap *= 2;
				*out = realloc(*out, cap * (nf + 1) * sizeof(double));
				*hours = realloc(*hours, cap * sizeof(uint32_t));
			}
			r = *out + n * (nf + 1);
			(*hours)[n++] = t;
			for (k = 0; k < 24; k++)
				sum += ser->p[i - k];
			r[0] = ser->p[i];
			r[1] = ser->p[i - 1];
			r[2] = ser->p[i - 2];
			r[3] = ser->p[i - 3];
			r[4] = ser->p[i - 24];
			r[5] = sum / 24;
			r[6] = sin(((2 * M_PI) * h) / 24);
			r[7] = cos(((2 * M_PI) * h) / 24);
			for (k = 0; k < 6; k++)
				r[8 + k] = dow == k + 1;
			for (k = PM_NFEATURES; k < nf; k++)
				r[k] = ser->w[k - PM_NFEATURES][i];
			r[nf] = ser->p[i + 1];
		}
	}
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The reference fit: intercept and coefficients into b[0..nf]. */
static void reference(const struct pm_series_set *set, size_t nf,
		      double alpha, double *b, uint32_t *split)
{
	double *x, mean[PM_MAX_FEATURES + 1] = { 0 }, *a;
	uint32_t *hours, *sorted;
	size_t n = rows_of(set, nf, &x, &hours), i, j, k, d = 0, m = 0;

	sorted = malloc(n * sizeof(*sorted));
	memcpy(sorted, hours, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u32);
	for (i = 0; i < n; i++)
		if (!i || sorted[i] != sorted[i - 1])
			sorted[d++] = sorted[i];
	*split = sorted[4 * d / 5];
	for (i = 0; i < n; i++)
		if (hours[i] < *split) {
			m++;
			for (j = 0; j <= nf; j++)
				mean[j] += x[i * (nf + 1) + j];
		}
	for (j = 0; j <= nf; j++)
		mean[j] /= (double)m;
	a = calloc(nf * nf, sizeof(*a));
	for (j = 0; j < nf; j++)
		b[j + 1] = 0;
	for (i = 0; i < n; i++) {
		const double *r = x + i * (nf + 1);

		if (hours[i] >= *split)
			continue;
		for (j = 0; j < nf; j++) {
			for (k = 0; k < nf; k++)
				a[j * nf + k] += (r[j] - mean[j]) * (r[k] - mean[k]);
			b[j + 1] += (r[j] - mean[j]) * (r[nf] - mean[nf]);
		}
	}
	for (j = 0; j < nf; j++)
		a[j * nf + j] += alpha;
	PM_ASSERT(!pm_solve(a, b + 1, nf));
	b[0] = mean[nf];
	for (j = 0; j < nf; j++)
		b[0] -= b[j + 1] * mean[j];
	free(a);
	free(x);
	free(hours);
	free(sorted);
}

static void same_fit(int weather, double alpha)
{
	struct pm_series_set set = { 0 };
	struct pm_fit_opts o = { alpha, weather };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_fit f;
	double b[PM_MAX_FEATURES + 1];
	size_t nf = weather ? PM_MAX_FEATURES : PM_NFEATURES, j;
	uint32_t split;

	set.weather = 1;
	add_station(&set, "01t", 460000, 3000);
	add_station(&set, "02t", 460500, 2600);
	add_station(&set, "03t", 459900, 900);
	PM_ASSERT_EQ(pm_model_fit(&set, &o, &f, &err), PM_OK);
	reference(&set, nf, alpha, b, &split);
	PM_ASSERT_EQ(f.nfeat, nf);
	PM_ASSERT_EQ(f.test_start, split);
	PM_ASSERT(fabs(f.intercept - b[0]) <= 1e-9 * (1 + fabs(b[0])));
	for (j = 0; j < nf; j++)
		if (fabs(f.coef[j] - b[j + 1]) > 1e-9 * (1 + fabs(b[j + 1])))
			pm_test_fail(__FILE__, __LINE__, "%s: %.17g vs %.17g",
				     pm_feature_names[j], f.coef[j], b[j + 1]);
	PM_ASSERT(f.model.rmse > 0 && f.model.rmse < f.persistence.rmse * 2);
	pm_series_release(&set);
	pm_buf_release(&err);
}

TEST(model_fit_matches_reference)
{
	same_fit(0, 0);
}

TEST(model_ridge_and_weather_match_reference)
{
	same_fit(0, 25);
	same_fit(1, 0);
	same_fit(1, 3);
}

TEST(model_too_little_data)
{
	struct pm_series_set set = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_fit f;

	add_station(&set, "01t", 460000, 30);
	PM_ASSERT_EQ(pm_model_fit(&set, NULL, &f, &err), PM_ERR_DATA);
	PM_ASSERT(strstr(err.buf, "too few"));
	pm_buf_reset(&err);
	/* weather asked for, but the set kept none */
	{
		struct pm_fit_opts o = { 0, 1 };

		PM_ASSERT_EQ(pm_model_fit(&set, &o, &f, &err), PM_ERR_USAGE);
	}
	pm_series_release(&set);
	pm_buf_release(&err);
}
