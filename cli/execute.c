/*
 * pm25 flow-run execute ID: a worker's run in this process. The run is
 * Pending, claimed by the worker; it goes Running here, its flow from
 * the flows table runs with the run's parameters, and its outcome is
 * recorded, or left to the worker when the database does not answer.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/execute.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "pm25/pause.h"
#include "pm25/policy.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "pm25/watchdog.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "host.h"

/* A test hook: one line per run whose completion was recorded. */
static void noop_log(const char *id, long attempt)
{
	const char *log = pm_config_str(PM_CFG_NOOP_LOG);
	FILE *f = log ? fopen(log, "a") : NULL;

	if (f) {
		fprintf(f, "%s %ld\n", id, attempt);
		fclose(f);
	}
}

/*
 * The flow's parameters of a run's JSON object: its strings, the run
 * options (retries, timeout_s, ...) left out.
 */
static void flow_params(json_t *j, struct host_params *p)
{
	const char *key;
	json_t *v;

	json_object_foreach(j, key, v)
	{
		if (json_is_string(v) && !pm_run_option(key) && p->nr < 30)
			host_params_add(p, key, json_string_value(v));
	}
}

/* Run flow f of run h->id as the worker's run; the exit status. */
static int run_flow(const struct pm_flow *f, struct host *h,
		    struct pm_home *home, json_t *params)
{
	struct pm_buf err = PM_BUF_INIT;
	struct host_params p = { 0 };
	struct pm_flow_run fr;
	enum pm_err e;
	int status = 0;

	pm_flow_run_init(&fr);
	flow_params(params, &p);
	fr.home = home;
	fr.id = h->id;
	fr.params = p.kv;
	fr.nparams = p.nr;
	fr.hooks.event = host_event;
	fr.hooks.task_clock = host_task_clock;
	fr.hooks.state_check = host_state_check;
	fr.slot = h->slot_ms != PM_MS_NONE ? h->slot_ms / 1000 : 0;
	fr.hooks.ctx = h;
	e = f->check(&fr, &err);
	if (!e)
		e = pm_flow_open(f, &fr, &err);
	if (!e) {
		/* a run past its time has its process group killed */
		pm_watchdog_start(host_expire, h);
		e = pm_flow_execute(f, &fr, h->st, &err);
		pm_watchdog_stop();
	}
	if (e && e != PM_ERR_GATE)
		status = cmd_fail(f->name, e, err.buf);
	else if (fr.summary.len)
		fputs(fr.summary.buf, stdout);
	if (e == PM_ERR_GATE)
		status = cmd_fail(f->name, e, err.buf);
	pm_flow_run_release(&fr);
	host_params_release(&p);
	pm_buf_release(&err);
	return status;
}

/* Record the outcome (status) of attempt of run h->id. */
static void record(struct host *h, long attempt, int status,
		   const struct pm_retry *rp)
{
	struct pm_buf why = PM_BUF_INIT;
	double t0 = pm_mono_s();
	int retried;

	if (!status) {
		/*
		 * Completed only from Running: a run whose lease was lost
		 * meanwhile (Crashed, retried elsewhere) does not count.
		 * While the database does not answer, try again for a few
		 * seconds; then the worker records it from the exit status.
		 */
		enum pm_err e;

		pm_pause_point("execute-end");
		while ((e = pm_state_run_move_at(h->st, h->id, attempt,
						 PM_RUN_RUNNING,
						 PM_RUN_COMPLETED, "completed",
						 NULL)) == PM_ERR_NET &&
		       pm_mono_s() - t0 < 5)
			usleep(250000);
		if (!e && h->flow && !strcmp(h->flow, "noop"))
			noop_log(h->id, attempt);
		return;
	}
	pm_buf_addf(&why, "exit %d: %s", status,
		    *cmd_last_error() ? cmd_last_error() : "failed");
	if (!pm_run_retryable(rp, status) && rp->retries > 0)
		pm_buf_addstr(&why, " (not transient: not retried)");
	pm_state_run_fail(
		h->st, h->id, attempt, PM_RUN_FAILED, why.buf,
		pm_run_retryable(rp, status) ?
			(int64_t)(pm_run_retry_delay(rp, attempt) * 1000) :
			-1,
		&retried, NULL);
	pm_buf_release(&why);
}

int cmd_flow_run_execute(const char *id, const char *worker, long of_attempt)
{
	struct pm_buf err = PM_BUF_INIT, why = PM_BUF_INIT;
	struct host h = { NULL, NULL, NULL, "", 0, 0, 0, PM_MS_NONE };
	const struct pm_flow *f;
	struct pm_run run;
	struct pm_retry rp;
	struct pm_home home;
	json_t *params = NULL;
	long attempt;
	int status;
	enum pm_err e;

	pm_home_locate(&home);
	e = pm_home_state(&home, &h.st, &err);
	if (!e)
		e = pm_state_run_load(h.st, id, &run, NULL, NULL, &err);
	if (e) {
		status = cmd_fail("flow-run", e, err.buf);
		goto out;
	}
	pm_buf_addf(&why, "started by worker %s (pid %ld)",
		    worker ? worker : "-", (long)getpid());
	/* the attempt its worker claimed, not a later one */
	attempt = of_attempt > 0 ? of_attempt : run.attempt;
	e = pm_state_run_move_at(h.st, id, attempt, PM_RUN_PENDING,
				 PM_RUN_RUNNING, why.buf, &err);
	if (e) {
		pm_run_release(&run);
		status = cmd_fail("flow-run", e, err.buf);
		goto out;
	}
	snprintf(h.id, sizeof(h.id), "%s", id);
	h.attempt = attempt;
	h.slot_ms = run.slot_ms;
	f = pm_flow_find(run.flow);
	pm_run_policy(run.parameters, &rp);
	params = json_loads(run.parameters ? run.parameters : "{}", 0, NULL);
	if (!f) {
		status = cmd_fail("flow-run", PM_ERR_USAGE,
				  "the run's flow is not in the flows table");
	} else {
		h.flow = f->name;
		status = run_flow(f, &h, &home, params);
	}
	record(&h, attempt, status, &rp);
	pm_run_release(&run);
out:
	json_decref(params);
	pm_state_close(h.st);
	pm_home_release(&home);
	pm_buf_release(&err);
	pm_buf_release(&why);
	return status;
}
