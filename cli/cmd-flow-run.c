/*
 * pm25 flow-run ls|inspect|logs|cancel|prune and pm25 pool
 * ls|create|pause|resume: the orchestrator's state, read and changed
 * from the command line.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/db.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "parse-options.h"

/* "2026-11-26T06:00:00.123Z" for a millisecond count, "-" for none. */
static const char *when(const char *ms, char *out, size_t size)
{
	long long v;
	char iso[32];

	if (!ms)
		return "-";
	v = strtoll(ms, NULL, 10);
	pm_time_format(pm_floor_div(v, 1000), iso);
	snprintf(out, size, "%.19s.%03lldZ", iso, v - pm_floor_div(v, 1000) * 1000);
	return out;
}

static void json_str(struct pm_buf *b, const char *s)
{
	if (s)
		pm_buf_add_json_str(b, s, strlen(s));
	else
		pm_buf_addstr(b, "null");
}

static void json_num(struct pm_buf *b, const char *s)
{
	pm_buf_addstr(b, s ? s : "null");
}

/* One run row (PM_RUN_COLUMNS) as a JSON object. */
static void run_json(struct pm_buf *b, const struct pm_rows *rs, size_t r)
{
	static const char *const names[] = {
		"id",	    "flow",	    "deployment", "pool",
		"state",    "state_reason", "parameters", "created_ms",
		"scheduled_ms", "started_ms", "ended_ms",	  "attempt",
	};
	size_t c;

	pm_buf_addch(b, '{');
	for (c = 0; c < PM_ARRAY_SIZE(names); c++) {
		const char *v = pm_rows_get(rs, r, c);

		pm_buf_addf(b, "%s\"%s\": ", c ? ", " : "", names[c]);
		if (c == 6 && v)
			pm_buf_addstr(b, v); /* parameters are JSON already */
		else if (c >= 7)
			json_num(b, v);
		else
			json_str(b, v);
	}
	pm_buf_addch(b, '}');
}

static int with_state(const char *cmd, struct pm_state **st, struct pm_home *h,
		      struct pm_buf *err)
{
	enum pm_err e;

	pm_home_locate(h);
	e = pm_home_state(h, st, err);
	return e ? cmd_fail(cmd, e, err->buf) : 0;
}

static int runs_ls(struct pm_state *st, const char *state, const char *flow,
		   long limit, int json, struct pm_buf *err)
{
	struct pm_buf out = PM_BUF_INIT;
	struct pm_rows rs;
	char t[40];
	size_t r;
	enum pm_err e;

	if (state && pm_run_state_parse(state) < 0)
		return cmd_usage_error("flow-run", "unknown state '%s'", state);
	if (state) /* stored as named */
		state = pm_run_state_name(
			(enum pm_run_state)pm_run_state_parse(state));
	e = pm_state_runs(st, state, flow, limit > 0 ? (size_t)limit : 0, &rs,
			  err);
	if (e)
		return cmd_fail("flow-run", e, err->buf);
	if (json)
		pm_buf_addch(&out, '[');
	else if (rs.nr)
		pm_buf_addf(&out, "%-21s  %-12s  %-24s  %-10s  %s\n", "ID",
			    "FLOW", "CREATED", "STATE", "REASON");
	for (r = 0; r < rs.nr; r++) {
		if (json) {
			pm_buf_addstr(&out, r ? ",\n " : "");
			run_json(&out, &rs, r);
			continue;
		}
		pm_buf_addf(&out, "%-21s  %-12s  %-24s  %-10s  %s\n",
			    pm_rows_get(&rs, r, 0), pm_rows_get(&rs, r, 1),
			    when(pm_rows_get(&rs, r, 7), t, sizeof(t)),
			    pm_rows_get(&rs, r, 4),
			    pm_rows_get(&rs, r, 5) ? pm_rows_get(&rs, r, 5) :
						     "");
	}
	if (json)
		pm_buf_addstr(&out, "]\n");
	fputs(out.buf, stdout);
	pm_buf_release(&out);
	pm_rows_release(&rs);
	return 0;
}

static int run_inspect(struct pm_state *st, const char *id, int json,
		       struct pm_buf *err)
{
	struct pm_buf out = PM_BUF_INIT;
	struct pm_rows run, hist;
	char t[40];
	size_t r;
	enum pm_err e = pm_state_run_get(st, id, &run, &hist, err);

