/*
 * pm25 model: train the baseline model on the data repository's main,
 * keep it in the model repository, and promote it only when it beats
 * the champion; evaluate, list, forecast and promote by hand.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/aqi.h"
#include "pm25/buf.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "pm25/model.h"
#include "pm25/pipeline.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"
#include "cmd.h"
#include "parse-options.h"


static const char *const model_usage[] = {
	"pm25 model train [--from D --to D] [--station IDS] [--alpha A] "
	"[--weather] [--json]",
	"pm25 model evaluate [--json]",
	"pm25 model predict --station ID [--hours N] [--json]",
	"pm25 model ls [--json]",
	"pm25 model promote BRANCH [--json]",
	NULL
};

static int train(struct pm_store *data, struct pm_store *models,
		 const char *from, const char *to, const char *stations,
		 const char *alpha, int weather, int json, struct pm_buf *err)
{
	struct pm_train_result r;
	struct pm_fit_opts fo = { 0, weather };
	int64_t d0, d1;
	enum pm_err e;

	if (cmd_parse_day(from, &d0) || cmd_parse_day(to, &d1))
		return cmd_usage_error("model", "--from/--to: not a date");
	if (pm_parse_alpha(alpha, &fo.alpha))
		return cmd_usage_error("model", "--alpha: not a number >= 0: "
						"'%s'", alpha);
	e = pm_flow_train(data, models, d0, d1, stations, &fo, &r, err);
	if (e)
		return cmd_fail("model", e, err->buf);
	{
		struct pm_buf b = PM_BUF_INIT;

		pm_train_summary(&r, fo.alpha, json, &b);
		fputs(b.buf, stdout);
		pm_buf_reset(&b);
		pm_train_event(&r, &b);
		fprintf(stderr, "%s\n", b.buf);
		pm_buf_release(&b);
	}
	return 0;
}

/* The champion's intercept, coefficients and number of features. */
static int load_champion(struct pm_store *models, double *b0, double *b,
			 size_t *nfeat, struct pm_buf *err)
{
	struct pm_buf text = PM_BUF_INIT;
	enum pm_err e = pm_store_get(models, "main", PM_CHAMPION_PATH, &text, err);
	int status = 0, n = -1;

	if (e == PM_ERR_NOTFOUND)
		status = cmd_fail("model", e,
				  "no champion model yet; run pm25 model train");
	else if (e)
		status = cmd_fail("model", e, err->buf);
	else if ((n = pm_model_read(text.buf, text.len, b0, b, NULL)) < 0)
		status = cmd_fail("model", PM_ERR_PARSE,
				  PM_CHAMPION_PATH ": not a model artefact");
	*nfeat = n < 0 ? 0 : (size_t)n;
	pm_buf_release(&text);
	return status;
}

static int predict(struct pm_store *data, struct pm_store *models,
		   const char *station, long hours, int json,
		   struct pm_buf *err)
{
	struct pm_series_set set = { 0 };
	double b0, b[PM_MAX_FEATURES], *fc = NULL, *window = NULL;
	char commit[PM_ID_MAX], ts[32];
	size_t nfeat;
	struct pm_buf out = PM_BUF_INIT;
	const struct pm_series *s;
	int status;
	enum pm_err e;
	long k;

