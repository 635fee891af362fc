/*
 * pm25 batch IN_DIR OUT_DIR: the whole job on plain files, without a
 * store: read, validate, clean, daily CSVs, features, the baseline model
 * and its metrics, and a summary in the backfill workload's JSON shape.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/table.h"
#include "pm25/contract.h"
#include "pm25/model.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"
#include "cmd.h"
#include "parse-options.h"

static void collect(void *data, const char *station, size_t len,
		    uint32_t first, size_t span, const double *const *col)
{
	const double *w[PM_NWEATHER];

	w[0] = col[PM_COL_TEMP];
	w[1] = col[PM_COL_RH];
	w[2] = col[PM_COL_WS];
	pm_series_add(data, station, len, first, span, col[PM_COL_PM25], w);
}

static void kv(struct pm_buf *b, const char *k, size_t v, int comma)
{
	pm_buf_addf(b, "%s\"%s\": %zu", comma ? ", " : "", k, v);
}

static void kd(struct pm_buf *b, const char *k, double v, int comma)
{
	pm_buf_addf(b, "%s\"%s\": ", comma ? ", " : "", k);
	pm_buf_add_json_num(b, v);
}

/* The summary of WORKLOAD.md section 10, keys in its order. */
static void summary(struct pm_buf *b, const struct pm_clean_report *r,
		    const struct pm_contract *c, const struct pm_fit *f)
{
	char ts[32];
	size_t i;

	pm_buf_addf(b, "{\n  \"workload\": \"pm25-backfill\",\n"
		       "  \"spec_version\": 1,\n"
		       "  \"implementation\": \"pm25 %s (C)\",\n  ",
		    PM25_VERSION);
	if (f->alpha > 0) {
		/* not part of the workload: say which fit this is */
		pm_buf_addstr(b, "\"estimator\": \"ridge\", \"alpha\": ");
		pm_buf_add_json_num(b, f->alpha);
		pm_buf_addstr(b, ",\n  ");
	}
	if (f->nfeat > PM_NFEATURES)
		pm_buf_addstr(b, "\"weather_features\": true,\n  ");
	pm_clean_report_spec_json(r, c, b);
	pm_buf_addstr(b, ",\n  \"features\": {");
	kv(b, "rows", f->rows, 0);
	kv(b, "distinct_hours", f->distinct_hours, 1);
	kv(b, "train_hours", f->train_hours, 1);
	kv(b, "train_rows", f->train_rows, 1);
	kv(b, "test_rows", f->test_rows, 1);
	pm_time_format((int64_t)f->test_start * 3600, ts);
	pm_buf_addf(b, ", \"test_start_utc\": \"%s\"},\n  \"model\": {", ts);
	kd(b, "intercept", f->intercept, 0);
	pm_buf_addstr(b, ", \"coefficients\": {");
	for (i = 0; i < f->nfeat; i++)
		kd(b, pm_feature_names[i], f->coef[i], i > 0);
	pm_buf_addstr(b, "}},\n  \"metrics\": {\"model\": {");
	kd(b, "mae", f->model.mae, 0);
	kd(b, "rmse", f->model.rmse, 1);
	kd(b, "r2", f->model.r2, 1);
	pm_buf_addstr(b, "}, \"persistence\": {");
	kd(b, "mae", f->persistence.mae, 0);
	kd(b, "rmse", f->persistence.rmse, 1);
	kd(b, "r2", f->persistence.r2, 1);
	pm_buf_addf(b, "}, \"model_beats_persistence_r2\": %s}\n}\n",
		    f->model.r2 > f->persistence.r2 ? "true" : "false");
}

static int batch_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 batch IN_DIR OUT_DIR [--contract FILE] [--alpha A] "
		"[--weather]",
		NULL
	};
	const char *contract_path = NULL, *alpha = NULL;
	struct pm_fit_opts fo = { 0, 0 };
	int status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_STRING_(0, "contract", &contract_path, "file",
			    "data contract (bench/workload-contract.yaml for "
			    "the workload)"),
		OPT_STRING_(0, "alpha", &alpha, "a",
			    "ridge penalty (0, the default, is OLS)"),
		OPT_BOOL_(0, "weather", &fo.weather,
			  "add temp, rh and ws of the hour as features"),
		OPT_END_(),
	};
	struct pm_series_set set = { 0 };
	struct pm_clean_report rep;
	struct pm_clean_opts o = { 0 };
	struct pm_contract c;
	struct pm_buf err = PM_BUF_INIT, out = PM_BUF_INIT;
	struct pm_fit fit;
	enum pm_err e;
	int nr;

	memset(&rep, 0, sizeof(rep));
	pm_contract_init(&c);
	nr = parse_options(argc, argv, opts, usage);
	if (nr != 2) {
		status = cmd_usage_error("batch", "give IN_DIR and OUT_DIR");
		goto out;
	}
	if (pm_parse_alpha(alpha, &fo.alpha)) {
		status = cmd_usage_error("batch", "--alpha: not a number >= 0: "
						  "'%s'", alpha);
		goto out;
	}
	if (contract_path)
		e = pm_contract_load(&c, contract_path, &err);
	else
		e = (pm_contract_default(&c), PM_OK);
	if (e) {
		status = cmd_fail("batch", e, err.buf);
		goto out;
	}
	o.contract = &c;
	o.out_dir = argv[1];
	o.now = PM_TIME_NONE;
	o.series = collect;
	o.series_data = &set;
	set.weather = fo.weather;
	e = pm_clean_run(&o, argv, 1, &rep, &err);
	if (!e && !rep.accepted)
		e = pm_errf(&err, PM_ERR_DATA, "no accepted row at all");
	if (!e)
		e = pm_model_fit(&set, &fo, &fit, &err);
	if (e) {
		status = cmd_fail("batch", e, err.buf);
		goto out;
	}
	summary(&out, &rep, &c, &fit);
	fputs(out.buf, stdout);
out:
	pm_series_release(&set);
	pm_clean_report_release(&rep);
	pm_contract_release(&c);
	pm_buf_release(&err);
	pm_buf_release(&out);
	return status;
}

const struct cmd cmd_batch = {
	.name = "batch",
	.summary = "the whole job on plain files: clean, features, model",
	.exec = batch_exec,
};
