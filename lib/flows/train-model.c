/*
 * The train-model flow: fit the baseline on main, keep the artefact in
 * the model repository, and promote it only when it beats the champion
 * on the same test hours.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/model.h"
#include "pm25/pipeline.h"
#include "pm25/store.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"
#include "flow-int.h"

enum pm_err pm_flow_train(struct pm_store *data, struct pm_store *models,
			  int64_t from_day, int64_t to_day,
			  const char *stations, const struct pm_fit_opts *fo,
			  struct pm_train_result *r, struct pm_buf *err)
{
	struct pm_series_set set = { 0 };
	struct pm_buf art = PM_BUF_INIT, old = PM_BUF_INIT;
	char id[PM_ID_MAX], run[40], date[16], rmse[32];
	int64_t now = (int64_t)time(NULL);
	struct pm_kv meta[4];
	double b0, b[PM_MAX_FEATURES];
	int has_champion = 0, champ_nfeat = -1;
	struct pm_metrics mine;
	enum pm_err e;

	memset(r, 0, sizeof(*r));
	if (!pm_store_get(models, "main", PM_CHAMPION_PATH, &old, NULL))
		champ_nfeat = pm_model_read(old.buf, old.len, &b0, b, NULL);
	has_champion = champ_nfeat > 0;
	/* the champion's features may need the weather columns too */
	set.weather = (fo && fo->weather) || champ_nfeat > PM_NFEATURES;
	e = pm_data_series(data, "main", from_day, to_day, stations, &set,
			   r->data_commit, err);
	if (!e)
		e = pm_model_fit(&set, fo, &r->fit, err);
	if (e)
		goto out;
	r->stations = set.nr;
	pm_flow_new_run_id(now, run, sizeof(run));
	pm_date_format(now, date);
	pm_model_artefact(&art, &r->fit, &set, r->data_commit, run);
	mine = r->fit.model;
	if (has_champion) {
		struct pm_fit both = r->fit;

		/* both on the same rows: those with the features of both */
		pm_model_score(&set, &r->fit, b0, b, (size_t)champ_nfeat,
			       &r->champion);
		both.nfeat = (size_t)champ_nfeat;
		pm_model_score(&set, &both, r->fit.intercept, r->fit.coef,
			       r->fit.nfeat, &mine);
	}
	r->promoted = !has_champion || mine.rmse < r->champion.rmse;
	snprintf(r->branch, sizeof(r->branch), "train-%s", run);
	snprintf(r->path, sizeof(r->path), "models/linreg_pm25_%s.json", date);
	if (!has_champion)
		snprintf(r->reason, sizeof(r->reason), "no champion yet");
	else
		snprintf(r->reason, sizeof(r->reason),
			 "test RMSE %.4f %s the champion's %.4f on the same "
			 "hours",
			 mine.rmse, r->promoted ? "beats" : "does not beat",
			 r->champion.rmse);
	snprintf(rmse, sizeof(rmse), "%.6f", r->fit.model.rmse);
	meta[0].key = "run";
	meta[0].value = run;
	meta[1].key = "data-commit";
	meta[1].value = r->data_commit;
	meta[2].key = "rmse";
	meta[2].value = rmse;
	meta[3].key = "pm25-version";
	meta[3].value = PM25_VERSION;
	e = pm_store_branch_create(models, r->branch, "main", err);
	if (!e)
		e = pm_store_put(models, r->branch, r->path, art.buf, art.len,
				 err);
	if (!e && r->promoted)
		e = pm_store_put(models, r->branch, PM_CHAMPION_PATH, art.buf,
				 art.len, err);
	if (!e)
		e = pm_store_commit(models, r->branch, "train-model", meta, 4,
				    id, err);
	if (!e && r->promoted) {
		e = pm_store_merge(models, r->branch, "main",
				   "Promote the new champion", meta, 4, id,
				   err);
		if (!e)
			pm_store_branch_delete(models, r->branch, NULL);
	}
out:
	pm_series_release(&set);
	pm_buf_release(&art);
	pm_buf_release(&old);
	return e;
}

