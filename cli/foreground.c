/*
 * A flow run in the foreground (foreground.h): a flow run in the state
 * database, with its states and its log lines, held by this process
 * under a lease (owner.h) until its end is recorded.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/execute.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/loki.h"
#include "pm25/notify.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/watchdog.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "foreground.h"
#include "owner.h"
#include "parse-options.h"

/*
 * A new flow run, Running from now, in h's open state database, held by
 * this process (its name into owner, which the owner thread borrows
 * until owner_stop(), as scratch) under a lease that the thread renews.
 */
static enum pm_err record_start(struct host *h, struct pm_home *home,
				const char *params, char owner[PM_OWNER_MAX],
				struct pm_buf *scratch, struct pm_buf *err)
{
	struct pm_run_new nr = { 0 };
	char why[64];
	enum pm_err e;

	pm_flow_new_run_id((int64_t)time(NULL), h->id, sizeof(h->id));
	pm_state_owner_self(owner, PM_OWNER_MAX);
	snprintf(why, sizeof(why), "started in the foreground (pid %ld)",
		 (long)getpid());
	nr.id = h->id;
	nr.flow = h->flow;
	nr.parameters = params;
	nr.state = PM_RUN_RUNNING;
	nr.reason = why;
	nr.owner = owner;
	nr.lease_ms = OWNER_LEASE_MS;
	e = pm_state_run_create(h->st, &nr, h->id, err);
	if (!e) {
		pm_buf_setf(scratch, "%s/%s", home->tmp, h->id);
		owner_start(h->id, owner, scratch->buf);
	}
	return e;
}

/*
 * Send the alerts this run queued, retrying for a few seconds; what is
 * left waits in the state database for the next worker or scheduler.
 */
static void send_alerts(struct pm_state *st)
{
	struct pm_notify_stats ns;
	struct pm_notify n;

	pm_notify_from_env(&n);
	if (st && n.url)
		pm_notify_drain(st, &n, 10000, &ns, NULL);
}

/*
 * Run flow f for fr in the foreground as command name: record it, run
 * it, record its end, print its summary. The exit status.
 */
int foreground(const char *name, const struct pm_flow *f,
	       struct pm_flow_run *fr, const struct host_params *p, int quiet)
{
	struct host h = { NULL, NULL, f->name, "", quiet, 1, 0, PM_MS_NONE };
	struct pm_buf err = PM_BUF_INIT, scratch = PM_BUF_INIT;
	char *pj = NULL, owner[PM_OWNER_MAX] = "";
	int status = PM_EXIT_OK, kept = 0;
	enum pm_err e;

	owner_block_signals(); /* before the first thread */
	e = pm_flow_open(f, fr, &err);
	if (!e)
		e = pm_home_state(fr->home, &h.st, &err);
	if (!e) {
		struct pm_loki_opts lo;
		struct pm_housekeeping hk = { 0 };

		pm_loki_opts_from_env(&lo, NULL);
		h.loki = pm_loki_start(&lo);
		/* runs that died before this one end now, with their folders */
		pm_housekeep_sweep(h.st, fr->home, &hk, NULL);
		pj = host_params_json(p);
		e = record_start(&h, fr->home, pj, owner, &scratch, &err);
	}
	fr->id = h.id;
	fr->hooks.event = host_event;
	fr->hooks.task_clock = host_task_clock;
	fr->hooks.state_check = host_state_check;
	fr->hooks.progress = quiet ? NULL : host_progress;
	fr->hooks.ctx = &h;
	if (!e) {
		pm_watchdog_start(host_expire, &h);
		e = pm_flow_execute(f, fr, h.st, &err);
		pm_watchdog_stop();
	}
	owner_stop();
	if (h.st && *h.id)
		kept = owner_record_end(h.st, name, h.id,
					e ? PM_RUN_FAILED : PM_RUN_COMPLETED,
					!e	? "completed" :
					err.buf ? err.buf :
						  "failed");
	if (e && e != PM_ERR_GATE) {
		status = cmd_fail(name, e, err.buf);
		goto out;
	}
	fputs(fr->summary.buf, stdout);
	if (e == PM_ERR_GATE)
		status = cmd_fail(name, e, err.buf);
	else if (kept)
		status = kept;
out:
	pm_loki_stop(h.loki, 3000, NULL);
	send_alerts(h.st);
	pm_state_close(h.st);
	pm_buf_release(&scratch);
	pm_buf_release(&err);
	free(pj);
	return status;
}

/* The parameters, checked; the status of a usage error, else 0. */
int foreground_params(const char *name, const struct pm_flow *f,
		      struct pm_flow_run *fr, struct host_params *p,
		      const struct opt_list *params)
{
	struct pm_buf err = PM_BUF_INIT;
	size_t i;
	int status = 0;

	for (i = 0; i < params->nr; i++)
		if (host_params_add_kv(p, params->v[i]))
			return cmd_usage_error(name, "bad --param '%s'",
					       params->v[i]);
	fr->params = p->kv;
	fr->nparams = p->nr;
	if (f->check(fr, &err))
		status = cmd_usage_error(name, "%s", err.buf);
	pm_buf_release(&err);
	return status;
}
