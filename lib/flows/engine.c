/*
 * The task engine of the data flows (pm25/flow.h): each task's JSON
 * line, its clock, its retry policy, and run ids.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/timeutil.h"
#include "flow-int.h"

double pm_flow_now_ms(void)
{
	return pm_mono_s() * 1e3;
}

/* Log one task's state; extra is more "key": value pairs, or NULL. */
void pm_flow_event(struct run *ru, const char *task, const char *state,
		   double t0, const char *extra)
{
	struct pm_buf b = PM_BUF_INIT;
	struct pm_event ev;
	char ts[32];

	if (ru->o->task_clock && strcmp(state, "Retrying"))
		ru->o->task_clock(ru->o->ctx, NULL, 0); /* it ended */
	if (!ru->o->event)
		return;
	ev.run = ru->r->run;
	ev.flow = ru->flow;
	ev.task = task;
	ev.state = state;
	ev.level = !strcmp(state, "Failed")   ? "error" :
		   !strcmp(state, "Retrying") ? "warn" :
						"info";
	ev.duration_ms = t0 >= 0 ? pm_flow_now_ms() - t0 : -1;
	pm_time_format((int64_t)time(NULL), ts);
	pm_buf_addf(&b,
		    "{\"ts\": \"%s\", \"level\": \"%s\", \"run\": \"%s\", "
		    "\"flow\": \"%s\", \"task\": \"%s\", \"state\": \"%s\"",
		    ts, ev.level, ev.run, ev.flow, task, state);
	if (t0 >= 0)
		pm_buf_addf(&b, ", \"duration_ms\": %.1f", ev.duration_ms);
	if (extra && *extra)
		pm_buf_addf(&b, ", %s", extra);
	pm_buf_addch(&b, '}');
	ev.json = b.buf;
	ru->o->event(ru->o->ctx, &ev);
	pm_buf_release(&b);
}

const char *const pm_flow_wap_tasks[PM_FLOW_NTASKS + 1] = {
	"health_check", "fetch",   "land_raw", "parse", "validate",
	"clean",	"publish", "gate",     NULL,
};

const struct pm_flow_param pm_flow_wap_params[] = {
	{ "source", "source driver (ingest-clean: pm25.yaml's, else "
		    "air4thai-history)" },
	{ "file", "replay a recording instead of the live API" },
	{ "url", "fetch this URL" },
	{ "station", "stations, comma-separated, or all (the feed's list; "
		     "the default of the Air4Thai sources)" },
	{ "stations", "the same as station" },
	{ "from", "first local date" },
	{ "to", "last local date" },
	{ "lookback", "fetch this far back from the run's slot: 90m, 24h, "
		      "2d (instead of from and to; 24h for a live "
		      "air4thai-history with neither)" },
	{ "contract", "the data contract (default: the built-in one)" },
	{ "hour_label", "the history's hour labels: begin or end" },
	{ "input", "a CSV file or directory instead of a source" },
	{ "commit_days", "backfill: days published in one commit into main "
			 "(default 31; 1: a branch, commit and merge per "
			 "day)" },
	{ NULL, NULL },
};

void pm_task_policies_init(struct pm_task_policy p[PM_FLOW_NTASKS])
{
	int i;

	for (i = 0; i < PM_FLOW_NTASKS; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].task = pm_flow_wap_tasks[i];
		p[i].retry.delay_s = 2;
	}
	/* as the stack pm25 replaces: the source gets two more chances */
	p[0].retry.retries = 2;
	p[0].retry.delay_s = 30;
}

enum pm_err pm_task_policy_set(struct pm_task_policy p[PM_FLOW_NTASKS],
			       const char *key, const char *value,
			       struct pm_buf *err)
{
	const char *dot = strchr(key, '.'), *opt;
	char *end;
	double v;
	int i;