void pm_train_summary(const struct pm_train_result *r, double alpha, int json,
		      struct pm_buf *b)
{
	if (json) {
		pm_buf_addf(b,
			    "{\"model\": \"%s\", \"estimator\": \"%s\", "
			    "\"alpha\": ",
			    r->path, alpha > 0 ? "ridge" : "ols");
		pm_buf_add_json_num(b, alpha);
		pm_buf_addf(b, ", \"promoted\": %s, \"reason\": ",
			    r->promoted ? "true" : "false");
		pm_buf_add_json_str(b, r->reason, strlen(r->reason));
		pm_buf_addf(b,
			    ", \"branch\": \"%s\", \"data_commit\": \"%s\", ",
			    r->promoted ? "main" : r->branch, r->data_commit);
		pm_model_metrics_json(b, "metrics", &r->fit.model);
		pm_buf_addstr(b, ", ");
		pm_model_metrics_json(b, "persistence", &r->fit.persistence);
		pm_buf_addstr(b, "}\n");
		return;
	}
	pm_buf_addf(b,
		    "trained %s on %zu stations, %zu train and %zu test "
		    "rows (data %.12s)\n",
		    r->path, r->stations, r->fit.train_rows, r->fit.test_rows,
		    r->data_commit);
	pm_buf_addf(b, "test RMSE %.4f (persistence %.4f), R2 %.4f\n",
		    r->fit.model.rmse, r->fit.persistence.rmse,
		    r->fit.model.r2);
	pm_buf_addf(b, "%s: %s\n",
		    r->promoted ? "promoted to champion" : "kept as challenger",
		    r->reason);
	if (!r->promoted)
		pm_buf_addf(b,
			    "it stays on branch %s (pm25 model promote %s)\n",
			    r->branch, r->branch);
}

void pm_train_event(const struct pm_train_result *r, struct pm_buf *b)
{
	pm_buf_addf(b,
		    "{\"flow\": \"train-model\", \"task\": \"promote\", "
		    "\"state\": \"Completed\", \"promoted\": %s, \"reason\": ",
		    r->promoted ? "true" : "false");
	pm_buf_add_json_str(b, r->reason, strlen(r->reason));
	pm_buf_addstr(b, ", \"model\": ");
	pm_buf_add_json_str(b, r->path, strlen(r->path));
	pm_buf_addstr(b, ", \"branch\": ");
	pm_buf_add_json_str(b, r->branch, strlen(r->branch));
	pm_buf_addf(b, ", \"data_commit\": \"%s\"}", r->data_commit);
}

struct train_opts {
	int64_t from_day, to_day;
	const char *stations;
	struct pm_fit_opts fo;
};

static enum pm_err parse(const struct pm_flow_run *fr, struct train_opts *t,
			 struct pm_buf *err)
{
	const char *alpha = NULL, *from = NULL, *to = NULL;
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < fr->nparams; i++) {
		const char *k = fr->params[i].key, *v = fr->params[i].value;

		if (!strcmp(k, "alpha"))
			alpha = v;
		else if (!strcmp(k, "from"))
			from = v;
		else if (!strcmp(k, "to"))
			to = v;
		else if (!strcmp(k, "station"))
			t->stations = v;
		else if (!strcmp(k, "weather") &&
			 (!strcmp(v, "0") || !strcmp(v, "1")))
			t->fo.weather = *v == '1';
		else
			return pm_errf(err, PM_ERR_USAGE,
				       "bad --param '%s=%s' (train-model: "
				       "alpha, weather=0|1, from, to, station)",
				       k, v);
	}
	if (pm_flow_day(from, &t->from_day) || pm_flow_day(to, &t->to_day))
		return pm_errf(err, PM_ERR_USAGE, "--from/--to: not a date");
	if (alpha && pm_parse_alpha(alpha, &t->fo.alpha))
		return pm_errf(err, PM_ERR_USAGE,
			       "--alpha: not a number >= 0: '%s'", alpha);
	return PM_OK;
}

static enum pm_err check(const struct pm_flow_run *fr, struct pm_buf *err)
{
	struct train_opts t;

	return parse(fr, &t, err);
}

static enum pm_err run(struct pm_flow_run *fr, struct pm_buf *err)
{
	struct pm_buf line = PM_BUF_INIT;
	struct pm_train_result r;
	struct train_opts t;
	enum pm_err ret = parse(fr, &t, err);

	if (!ret)
		ret = pm_flow_train(fr->data, fr->models, t.from_day, t.to_day,
				    t.stations, &t.fo, &r, err);
	if (ret)
		return ret;
	pm_train_summary(&r, t.fo.alpha, fr->json, &fr->summary);
	pm_train_event(&r, &line);
	if (fr->hooks.event) {
		struct pm_event ev = { fr->id, "train-model", "promote",
				       "Completed", "info", -1, line.buf };

		fr->hooks.event(fr->hooks.ctx, &ev);
	}
	pm_buf_release(&line);
	return PM_OK;
}

static const char *const tasks[] = { "features", "fit", "evaluate", "promote",
				     NULL };

static const struct pm_flow_param params[] = {
	{ "alpha", "ridge penalty (0: least squares)" },
	{ "weather", "1: add the weather features" },
	{ "from", "first local date" },
	{ "to", "last local date" },
	{ "station", "stations, comma-separated" },
	{ NULL, NULL },
};

const struct pm_flow pm_flow_def_train_model = {
	.name = "train-model",
	.summary = "fit the baseline model on main and promote it only if it "
		   "beats the champion",
	.tasks = tasks,
	.params = params,
	.needs = PM_FLOW_DATA | PM_FLOW_MODELS,
	.check = check,
	.run = run,
};
