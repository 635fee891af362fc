/*
 * The baseline PM2.5 model: the features of the backfill workload
 * (lags, a 24-hour mean, hour of day, weekday), a global time split and
 * ordinary least squares, with persistence as the baseline to beat.
 */
#ifndef PM25_MODEL_H
#define PM25_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;

#define PM_NFEATURES 14

/* Feature names, in coefficient order. */
extern const char *const pm_feature_names[PM_NFEATURES];

/* One station's hourly PM2.5 after cleaning (NaN for missing). */
struct pm_series {
	char *station;	/* owned */
	uint32_t first; /* UTC hours since epoch of p[0] */
	size_t span;
	double *p; /* owned */
};

struct pm_series_set {
	struct pm_series *s;
	size_t nr, alloc;
};

/* Copy a series into the set (p borrowed). */
void pm_series_add(struct pm_series_set *set, const char *station,
		   size_t len, uint32_t first, size_t span, const double *p);
void pm_series_release(struct pm_series_set *set);

struct pm_metrics {
	double mae, rmse, r2;
};

/* How to fit: alpha > 0 is ridge (the intercept is not penalised). */
struct pm_fit_opts {
	double alpha;
};

struct pm_fit {
	double alpha; /* 0: ordinary least squares */
	size_t rows, distinct_hours, train_hours, train_rows, test_rows;
	uint32_t test_start; /* UTC hour */
	double intercept;
	double coef[PM_NFEATURES];
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
 * Score coefficients (intercept, coef) on the test hours of f (rows at
 * or after f->test_start) of set, into m.
 */
void pm_model_score(const struct pm_series_set *set, const struct pm_fit *f,
		    double intercept, const double *coef,
		    struct pm_metrics *m);

/*
 * Forecast the next hours of s with the fitted coefficients, feeding
 * each prediction back as the last observation. out[0..hours) get the
 * forecasts for s->first + s->span + k. PM_ERR_DATA when the last 24
 * hours of s are not all present.
 */
enum pm_err pm_model_forecast(const struct pm_series *s, double intercept,
			      const double *coef, size_t hours, double *out,
			      struct pm_buf *err);

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
/* Read intercept, coefficients and test RMSE (rmse may be NULL). */
int pm_model_read(const char *text, size_t len, double *intercept,
		  double *coef, double *rmse);

/* Solve the n x n system a x = b (a is destroyed); -1 if singular. */
int pm_solve(double *a, double *b, size_t n);

#endif