	if (e)
		return cmd_fail("flow-run", e, err->buf);
	if (json) {
		run_json(&out, &run, 0);
		pm_buf_setlen(&out, out.len - 1);
		pm_buf_addstr(&out, ", \"states\": [");
		for (r = 0; r < hist.nr; r++) {
			pm_buf_addstr(&out, r ? ", {\"state\": " : "{\"state\": ");
			json_str(&out, pm_rows_get(&hist, r, 0));
			pm_buf_addstr(&out, ", \"reason\": ");
			json_str(&out, pm_rows_get(&hist, r, 1));
			pm_buf_addstr(&out, ", \"at_ms\": ");
			json_num(&out, pm_rows_get(&hist, r, 2));
			pm_buf_addch(&out, '}');
		}
		pm_buf_addstr(&out, "]}\n");
	} else {
		pm_buf_addf(&out, "flow run %s\nflow        %s\n",
			    pm_rows_get(&run, 0, 0), pm_rows_get(&run, 0, 1));
		pm_buf_addf(&out, "deployment  %s\npool        %s\n",
			    pm_rows_get(&run, 0, 2) ? pm_rows_get(&run, 0, 2) :
						      "-",
			    pm_rows_get(&run, 0, 3) ? pm_rows_get(&run, 0, 3) :
						      "-");
		pm_buf_addf(&out, "state       %s\nparameters  %s\n",
			    pm_rows_get(&run, 0, 4),
			    pm_rows_get(&run, 0, 6) ? pm_rows_get(&run, 0, 6) :
						      "{}");
		pm_buf_addf(&out, "attempt     %s\nstates:\n",
			    pm_rows_get(&run, 0, 11));
		for (r = 0; r < hist.nr; r++)
			pm_buf_addf(&out, "  %s  %-10s  %s\n",
				    when(pm_rows_get(&hist, r, 2), t, sizeof(t)),
				    pm_rows_get(&hist, r, 0),
				    pm_rows_get(&hist, r, 1) ?
					    pm_rows_get(&hist, r, 1) :
					    "");
	}
	fputs(out.buf, stdout);
	pm_buf_release(&out);
	pm_rows_release(&run);
	pm_rows_release(&hist);
	return 0;
}

static int run_logs(struct pm_state *st, const char *id, int json,
		    struct pm_buf *err)
{
	struct pm_buf out = PM_BUF_INIT;
	struct pm_rows run, hist, rs;
	char t[40];
	size_t r;
	enum pm_err e = pm_state_run_get(st, id, &run, &hist, err);

	if (!e) {
		pm_rows_release(&run);
		pm_rows_release(&hist);
		e = pm_state_logs(st, id, &rs, err);
	}
	if (e)
		return cmd_fail("flow-run", e, err->buf);
	for (r = 0; r < rs.nr; r++) {
		if (json) {
			pm_buf_addstr(&out, "{\"at_ms\": ");
			json_num(&out, pm_rows_get(&rs, r, 0));
			pm_buf_addstr(&out, ", \"level\": ");
			json_str(&out, pm_rows_get(&rs, r, 1));
			pm_buf_addstr(&out, ", \"task\": ");
			json_str(&out, pm_rows_get(&rs, r, 2));
			pm_buf_addstr(&out, ", \"message\": ");
			json_str(&out, pm_rows_get(&rs, r, 3));
			pm_buf_addstr(&out, "}\n");
		} else {
			pm_buf_addf(&out, "%s  %-5s  %-12s  %s\n",
				    when(pm_rows_get(&rs, r, 0), t, sizeof(t)),
				    pm_rows_get(&rs, r, 1),
				    pm_rows_get(&rs, r, 2) ?
					    pm_rows_get(&rs, r, 2) :
					    "-",
				    pm_rows_get(&rs, r, 3));
		}
	}
	fputs(out.buf, stdout);
	pm_buf_release(&out);
	pm_rows_release(&rs);
	return 0;
}

/* Cancel: a run not started yet ends at once; a running one is asked. */
static int run_cancel(struct pm_state *st, const char *id, struct pm_buf *err)
{
	struct pm_rows run, hist;
	enum pm_err e = pm_state_run_get(st, id, &run, &hist, err);
	enum pm_run_state to = PM_RUN_CANCELLED;
	int cur;

	if (e)
		return cmd_fail("flow-run", e, err->buf);
	cur = pm_run_state_parse(pm_rows_get(&run, 0, 4));
	if (cur == PM_RUN_RUNNING || cur == PM_RUN_RETRYING)
		to = PM_RUN_CANCELLING;
	pm_rows_release(&run);
	pm_rows_release(&hist);
	e = pm_state_run_set(st, id, to, "cancelled from the command line",
			     err);
	if (e)
		return cmd_fail("flow-run", e, err->buf);
	printf("%s %s\n", id, pm_run_state_name(to));
	return 0;
}

/*
 * Retention: old runs and logs, the scratch folders of ended runs, and
 * the run branches that failed or crashed runs left behind.
 */
