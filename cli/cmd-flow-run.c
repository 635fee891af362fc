/*
 * pm25 flow-run ls|inspect|logs|cancel|retry|prune|execute: flow runs in the
 * state database, read and changed from the command line; all but prune
 * and execute also through pm25 server with PM25_API_URL (ops.h).
 */
#include "pm25/compat.h"
#include "pm25/actions.h"
#include "pm25/buf.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "cmd.h"
#include "ops.h"
#include "parse-options.h"

static int runs_ls(struct ops *o, const char *state, const char *flow,
		   long limit, int json, struct pm_buf *err)
{
	struct pm_buf out = PM_BUF_INIT;
	struct pm_run *v;
	char t[32];
	size_t n, r;
	enum pm_err e;

	if (state && pm_run_state_parse(state) < 0)
		return cmd_usage_error("flow-run", "unknown state '%s'", state);
	if (state) /* stored as named */
		state = pm_run_state_name(
			(enum pm_run_state)pm_run_state_parse(state));
	e = ops_run_list(o, state, flow, limit > 0 ? (size_t)limit : 0, &v, &n,
			 err);
	if (e)
		return cmd_fail("flow-run", e, err->buf);
	if (json)
		pm_buf_addch(&out, '[');
	else if (n)
		pm_buf_addf(&out, "%-21s  %-12s  %-24s  %-10s  %s\n", "ID",
			    "FLOW", "CREATED", "STATE", "REASON");
	for (r = 0; r < n; r++) {
		if (json) {
			/* a list carries no parameters: inspect shows them */
			pm_buf_addstr(&out, r ? ",\n " : "");
			pm_run_brief_json(&out, &v[r]);
			continue;
		}
		pm_buf_addf(&out, "%-21s  %-12s  %-24s  %-10s  %s\n", v[r].id,
			    v[r].flow, pm_ms_text(v[r].created_ms, t),
			    pm_run_state_name(v[r].state),
			    v[r].reason ? v[r].reason : "");
	}
	if (json)
		pm_buf_addstr(&out, "]\n");
	fputs(out.buf, stdout);
	pm_buf_release(&out);
	pm_runs_free(v, n);
	return 0;
}

static int run_inspect(struct ops *o, const char *id, int json,
		       struct pm_buf *err)
{
	struct pm_buf out = PM_BUF_INIT;
	struct pm_run_change *h;
	struct pm_run run;
	char t[32];
	size_t n, r;
	enum pm_err e = ops_run_load(o, id, &run, &h, &n, err);

	if (e)
		return cmd_fail("flow-run", e, err->buf);
	if (json) {
		pm_run_history_json(&out, &run, h, n);
		pm_buf_addch(&out, '\n');
	} else {
		pm_buf_addf(&out, "flow run %s\nflow        %s\n", run.id,
			    run.flow);
		pm_buf_addf(&out, "deployment  %s\npool        %s\n",
			    run.deployment ? run.deployment : "-",
			    run.pool ? run.pool : "-");
		pm_buf_addf(&out, "state       %s\nparameters  %s\n",
			    pm_run_state_name(run.state),
			    run.parameters ? run.parameters : "{}");
		pm_buf_addf(&out, "attempt     %ld\nstates:\n", run.attempt);
		for (r = 0; r < n; r++)
			pm_buf_addf(&out, "  %s  %-10s  %s\n",
				    pm_ms_text(h[r].at_ms, t),
				    pm_run_state_name(h[r].state),
				    h[r].reason ? h[r].reason : "");
	}
	fputs(out.buf, stdout);
	pm_buf_release(&out);
	pm_run_release(&run);
	pm_run_changes_free(h, n);
	return 0;
}

static int run_logs(struct ops *o, const char *id, int json,
		    struct pm_buf *err)
{
	struct pm_buf out = PM_BUF_INIT;
	struct pm_log_line *v = NULL;
	struct pm_run run;
	char t[32];
	size_t n = 0, r;
	enum pm_err e = ops_run_load(o, id, &run, NULL, NULL, err);

	if (!e) {
		pm_run_release(&run);
		e = ops_run_log(o, id, &v, &n, err);
	}
	if (e)
		return cmd_fail("flow-run", e, err->buf);
	for (r = 0; r < n; r++) {
		if (json) {
			pm_log_line_json(&out, &v[r]);
			pm_buf_addch(&out, '\n');
		} else {
			pm_buf_addf(&out, "%s  %-5s  %-12s  %s\n",
				    pm_ms_text(v[r].at_ms, t), v[r].level,
				    v[r].task ? v[r].task : "-", v[r].message);
		}
	}
	fputs(out.buf, stdout);
	pm_buf_release(&out);
	pm_log_lines_free(v, n);
	return 0;
}

/* Cancel: a run not started yet ends at once; a running one is asked. */
static int run_cancel(struct ops *o, const char *id, struct pm_buf *err)
{
	enum pm_run_state to;
	enum pm_err e = ops_run_cancel(o, id, &to, err);

	if (e)
		return cmd_fail("flow-run", e, err->buf);
	printf("%s %s\n", id, pm_run_state_name(to));
	return 0;
}

