/*
 * What the champion model does with main's data (pm25/flow.h): its
 * evaluation on the latest split, and a forecast with the Thai AQI.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/aqi.h"
#include "pm25/buf.h"
#include "pm25/model.h"
#include "pm25/pipeline.h"
#include "pm25/store.h"
#include "pm25/timeutil.h"
#include "flow-int.h"

/* The champion's intercept, coefficients and number of features. */
static enum pm_err champion(struct pm_store *models, double *b0, double *b,
			    size_t *nfeat, struct pm_buf *err)
{
	struct pm_buf text = PM_BUF_INIT;
	enum pm_err e;
	int n = -1;

	e = pm_store_get(models, "main", PM_CHAMPION_PATH, &text, err);
	if (e == PM_ERR_NOTFOUND)
		pm_errf(err, e, "no champion model yet; run pm25 model train");
	else if (!e && (n = pm_model_read(text.buf, text.len, b0, b, NULL)) < 0)
		e = pm_errf(err, PM_ERR_PARSE,
			    PM_CHAMPION_PATH ": not a model artefact");
	*nfeat = n < 0 ? 0 : (size_t)n;
	pm_buf_release(&text);
	return e;
}

enum pm_err pm_champion_evaluate(struct pm_store *data, struct pm_store *models,
				 struct pm_champion_eval *out,
				 struct pm_buf *err)
{
	struct pm_series_set set = { 0 };
	double b0, b[PM_MAX_FEATURES];
	struct pm_fit_opts fo = { 0, 0 };
	struct pm_fit f;
	size_t nfeat;
	enum pm_err e;

	memset(out, 0, sizeof(*out));
	e = champion(models, &b0, b, &nfeat, err);
	if (e)
		return e;
	/* the split and persistence on the rows the champion can score */
	set.weather = fo.weather = nfeat > PM_NFEATURES;
	e = pm_data_series(data, "main", PM_TIME_NONE, PM_TIME_NONE, NULL, &set,
			   out->data_commit, err);
	if (!e)
		e = pm_model_fit(&set, &fo, &f, err);
	if (!e) {
		pm_model_score(&set, &f, b0, b, nfeat, &out->champion);
		out->persistence = f.persistence;
		out->test_rows = f.test_rows;
	}
	pm_series_release(&set);
	return e;
}

void pm_forecast_release(struct pm_forecast *f)
{
	free(f->time);
	free(f->pm25);
	free(f->aqi);
	memset(f, 0, sizeof(*f));
}

enum pm_err pm_champion_forecast(struct pm_store *data, struct pm_store *models,
				 const char *station, size_t hours,
				 struct pm_forecast *out, struct pm_buf *err)
{
	struct pm_series_set set = { 0 };
	double b0, b[PM_MAX_FEATURES], *window = NULL;
	struct pm_series *s;
	size_t nfeat, k;
	enum pm_err e;

	memset(out, 0, sizeof(*out));
	e = champion(models, &b0, b, &nfeat, err);
	if (e)
		return e;
	set.weather = nfeat > PM_NFEATURES;
	e = pm_data_series(data, "main", PM_TIME_NONE, PM_TIME_NONE, station,
			   &set, out->data_commit, err);
	if (e)
		goto out;
	s = &set.s[0];
	/* from the station's last value: hours it has no value yet end it */
	while (s->span && isnan(s->p[s->span - 1]))
		s->span--;
	snprintf(out->station, sizeof(out->station), "%s", s->station);
	out->pm25 = pm_xcalloc(hours + 1, sizeof(*out->pm25));
	out->time = pm_xcalloc(hours + 1, sizeof(*out->time));
	out->aqi = pm_xcalloc(hours + 1, sizeof(*out->aqi));
	e = pm_model_forecast(s, b0, b, nfeat, hours, out->pm25, err);
	if (e)
		goto out;
	out->n = hours;
	/* the Thai AQI of PM2.5 is the mean of the last 24 hours */
	window = pm_xcalloc(s->span + hours + 1, sizeof(*window));
	memcpy(window, s->p, s->span * sizeof(*window));
	memcpy(window + s->span, out->pm25, hours * sizeof(*window));
	for (k = 0; k < hours; k++) {
		size_t end = s->span + k, j;
		double sum = 0;
		int n = 0;

		for (j = end >= 23 ? end - 23 : 0; j <= end; j++)
			if (!isnan(window[j])) {
				sum += window[j];
				n++;
			}
		out->aqi[k] = n ? pm_aqi_thai(PM_POL_PM25, sum / n) : -1;
		out->time[k] = ((int64_t)s->first + (int64_t)end) * 3600;
	}
out:
	free(window);
	pm_series_release(&set);
	if (e)
		pm_forecast_release(out);
	return e;
}

void pm_forecast_json(struct pm_buf *b, const struct pm_forecast *f)
{
	char ts[32];
	size_t k;

	pm_buf_addstr(b, "[");
	for (k = 0; k < f->n; k++) {
		int cat = pm_aqi_thai_category(f->aqi[k]);

		pm_time_format(f->time[k], ts);
		pm_buf_addf(b, "%s\n {\"time_utc\": \"%s\", \"pm25\": ",
			    k ? "," : "", ts);
		pm_buf_add_json_num(b, f->pm25[k]);
		pm_buf_addf(b,
			    ", \"aqi\": %d, \"category\": \"%s\", "
			    "\"colour\": \"%s\"}",
			    f->aqi[k], pm_aqi_thai_name(cat),
			    pm_aqi_thai_colour(cat));
	}
	pm_buf_addstr(b, "\n]");
}

void pm_champion_eval_json(struct pm_buf *b, const struct pm_champion_eval *ev)
{
	pm_buf_addf(b, "{\"data_commit\": \"%s\", \"test_rows\": %zu, ",
		    ev->data_commit, ev->test_rows);
	pm_model_metrics_json(b, "champion", &ev->champion);
	pm_buf_addstr(b, ", ");
	pm_model_metrics_json(b, "persistence", &ev->persistence);
	pm_buf_addstr(b, "}");
}
