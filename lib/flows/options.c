/*
 * The parameters of ingest-clean and backfill (source=, from=, ... and
 * TASK.option=) into pm_flow_opts and the task policies, once, for
 * every host.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "pm25/store.h"
#include "pm25/timeutil.h"
#include "flow-int.h"

/* One parameter; -1 if it is none of theirs (why may say more). */
static int take(struct pm_flow_opts *o, struct pm_task_policy *tasks,
		const struct pm_kv *kv, const char **from, const char **to,
		struct pm_buf *why)
{
	const char *k = kv->key, *v = kv->value;

	if (strchr(k, '.'))
		return pm_task_policy_set(tasks, k, v, why) ? -1 : 0;
	if (!strcmp(k, "source"))
		o->source = v;
	else if (!strcmp(k, "file"))
		o->file = v;
	else if (!strcmp(k, "url"))
		o->url = v;
	else if (!strcmp(k, "station") || !strcmp(k, "stations"))
		o->stations = v;
	else if (!strcmp(k, "from"))
		*from = v;
	else if (!strcmp(k, "to"))
		*to = v;
	else if (!strcmp(k, "lookback")) {
		if (pm_duration_parse(v, &o->lookback)) {
			pm_buf_addstr(why, "a duration: 90m, 24h, 2d");
			return -1;
		}
	}
	else if (!strcmp(k, "contract"))
		o->contract = v;
	else if (!strcmp(k, "hour_label"))
		o->hour_label = v;
	else if (!strcmp(k, "input"))
		o->input = v;
	else if (!strcmp(k, "commit_days")) {
		char *end;
		long n = strtol(v, &end, 10);

		if (*end || end == v || n < 1 || n > 3660) {
			pm_buf_addstr(why, "a number of days, 1 to 3660");
			return -1;
		}
		o->commit_days = (int)n;
	} else
		return -1;
	return 0;
}

int pm_flow_day(const char *s, int64_t *day)
{
	*day = PM_TIME_NONE;
	return s ? pm_date_parse(s, strlen(s), day) : 0;
}

enum pm_err pm_flow_opts_parse(const struct pm_flow_run *fr, int backfill,
			       struct pm_flow_opts *o,
			       struct pm_task_policy tasks[PM_FLOW_NTASKS],
			       struct pm_buf *err)
{
	struct pm_buf why = PM_BUF_INIT;
	const char *from = NULL, *to = NULL;
	enum pm_err ret = PM_OK;
	size_t i;

	memset(o, 0, sizeof(*o));
	pm_task_policies_init(tasks);
	if (!backfill) {
		/* pm25.yaml's defaults; a parameter overrides them */
		o->source = pm_config_str(PM_CFG_SOURCE);
		o->contract = pm_config_str(PM_CFG_CONTRACT);
		o->stations = pm_config_str(PM_CFG_STATION);
	}
	for (i = 0; !ret && i < fr->nparams; i++) {
		pm_buf_reset(&why);
		if (take(o, tasks, &fr->params[i], &from, &to, &why))
			ret = pm_errf(
				err, PM_ERR_USAGE, "bad --param '%s=%s'%s%s",
				fr->params[i].key, fr->params[i].value,
				why.len ? ": " : "", why.len ? why.buf : "");
	}
	if (!ret && backfill && !o->input && !o->source)
		ret = pm_errf(err, PM_ERR_USAGE, "give --source or --input");
	if (!ret && (pm_flow_day(from, &o->from_day) || pm_flow_day(to, &o->to_day)))
		ret = pm_errf(err, PM_ERR_USAGE, "--from/--to: not a date");
	if (!ret && o->lookback && (from || to))
		ret = pm_errf(err, PM_ERR_USAGE,
			      "give lookback or from/to, not both");
	if (!ret && o->commit_days && !backfill)
		ret = pm_errf(err, PM_ERR_USAGE,
			      "commit_days is backfill's: ingest-clean "
			      "publishes each run as one commit");
	if (!ret && !o->commit_days)
		o->commit_days = PM_COMMIT_DAYS;
	if (!ret && o->lookback && backfill)
		ret = pm_errf(err, PM_ERR_USAGE,
			      "backfill takes from and to, not lookback");
	o->force = fr->force;
	o->tmp_dir = fr->home->tmp;
	o->tasks = tasks;
	o->run_id = fr->id;
	/* the clock tests set (PM25_NOW_MS), as the state database's */
	o->now = pm_config_str(PM_CFG_NOW_MS) ?
			 (int64_t)pm_config_long(PM_CFG_NOW_MS) / 1000 :
			 PM_TIME_NONE;
	o->slot = fr->slot ? fr->slot : PM_TIME_NONE;
	o->event = fr->hooks.event;
	o->task_clock = fr->hooks.task_clock;
	o->progress = fr->hooks.progress;
	o->state_check = fr->hooks.state_check;
	o->ctx = fr->hooks.ctx;
	pm_buf_release(&why);
	return ret;
}

enum pm_err pm_flow_wap_check(const struct pm_flow_run *fr, int backfill,
			      struct pm_buf *err)
{
	struct pm_task_policy tasks[PM_FLOW_NTASKS];
	struct pm_flow_opts o;

	return pm_flow_opts_parse(fr, backfill, &o, tasks, err);
}

enum pm_err pm_flow_wap_run(struct pm_flow_run *fr, int backfill,
			    struct pm_buf *err)
{
	struct pm_task_policy tasks[PM_FLOW_NTASKS];
	struct pm_flow_opts o;
	enum pm_err ret = pm_flow_opts_parse(fr, backfill, &o, tasks, err);

	if (ret)
		return ret;
	ret = backfill ? pm_flow_backfill(fr->data, &o, &fr->result, err) :
			 pm_flow_ingest_clean(fr->data, &o, &fr->result, err);
	fr->has_result = 1;
	if (!ret || ret == PM_ERR_GATE)
		pm_flow_result_summary(&fr->result, fr->json, !ret,
				       backfill ? "backfill" : "ingest-clean",
				       &fr->summary);
	return ret;
}