	if (!station || strchr(station, ','))
		return cmd_usage_error("model", "predict needs one --station");
	if (hours < 1 || hours > 168)
		return cmd_usage_error("model", "--hours is 1 to 168");
	status = load_champion(models, &b0, b, &nfeat, err);
	if (status)
		return status;
	set.weather = nfeat > PM_NFEATURES;
	e = pm_data_series(data, "main", PM_TIME_NONE, PM_TIME_NONE, station,
			   &set, commit, err);
	if (e) {
		status = cmd_fail("model", e, err->buf);
		goto out;
	}
	s = &set.s[0];
	fc = calloc((size_t)hours, sizeof(*fc));
	e = pm_model_forecast(s, b0, b, nfeat, (size_t)hours, fc, err);
	if (e) {
		status = cmd_fail("model", e, err->buf);
		goto out;
	}
	/* the Thai AQI of PM2.5 is the mean of the last 24 hours */
	window = calloc(s->span + (size_t)hours, sizeof(*window));
	memcpy(window, s->p, s->span * sizeof(*window));
	memcpy(window + s->span, fc, (size_t)hours * sizeof(*window));
	if (json)
		pm_buf_addstr(&out, "[");
	else
		pm_buf_addf(&out, "forecast for %s from data %.12s\n"
				  "time_utc              pm25   aqi  category\n",
			    s->station, commit);
	for (k = 0; k < hours; k++) {
		size_t end = s->span + (size_t)k, j;
		double sum = 0;
		int n = 0, aqi, cat;

		for (j = end >= 23 ? end - 23 : 0; j <= end; j++)
			if (!isnan(window[j])) {
				sum += window[j];
				n++;
			}
		aqi = n ? pm_aqi_thai(PM_POL_PM25, sum / n) : -1;
		cat = pm_aqi_thai_category(aqi);
		pm_time_format(((int64_t)s->first + (int64_t)end) * 3600, ts);
		if (json) {
			pm_buf_addf(&out, "%s\n {\"time_utc\": \"%s\", \"pm25\": ",
				    k ? "," : "", ts);
			pm_buf_add_json_num(&out, fc[k]);
			pm_buf_addf(&out, ", \"aqi\": %d, \"category\": \"%s\", "
					  "\"colour\": \"%s\"}",
				    aqi, pm_aqi_thai_name(cat),
				    pm_aqi_thai_colour(cat));
		} else {
			pm_buf_addf(&out, "%s %6.1f %5d  %s\n", ts, fc[k], aqi,
				    pm_aqi_thai_name(cat));
		}
	}
	if (json)
		pm_buf_addstr(&out, "\n]\n");
	fputs(out.buf, stdout);
out:
	free(fc);
	free(window);
	pm_series_release(&set);
	pm_buf_release(&out);
	return status;
}

static int evaluate(struct pm_store *data, struct pm_store *models, int json,
		    struct pm_buf *err)
{
	struct pm_series_set set = { 0 };
	double b0, b[PM_MAX_FEATURES];
	struct pm_fit_opts fo = { 0, 0 };
	char commit[PM_ID_MAX];
	struct pm_metrics m;
	struct pm_fit f;
	size_t nfeat;
	int status;
	enum pm_err e;

	status = load_champion(models, &b0, b, &nfeat, err);
	if (status)
		return status;
	/* the split and persistence on the rows the champion can score */
	set.weather = fo.weather = nfeat > PM_NFEATURES;
	e = pm_data_series(data, "main", PM_TIME_NONE, PM_TIME_NONE, NULL, &set,
			   commit, err);
	if (!e)
		e = pm_model_fit(&set, &fo, &f, err);
	if (e) {
		status = cmd_fail("model", e, err->buf);
		goto out;
	}
	pm_model_score(&set, &f, b0, b, nfeat, &m);
	if (json) {
		struct pm_buf o = PM_BUF_INIT;

		pm_buf_addf(&o, "{\"data_commit\": \"%s\", \"test_rows\": %zu, ",
			    commit, f.test_rows);
		pm_model_metrics_json(&o, "champion", &m);
		pm_buf_addstr(&o, ", ");
		pm_model_metrics_json(&o, "persistence", &f.persistence);
		pm_buf_addstr(&o, "}\n");
		fputs(o.buf, stdout);
		pm_buf_release(&o);
	} else {
		printf("champion on data %.12s, %zu test rows: MAE %.4f RMSE "
		       "%.4f R2 %.4f\n",
		       commit, f.test_rows, m.mae, m.rmse, m.r2);
		printf("persistence:                          MAE %.4f RMSE "
		       "%.4f R2 %.4f\n",
		       f.persistence.mae, f.persistence.rmse, f.persistence.r2);
	}
out:
	pm_series_release(&set);
	return status;
}

