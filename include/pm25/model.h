/*
 * The baseline PM2.5 model: the features of the backfill workload
 * (lags, a 24-hour mean, hour of day, weekday), optionally the hour's
 * weather (temperature, humidity, wind speed), a global time split and
 * ordinary least squares or ridge, with persistence as the baseline.
 */
#ifndef PM25_MODEL_H
#define PM25_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;

#define PM_NFEATURES 14 /* the workload's */
#define PM_NWEATHER 3	/* temp, rh, ws of the hour, when asked for */
#define PM_MAX_FEATURES (PM_NFEATURES + PM_NWEATHER)

/* Feature names, in coefficient order; the weather ones come last. */
extern const char *const pm_feature_names[PM_MAX_FEATURES];

/* One station's hourly PM2.5 after cleaning (NaN for missing). */
struct pm_series {
	char *station;	/* owned */
	uint32_t first; /* UTC hours since epoch of p[0] */
	size_t span;
	double *p; /* owned */
	double *w[PM_NWEATHER]; /* owned: temp, rh, ws; NULL if not kept */
};

struct pm_series_set {
	struct pm_series *s;
	size_t nr, alloc;
	int weather; /* set before adding: keep the weather columns */
};

/*
 * Copy a series into the set (borrowed): p is PM2.5, w the weather
 * columns (temp, rh, ws; NULL, or entries NULL, when there are none).
 */
void pm_series_add(struct pm_series_set *set, const char *station,
		   size_t len, uint32_t first, size_t span, const double *p,
		   const double *const *w);
void pm_series_release(struct pm_series_set *set);

struct pm_metrics {
	double mae, rmse, r2;
};

/* How to fit: alpha > 0 is ridge (the intercept is not penalised). */
struct pm_fit_opts {
	double alpha;
	int weather; /* add the weather features (the set must keep them) */
};

struct pm_fit {
	double alpha; /* 0: ordinary least squares */
	size_t nfeat; /* PM_NFEATURES, or PM_MAX_FEATURES with weather */
	size_t rows, distinct_hours, train_hours, train_rows, test_rows;
	uint32_t test_start; /* UTC hour */
	double intercept;
	double coef[PM_MAX_FEATURES];
	struct pm_metrics model, persistence;
};

/*
 * Build the features of every series, split by time (the first
 * floor(4n/5) distinct hours train), fit OLS with an intercept and score
 * model and persistence on the test hours. o may be NULL (OLS).
 * PM_ERR_DATA when there are too few hours or rows for a fit. Uses two
 * threads; the result does not depend on whether the second one starts.
 */
enum pm_err pm_model_fit(const struct pm_series_set *set,
			 const struct pm_fit_opts *o, struct pm_fit *out,
			 struct pm_buf *err);

/*
 * Score coefficients (intercept, coef; nfeat of them) on the test hours
 * of f (rows at or after f->test_start) of set, into m: on the rows that
 * have the features of both f (f->nfeat) and the model scored.
 */
void pm_model_score(const struct pm_series_set *set, const struct pm_fit *f,
		    double intercept, const double *coef, size_t nfeat,
		    struct pm_metrics *m);

/*
 * Forecast the next hours of s with the fitted coefficients, feeding
 * each prediction back as the last observation. out[0..hours) get the
 * forecasts for s->first + s->span + k. With weather features (nfeat)
 * the last observed weather is held for the hours ahead. PM_ERR_DATA
 * when the last 25 hours of s are not all present.
 */
enum pm_err pm_model_forecast(const struct pm_series *s, double intercept,
			      const double *coef, size_t nfeat, size_t hours,
			      double *out, struct pm_buf *err);

/* Append "name": {"mae": .., "rmse": .., "r2": ..} to b. */
void pm_model_metrics_json(struct pm_buf *b, const char *name,
			   const struct pm_metrics *m);
/*
 * Append the model artefact as JSON: features, intercept, coefficients,
 * training window, stations, the data commit, rows, metrics, version.
 */
void pm_model_artefact(struct pm_buf *b, const struct pm_fit *f,
		       const struct pm_series_set *set, const char *data_commit,
		       const char *run);
/*
 * Read intercept, coefficients (coef holds PM_MAX_FEATURES) and test
 * RMSE (rmse may be NULL); the number of features, or -1.
 */
int pm_model_read(const char *text, size_t len, double *intercept,
		  double *coef, double *rmse);

/* Solve the n x n system a x = b (a is destroyed); -1 if singular. */
int pm_solve(double *a, double *b, size_t n);

/* Parse a ridge penalty: NULL is 0 (OLS); -1 unless a finite number >= 0. */
int pm_parse_alpha(const char *s, double *alpha);

#endif