	if (!dot)
		return PM_ERR_NOTFOUND;
	opt = dot + 1;
	for (i = 0; i < PM_FLOW_NTASKS; i++)
		if (strlen(pm_flow_wap_tasks[i]) == (size_t)(dot - key) &&
		    !strncmp(key, pm_flow_wap_tasks[i], (size_t)(dot - key)))
			break;
	if (i == PM_FLOW_NTASKS)
		return pm_errf(
			err, PM_ERR_USAGE,
			"%s: no task '%.*s' (tasks: health_check, fetch, "
			"land_raw, parse, validate, clean, publish, gate)",
			key, (int)(dot - key), key);
	if (!strcmp(opt, "retry_on")) {
		if (strcmp(value, "transient") && strcmp(value, "any"))
			return pm_errf(err, PM_ERR_USAGE,
				       "%s: transient or any, not '%s'", key,
				       value);
		p[i].retry.any = !strcmp(value, "any");
		return PM_OK;
	}
	v = strtod(value, &end);
	if (end == value || *end || !(v >= 0) || v > 1e6)
		return pm_errf(err, PM_ERR_USAGE,
			       "%s: not a number of 0 or more: '%s'", key,
			       value);
	if (!strcmp(opt, "retries") && v == (int)v && v <= 100)
		p[i].retry.retries = (int)v;
	else if (!strcmp(opt, "retry_delay_s"))
		p[i].retry.delay_s = v;
	else if (!strcmp(opt, "timeout_s"))
		p[i].retry.timeout_s = v;
	else
		return pm_errf(
			err, PM_ERR_USAGE,
			"%s: options are retries (0-100), retry_delay_s, "
			"retry_on and timeout_s",
			key);
	return PM_OK;
}

static const struct pm_task_policy *policy(const struct run *ru,
					   const char *task)
{
	int i;

	for (i = 0; ru->o->tasks && i < PM_FLOW_NTASKS; i++)
		if (!strcmp(ru->o->tasks[i].task, task))
			return &ru->o->tasks[i];
	return NULL;
}

/* A task begins: tell the clock, with its limit if any; now, in ms. */
double pm_flow_task_start(struct run *ru, const char *task)
{
	const struct pm_task_policy *p = policy(ru, task);

	if (ru->o->task_clock)
		ru->o->task_clock(
			ru->o->ctx, task,
			p && p->retry.timeout_s > 0 ? p->retry.timeout_s : 0);
	return pm_flow_now_ms();
}

/*
 * After attempt *attempt of task failed with ret: whether to try again.
 * Transient failures (a peer unreachable or too slow) are retried, or
 * every failure with retry_on=any, up to the task's retries, after a
 * delay that doubles each time, capped at 5 minutes, +-20%.
 */
int pm_flow_task_retry(struct run *ru, const char *task, enum pm_err ret,
		       int *attempt, struct pm_buf *err)
{
	const struct pm_task_policy *p = policy(ru, task);
	struct pm_buf extra = PM_BUF_INIT;
	double d;

	if (!ret || !p || *attempt > p->retry.retries ||
	    (!p->retry.any && ret != PM_ERR_NET && ret != PM_ERR_TIMEOUT))
		return 0;
	d = pm_backoff_s(p->retry.delay_s, *attempt, 300);
	pm_buf_addf(&extra,
		    "\"attempt\": %d, \"of\": %d, \"delay_s\": %.1f, "
		    "\"error\": ",
		    *attempt, p->retry.retries + 1, d);
	pm_buf_add_json_str(&extra, err->buf ? err->buf : "",
			    err->buf ? err->len : 0);
	pm_flow_event(ru, task, "Retrying", -1, extra.buf);
	pm_buf_release(&extra);
	if (d > 0)
		usleep((useconds_t)(d * 1e6));
	(*attempt)++;
	return 1;
}

/*
 * A run id for time t: 2026-11-26T04:20:00Z gives 20261126T042000Z-1a2b,
 * the suffix telling apart runs that start in the same second.
 */
void pm_flow_new_run_id(int64_t t, char *out, size_t size)
{
	unsigned rnd =
		(unsigned)getpid() * 2654435761u ^ (unsigned)pm_flow_now_ms();
	char iso[32];

	pm_time_format(t, iso);
	snprintf(out, size, "%.4s%.2s%.2sT%.2s%.2s%.2sZ-%04x", iso, iso + 5,
		 iso + 8, iso + 11, iso + 14, iso + 17, rnd & 0xffff);
}

void pm_flow_make_run_id(struct run *ru)
{
	ru->started =
		ru->o->now == PM_TIME_NONE ? (int64_t)time(NULL) : ru->o->now;
	if (ru->o->run_id)
		snprintf(ru->r->run, sizeof(ru->r->run), "%s", ru->o->run_id);
	else
		pm_flow_new_run_id(ru->started, ru->r->run, sizeof(ru->r->run));
}