static int model_exec(int argc, const char **argv)
{
	const char *from = NULL, *to = NULL, *station = NULL, *alpha = NULL;
	long hours = 24;
	int json = 0, weather = 0, status = PM_EXIT_OK, nr;
	struct option opts[] = {
		OPT_STRING_(0, "from", &from, "date", "train: first local date"),
		OPT_STRING_(0, "to", &to, "date", "train: last local date"),
		OPT_STRING_(0, "station", &station, "ids",
			    "stations (predict: exactly one)"),
		OPT_INT_(0, "hours", &hours, "n", "predict: hours ahead (24)"),
		OPT_STRING_(0, "alpha", &alpha, "a",
			    "train: ridge penalty (0, the default, is OLS)"),
		OPT_BOOL_(0, "weather", &weather,
			  "train: add temp, rh and ws of the hour"),
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct pm_store *data = NULL, *models = NULL;
	struct pm_buf err = PM_BUF_INIT;
	struct pm_home h;
	enum pm_err e;

	pm_home_locate(&h);
	nr = parse_options(argc, argv, opts, model_usage);
	if (!nr) {
		usage_with_options(model_usage, opts, 1);
		status = PM_EXIT_USAGE;
		goto out;
	}
	if (strcmp(argv[0], "train") && strcmp(argv[0], "evaluate") &&
	    strcmp(argv[0], "predict") && strcmp(argv[0], "ls") &&
	    strcmp(argv[0], "promote")) {
		status = cmd_usage_error("model", "unknown subcommand '%s'",
					 argv[0]);
		goto out;
	}
	e = pm_home_store(&h, "data", &data, &err);
	if (!e)
		e = pm_home_store(&h, "model", &models, &err);
	if (e) {
		status = cmd_fail("model", e, err.buf);
		goto out;
	}
	if (!strcmp(argv[0], "train")) {
		status = train(data, models, from, to, station, alpha, weather,
			       json, &err);
	} else if (!strcmp(argv[0], "predict")) {
		status = predict(data, models, station, hours, json, &err);
	} else if (!strcmp(argv[0], "evaluate")) {
		status = evaluate(data, models, json, &err);
	} else if (!strcmp(argv[0], "ls")) {
		struct pm_strv l = PM_STRV_INIT, b = PM_STRV_INIT;
		size_t i;

		pm_store_list(models, "main", "models/", &l, NULL);
		pm_store_branches(models, &b, NULL);
		if (json)
			printf("{\"main\": [");
		for (i = 0; i < l.nr; i++) {
			if (json)
				printf("%s\"%s\"", i ? ", " : "", l.v[i]);
			else
				printf("main %s\n", l.v[i]);
		}
		if (json)
			printf("], \"challengers\": [");
		for (i = 0, nr = 0; i < b.nr; i++) {
			if (!strcmp(b.v[i], "main"))
				continue;
			if (json)
				printf("%s\"%s\"", nr++ ? ", " : "", b.v[i]);
			else
				printf("challenger %s\n", b.v[i]);
		}
		if (json)
			printf("]}\n");
		pm_strv_release(&l);
		pm_strv_release(&b);
	} else if (nr != 2) {
		status = cmd_usage_error("model", "promote BRANCH");
	} else {
		struct pm_strv l = PM_STRV_INIT;
		struct pm_buf art = PM_BUF_INIT;
		char id[PM_ID_MAX];

		/* the branch's model becomes the champion */
		e = pm_store_list(models, argv[1], "models/linreg_pm25_", &l,
				  &err);
		if (!e && !l.nr)
			e = pm_errf(&err, PM_ERR_NOTFOUND,
				    "%s holds no model", argv[1]);
		if (!e)
			e = pm_store_get(models, argv[1], l.v[l.nr - 1], &art,
					 &err);
		if (!e)
			e = pm_store_put(models, argv[1], PM_CHAMPION_PATH, art.buf,
					 art.len, &err);
		if (!e)
			e = pm_store_commit(models, argv[1], "Promote by hand",
					    NULL, 0, id, &err);
		if (!e)
			e = pm_store_merge(models, argv[1], "main",
					   "Promote by hand", NULL, 0, id, &err);
		if (!e)
			pm_store_branch_delete(models, argv[1], NULL);
		if (e)
			status = cmd_fail("model", e, err.buf);
		else if (json)
			printf("{\"promoted\": \"%s\"}\n", l.v[l.nr - 1]);
		else
			printf("promoted %s from %s\n", l.v[l.nr - 1], argv[1]);
		pm_strv_release(&l);
		pm_buf_release(&art);
	}
out:
	pm_store_close(data);
	pm_store_close(models);
	pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_model = {
	.name = "model",
	.summary = "train, evaluate, list, forecast and promote the baseline "
		   "model",
	.exec = model_exec,
};