static int run_prune(struct pm_state *st, struct pm_home *h, int days,
		     int json, struct pm_buf *err)
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
		"pm25 flow-run prune [--days N] [--json]",
		"pm25 flow-run execute ID [--worker NAME] [--attempt N]",
		NULL
	};
	const char *state = NULL, *flow = NULL, *worker = NULL;
	long limit = 0, days = -1, attempt = 0;
	int json = 0, status = PM_EXIT_OK, nr;
	struct option opts[] = {
		OPT_STRING_(0, "state", &state, "s", "ls: only runs in state s"),
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
	struct pm_state *st = NULL;
	struct pm_home h = { 0 };

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
	status = with_state("flow-run", &st, &h, &err);
	if (status)
		goto out;
	if (strcmp(argv[0], "prune")) {
		/* what is shown is current: runs whose holder died end now */
		struct pm_housekeeping hk = { 0 };

		pm_housekeep_sweep(st, &h, &hk, NULL);
	}
	if (!strcmp(argv[0], "ls")) {
		status = runs_ls(st, state, flow, limit, json, &err);
	} else if (!strcmp(argv[0], "inspect")) {
		status = run_inspect(st, argv[1], json, &err);
	} else if (!strcmp(argv[0], "logs")) {
		status = run_logs(st, argv[1], json, &err);
	} else if (!strcmp(argv[0], "cancel")) {
		status = run_cancel(st, argv[1], &err);
	} else if (!strcmp(argv[0], "prune")) {
		status = run_prune(st, &h, days >= 0 ? (int)days :
							st->retention_days,
				   json, &err);
	} else {
		status = cmd_usage_error("flow-run", "unknown subcommand '%s'",
					 argv[0]);
	}
out:
	pm_state_close(st);
	if (h.dir)
		pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

static int pool_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 pool ls [--json]",
		"pm25 pool create NAME [--type process|docker]",
		"pm25 pool pause NAME",
		"pm25 pool resume NAME",
		NULL
	};
	const char *type = "process";
	int json = 0, status = PM_EXIT_OK, nr;
	struct option opts[] = {
		OPT_STRING_(0, "type", &type, "t",
			    "create: process (default) or docker"),
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state *st = NULL;
	struct pm_home h = { 0 };
	enum pm_err e = PM_OK;

	nr = parse_options(argc, argv, opts, usage);
	if (!nr) {
		usage_with_options(usage, opts, 1);
		return PM_EXIT_USAGE;
	}
	if (strcmp(argv[0], "ls") && nr != 2) {
		status = cmd_usage_error("pool", "'%s' needs a pool name",
					 argv[0]);
		goto out;
	}
	if (!strcmp(argv[0], "create") && strcmp(type, "process") &&
	    strcmp(type, "docker")) {
		status = cmd_usage_error("pool", "--type is process or docker");
		goto out;
	}
	status = with_state("pool", &st, &h, &err);
	if (status)
		goto out;
	if (!strcmp(argv[0], "ls")) {
		struct pm_rows rs;
		size_t r;

		e = pm_state_pools(st, &rs, &err);
		for (r = 0; !e && r < rs.nr; r++) {
			if (json)
				printf("%s{\"name\": \"%s\", \"type\": \"%s\", "
				       "\"paused\": %s}",
				       r ? ",\n " : "[", pm_rows_get(&rs, r, 0),
				       pm_rows_get(&rs, r, 1),
				       strcmp(pm_rows_get(&rs, r, 2), "0") ?
					       "true" :
					       "false");
			else
				printf("%-20s %-8s %s\n", pm_rows_get(&rs, r, 0),
				       pm_rows_get(&rs, r, 1),
				       strcmp(pm_rows_get(&rs, r, 2), "0") ?
					       "paused" :
					       "active");
		}
		if (!e && json)
			printf("%s]\n", rs.nr ? "" : "[");
		if (!e)
			pm_rows_release(&rs);
	} else if (!strcmp(argv[0], "create")) {
		e = pm_state_pool_create(st, argv[1], type, &err);
		if (!e)
			printf("pool %s (%s)\n", argv[1], type);
	} else if (!strcmp(argv[0], "pause") || !strcmp(argv[0], "resume")) {
		e = pm_state_pool_pause(st, argv[1], argv[0][0] == 'p', &err);
		if (!e)
			printf("pool %s %s\n", argv[1],
			       argv[0][0] == 'p' ? "paused" : "resumed");
	} else {
		status = cmd_usage_error("pool", "unknown subcommand '%s'",
					 argv[0]);
	}
	if (e)
		status = cmd_fail("pool", e, err.buf);
out:
	pm_state_close(st);
	if (h.dir)
		pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_flow_run = {
	.name = "flow-run",
	.summary = "flow runs in the state database: ls, inspect, logs, cancel",
	.exec = flow_run_exec,
};

const struct cmd cmd_pool = {
	.name = "pool",
	.summary = "work pools: ls, create, pause, resume",
	.exec = pool_exec,
};
