/*
 * pm25 model: train the baseline model on the data repository's main,
 * keep it in the model repository, and promote it only when it beats
 * the champion; evaluate, list, forecast and promote by hand.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/actions.h"
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
		return cmd_usage_error("model",
				       "--alpha: not a number >= 0: "
				       "'%s'",
				       alpha);
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

static int predict(struct pm_store *data, struct pm_store *models,
		   const char *station, long hours, int json,
		   struct pm_buf *err)
{
	struct pm_buf out = PM_BUF_INIT;
	struct pm_forecast f;
	char ts[32];
	enum pm_err e;
	size_t k;

	if (!station || strchr(station, ','))
		return cmd_usage_error("model", "predict needs one --station");
	if (hours < 1 || hours > 168)
		return cmd_usage_error("model", "--hours is 1 to 168");
	e = pm_champion_forecast(data, models, station, (size_t)hours, &f, err);
	if (e)
		return cmd_fail("model", e, err->buf);
	if (json) {
		pm_forecast_json(&out, &f);
		pm_buf_addch(&out, '\n');
	} else {
		pm_buf_addf(&out,
			    "forecast for %s from data %.12s\n"
			    "time_utc              pm25   aqi  category\n",
			    f.station, f.data_commit);
	}
	for (k = 0; !json && k < f.n; k++) {
		pm_time_format(f.time[k], ts);
		pm_buf_addf(&out, "%s %6.1f %5d  %s\n", ts, f.pm25[k],
			    f.aqi[k],
			    pm_aqi_thai_name(pm_aqi_thai_category(f.aqi[k])));
	}
	fputs(out.buf, stdout);
	pm_buf_release(&out);
	pm_forecast_release(&f);
	return 0;
}

static int evaluate(struct pm_store *data, struct pm_store *models, int json,
		    struct pm_buf *err)
{
	struct pm_champion_eval ev;
	enum pm_err e = pm_champion_evaluate(data, models, &ev, err);

	if (e)
		return cmd_fail("model", e, err->buf);
	if (json) {
		struct pm_buf o = PM_BUF_INIT;

		pm_champion_eval_json(&o, &ev);
		pm_buf_addch(&o, '\n');
		fputs(o.buf, stdout);
		pm_buf_release(&o);
	} else {
		printf("champion on data %.12s, %zu test rows: MAE %.4f RMSE "
		       "%.4f R2 %.4f\n",
		       ev.data_commit, ev.test_rows, ev.champion.mae,
		       ev.champion.rmse, ev.champion.r2);
		printf("persistence:                          MAE %.4f RMSE "
		       "%.4f R2 %.4f\n",
		       ev.persistence.mae, ev.persistence.rmse,
		       ev.persistence.r2);
	}
	return 0;
}

static int model_exec(int argc, const char **argv)
{
	const char *from = NULL, *to = NULL, *station = NULL, *alpha = NULL;
	long hours = 24;
	int json = 0, weather = 0, status = PM_EXIT_OK, nr;
	struct option opts[] = {
		OPT_STRING_(0, "from", &from, "date",
			    "train: first local date"),
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
		char path[96];

		/* the branch's model becomes the champion */
		e = pm_action_model_promote(models, argv[1], path, &err);
		if (e)
			status = cmd_fail("model", e, err.buf);
		else if (json)
			printf("{\"promoted\": \"%s\"}\n", path);
		else
			printf("promoted %s from %s\n", path, argv[1]);
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
