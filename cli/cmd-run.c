/*
 * pm25 run FLOW and pm25 backfill: a flow of the flows table in the
 * foreground, one JSON log line per task on stderr and a summary on
 * stdout. Each run is a flow run in the state database, with its states
 * and its log lines, held by this process under a lease (owner.h).
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
#include "pm25/state.h"
#include "pm25/watchdog.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "host.h"
#include "owner.h"
#include "parse-options.h"

/*
 * A new flow run, Running from now, in h's open state database, held by
 * this process under a lease that its owner thread renews.
 */
static enum pm_err record_start(struct host *h, struct pm_home *home,
				const char *params, struct pm_buf *scratch,
				struct pm_buf *err)
{
	struct pm_run_new nr = { 0 };
	char why[64], owner[PM_OWNER_MAX];
	enum pm_err e;

	pm_flow_new_run_id((int64_t)time(NULL), h->id, sizeof(h->id));
	pm_state_owner_self(owner, sizeof(owner));
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
static int foreground(const char *name, const struct pm_flow *f,
		      struct pm_flow_run *fr, const struct host_params *p,
		      int quiet)
{
	struct host h = { NULL, NULL, f->name, "", quiet, 1, 0 };
	struct pm_buf err = PM_BUF_INIT, scratch = PM_BUF_INIT;
	char *pj = NULL;
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
		e = record_start(&h, fr->home, pj, &scratch, &err);
	}
	fr->id = h.id;
	fr->hooks.event = host_event;
	fr->hooks.task_clock = host_task_clock;
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
static int take(const char *name, const struct pm_flow *f,
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

/* One usage line per flow of the table, with its parameters. */
static void usage_lines(struct pm_buf *lines, const char **usage, size_t n)
{
	const struct pm_flow *f;
	size_t i, k = 0;

	pm_buf_init(&lines[k]);
	pm_buf_addstr(&lines[k], "pm25 run [FLOW] [--param k=v...] [--json] "
				 "[-q]   (FLOW is ingest-clean if not given)");
	usage[k] = lines[k].buf;
	for (i = 0; (f = pm_flow_at(i)) != NULL && ++k < n; i++) {
		const struct pm_flow_param *p;

		pm_buf_init(&lines[k]);
		pm_buf_addf(&lines[k], "pm25 run %s", f->name);
		for (p = f->params; p->name; p++)
			pm_buf_addf(&lines[k], "%s%s",
				    p == f->params ? " [--param " : "|",
				    p->name);
		pm_buf_addstr(&lines[k], f->params->name ? "=...]" : "");
		if (f->tasks == pm_flow_at(0)->tasks)
			pm_buf_addstr(&lines[k], " [--param TASK.retries|"
						 "retry_delay_s|retry_on|"
						 "timeout_s=...]");
		usage[k] = lines[k].buf;
	}
	for (k++; k < n; k++)
		pm_buf_init(&lines[k]);
}

static int run_exec(int argc, const char **argv)
{
	struct pm_buf lines[8], names = PM_BUF_INIT;
	const char *usage[9] = { NULL };
	struct opt_list params = { 0 };
	int json = 0, quiet = 0, status, nr;
	struct option opts[] = {
		OPT_LIST_('p', "param", &params, "k=v",
			  "source, file, url, station, from, to, contract, "
			  "hour_label; train-model: alpha, weather"),
		OPT_BOOL_(0, "json", &json, "print the result as JSON"),
		OPT_BOOL_('q', "quiet", &quiet, "no task log lines on stderr"),
		OPT_END_(),
	};
	struct host_params p = { 0 };
	const struct pm_flow *f;
	struct pm_flow_run fr;
	struct pm_home h;
	size_t i;

	pm_home_locate(&h);
	pm_flow_run_init(&fr);
	/* the flows table says which flows there are, and what they take */
	pm_flow_names(&names);
	usage_lines(lines, usage, PM_ARRAY_SIZE(lines));
	nr = parse_options(argc, argv, opts, usage);
	f = pm_flow_find(nr ? argv[0] : "ingest-clean");
	if (nr > 1 || !f) {
		status = cmd_usage_error("run", "unknown flow '%s' (flows: %s)",
					 argv[0], names.buf);
		goto out;
	}
	fr.home = &h;
	fr.json = json;
	status = take("run", f, &fr, &p, &params);
	if (!status)
		status = foreground("run", f, &fr, &p, quiet);
out:
	pm_flow_run_release(&fr);
	host_params_release(&p);
	opt_list_release(&params);
	pm_home_release(&h);
	for (i = 0; i < PM_ARRAY_SIZE(lines); i++)
		pm_buf_release(&lines[i]);
	pm_buf_release(&names);
	return status;
}

static int backfill_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 backfill --source S --from D --to D [--station ID] "
		"[--file F | --url U] [--force] [--json]",
		"pm25 backfill --input PATH [--from D --to D] [--force] "
		"[--json]",
		NULL
	};
	struct opt_list params = { 0 };
	const char *o[8] = { NULL };
	static const char *const keys[8] = { "source", "from",	  "to",
					     "input",  "station", "file",
					     "url",    "contract" };
	int json = 0, quiet = 0, force = 0, status;
	struct option opts[] = {
		OPT_STRING_('s', "source", &o[0], "name",
			    "source driver (default csv with --input)"),
		OPT_STRING_(0, "from", &o[1], "date", "first local date"),
		OPT_STRING_(0, "to", &o[2], "date", "last local date"),
		OPT_STRING_(0, "input", &o[3], "path",
			    "a CSV file or directory instead of a source"),
		OPT_STRING_(0, "station", &o[4], "ids",
			    "stations, comma-separated"),
		OPT_STRING_(0, "file", &o[5], "path", "replay a recording"),
		OPT_STRING_(0, "url", &o[6], "url", "fetch this URL"),
		OPT_STRING_(0, "contract", &o[7], "file", "data contract"),
		OPT_BOOL_(0, "force", &force, "redo days already on main"),
		OPT_LIST_('p', "param", &params, "k=v",
			  "as for run; and TASK.retries, TASK.retry_delay_s, "
			  "TASK.retry_on, TASK.timeout_s"),
		OPT_BOOL_(0, "json", &json, "print the result as JSON"),
		OPT_BOOL_('q', "quiet", &quiet, "no task log lines on stderr"),
		OPT_END_(),
	};
	struct host_params p = { 0 };
	const struct pm_flow *f = pm_flow_find("backfill");
	struct pm_flow_run fr;
	struct pm_home h;
	size_t i;

	pm_home_locate(&h);
	pm_flow_run_init(&fr);
	if (parse_options(argc, argv, opts, usage)) {
		status = cmd_usage_error("backfill", "unexpected argument '%s'",
					 argv[0]);
		goto out;
	}
	for (i = 0; i < PM_ARRAY_SIZE(keys); i++)
		if (o[i])
			host_params_add(&p, keys[i], o[i]);
	fr.home = &h;
	fr.json = json;
	fr.force = force;
	status = take("backfill", f, &fr, &p, &params);
	if (!status)
		status = foreground("backfill", f, &fr, &p, quiet);
out:
	pm_flow_run_release(&fr);
	host_params_release(&p);
	opt_list_release(&params);
	pm_home_release(&h);
	return status;
}

const struct cmd cmd_run = {
	.name = "run",
	.summary = "run a flow in the foreground (ingest-clean)",
	.exec = run_exec,
	.flags = CMD_NEED_NET,
};

const struct cmd cmd_backfill = {
	.name = "backfill",
	.summary = "run ingest-clean one day at a time over a range",
	.exec = backfill_exec,
	.flags = CMD_NEED_NET,
};