/* Retry: an ended run's next attempt, Scheduled now, for its own slot. */
static int run_retry(struct ops *o, const char *id, struct pm_buf *err)
{
	enum pm_err e = ops_run_retry(o, id, err);

	if (e)
		return cmd_fail("flow-run", e, err->buf);
	printf("%s Scheduled\n", id);
	return 0;
}

/*
 * Retention: old runs and logs, the scratch folders of ended runs, and
 * the run branches that failed or crashed runs left behind.
 */
static int run_prune(struct pm_state *st, struct pm_home *h, int days, int json,
		     struct pm_buf *err)
{
	struct pm_housekeeping hk = { 0 };
	struct pm_strv deleted = PM_STRV_INIT;
	struct pm_store *data = NULL;
	enum pm_err e;
	size_t i;
	int status = 0;

	e = pm_housekeep_sweep(st, h, &hk, err);
	if (!e && pm_is_dir(h->dir))
		e = pm_home_store(h, "data", &data, err);
	if (e == PM_ERR_NOTFOUND)
		e = PM_OK; /* no store yet: no branches */
	if (!e)
		e = pm_housekeep_prune(st, data, days, &hk, &deleted, err);
	if (e) {
		status = cmd_fail("flow-run", e, err->buf);
	} else if (json) {
		printf("{\"runs\": %zu, \"logs\": %zu, \"scratch\": %zu, "
		       "\"branches\": [",
		       hk.runs, hk.logs, hk.scratch);
		for (i = 0; i < deleted.nr; i++)
			printf("%s\"%s\"", i ? ", " : "", deleted.v[i]);
		printf("]}\n");
	} else {
		printf("pruned %zu finished runs and %zu log lines\n", hk.runs,
		       hk.logs);
		if (hk.scratch)
			printf("removed %zu scratch folders of ended runs\n",
			       hk.scratch);
		for (i = 0; i < deleted.nr; i++)
			printf("deleted branch %s\n", deleted.v[i]);
	}
	pm_store_close(data);
	pm_strv_release(&deleted);
	return status;
}

static int flow_run_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 flow-run ls [--state S] [--flow F] [--limit N] [--json]",
		"pm25 flow-run inspect ID [--json]",
		"pm25 flow-run logs ID [--json]",
		"pm25 flow-run cancel ID",
		"pm25 flow-run retry ID",
		"pm25 flow-run prune [--days N] [--json]",
		"pm25 flow-run execute ID [--worker NAME] [--attempt N]",
		NULL
	};
	const char *state = NULL, *flow = NULL, *worker = NULL;
	long limit = 0, days = -1, attempt = 0;
	int json = 0, status = PM_EXIT_OK, nr;
	struct option opts[] = {
		OPT_STRING_(0, "state", &state, "s",
			    "ls: only runs in state s"),
		OPT_STRING_(0, "flow", &flow, "f", "ls: only runs of flow f"),
		OPT_INT_(0, "limit", &limit, "n", "ls: at most n runs (100)"),
		OPT_INT_(0, "days", &days, "n",
			 "prune: older than n days (PM25_RETENTION_DAYS, 30)"),
		OPT_STRING_(0, "worker", &worker, "name",
			    "execute: the worker that claimed the run"),
		OPT_INT_(0, "attempt", &attempt, "n",
			 "execute: only while the run is on attempt n"),
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state *st;
	struct ops o = { 0 };

	nr = parse_options(argc, argv, opts, usage);
	if (nr == 2 && !strcmp(argv[0], "execute"))
		return cmd_flow_run_execute(argv[1], worker, attempt);
	if (!nr) {
		usage_with_options(usage, opts, 1);
		return PM_EXIT_USAGE;
	}
	if (strcmp(argv[0], "ls") && strcmp(argv[0], "prune") && nr != 2) {
		status = cmd_usage_error("flow-run", "'%s' needs one run id",
					 argv[0]);
		goto out;
	}
	status = ops_open(&o, "flow-run");
	if (status)
		goto out;
	if (o.st && strcmp(argv[0], "prune")) {
		/* what is shown is current: runs whose holder died end now */
		struct pm_housekeeping hk = { 0 };

		pm_housekeep_sweep(o.st, &o.home, &hk, NULL);
	}
	if (!strcmp(argv[0], "ls")) {
		status = runs_ls(&o, state, flow, limit, json, &err);
	} else if (!strcmp(argv[0], "inspect")) {
		status = run_inspect(&o, argv[1], json, &err);
	} else if (!strcmp(argv[0], "logs")) {
		status = run_logs(&o, argv[1], json, &err);
	} else if (!strcmp(argv[0], "cancel")) {
		status = run_cancel(&o, argv[1], &err);
	} else if (!strcmp(argv[0], "retry")) {
		status = run_retry(&o, argv[1], &err);
	} else if (!strcmp(argv[0], "prune")) {
		st = ops_state(&o, "flow-run", "prune");
		status = !st ? PM_EXIT_USAGE :
			       run_prune(st, &o.home,
					 days >= 0 ? (int)days :
						     pm_state_retention_days(st),
					 json, &err);
	} else {
		status = cmd_usage_error("flow-run", "unknown subcommand '%s'",
					 argv[0]);
	}
out:
	ops_close(&o);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_flow_run = {
	.name = "flow-run",
	.summary = "flow runs in the state database: ls, inspect, logs, "
		   "cancel, retry",
	.exec = flow_run_exec,
};
