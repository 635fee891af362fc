/*
 * pm25 run FLOW and pm25 backfill: the flows in the foreground, one JSON
 * log line per task on stderr and a summary on stdout. Each run is a
 * flow run in the state database, with its states and its log lines.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/home.h"
#include "pm25/http.h"
#include "pm25/housekeeping.h"
#include "pm25/loki.h"
#include "pm25/notify.h"
#include "pm25/pipeline.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "pm25/timeutil.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "owner.h"
#include "parse-options.h"
#include "watchdog.h"

const char *cmd_existing_run;
int cmd_run_by_worker;

/* Where a foreground run's events go. */
struct recorder {
	struct pm_state *st;
	struct pm_loki *loki; /* NULL: no PM25_LOKI_URL, or under a worker */
	const char *flow;
	char id[PM_RUN_ID_MAX];
	int quiet;
	char owner[PM_OWNER_MAX]; /* this process, as the run's holder */
	struct pm_buf scratch;	  /* PM25_HOME/tmp/<run> */
};

static void print_event(void *ctx, const char *json)
{
	struct recorder *rc = ctx;
	json_t *j;

	if (!rc->quiet)
		fprintf(stderr, "%s\n", json);
	if (!rc->st && !rc->loki)
		return;
	j = json_loads(json, 0, NULL);
	pm_loki_push(rc->loki, 0, rc->flow,
		     json_string_value(json_object_get(j, "level")), rc->id,
		     json);
	if (!rc->st) {
		json_decref(j);
		return;
	}
	pm_state_log(rc->st, rc->id,
		     json_string_value(json_object_get(j, "level")) ?
			     json_string_value(json_object_get(j, "level")) :
			     "info",
		     json_string_value(json_object_get(j, "task")), json, NULL);
	json_decref(j);
}

/*
 * Each task's start and end: the watchdog's clock, and a point where a
 * foreground run asked to cancel ends before the task begins.
 */
static void task_clock(void *ctx, const char *task, double timeout_s)
{
	struct recorder *rc = ctx;

	if (task && !cmd_existing_run)
		owner_checkpoint(rc->st);
	watchdog_clock(NULL, task, timeout_s);
}

/*
 * One alert per stale station and episode (its newest row, or the day
 * it sent nothing), so that an hourly run does not repeat it.
 */
static void alert_stale(struct recorder *rc, const struct pm_flow_result *r)
{
	char day[16];
	size_t i;

	pm_date_format(pm_state_now_ms() / 1000, day);
	for (i = 0; i < r->stale.nr; i++) {
		struct pm_buf key = PM_BUF_INIT, text = PM_BUF_INIT;
		const char *s = r->stale.v[i];

		pm_buf_addf(&key, "stale:%s%s%s", s,
			    strstr(s, "(no rows)") ? ":" : "",
			    strstr(s, "(no rows)") ? day : "");
		pm_buf_addf(&text, "station %s: no new data for longer than "
				   "the contract's freshness limit (run %s)",
			    s, rc->id);
		pm_state_alert_add(rc->st, key.buf, "stale", text.buf, NULL);
		pm_buf_release(&key);
		pm_buf_release(&text);
	}
}

/* Parameters as a JSON object, for the run's record. */
static char *params_json(const struct opt_list *params)
{
	json_t *o = json_object();
	char *text;
	size_t i;

	for (i = 0; i < params->nr; i++) {
		const char *eq = strchr(params->v[i], '=');
		char key[64];

		if (!eq || (size_t)(eq - params->v[i]) >= sizeof(key))
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - params->v[i]),
			 params->v[i]);
		if (strstr(eq + 1, "://")) {
			/* the record keeps no password of a URL */
			struct pm_buf shown = PM_BUF_INIT;

			pm_http_redact(eq + 1, &shown);
			json_object_set_new(o, key, json_string(shown.buf));
			pm_buf_release(&shown);
		} else {
			json_object_set_new(o, key, json_string(eq + 1));
		}
	}
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}

/*
 * A new flow run, Running from now, in rc's open state database, held by
 * this process under a lease that its owner thread renews (owner.h).
 */
static enum pm_err record_start(struct recorder *rc, struct pm_home *h,
				const char *flow,
				const struct opt_list *params, char **pj,
				struct pm_buf *err)
{
	struct pm_run_new nr = { 0 };
	char why[64];
	enum pm_err e;

	pm_flow_new_run_id((int64_t)time(NULL), rc->id, sizeof(rc->id));
	pm_state_owner_self(rc->owner, sizeof(rc->owner));
	snprintf(why, sizeof(why), "started in the foreground (pid %ld)",
		 (long)getpid());
	nr.id = rc->id;
	nr.flow = flow;
	nr.parameters = *pj = params_json(params);
	nr.state = PM_RUN_RUNNING;
	nr.reason = why;
	nr.owner = rc->owner;
	nr.lease_ms = OWNER_LEASE_MS;
	e = pm_state_run_create(rc->st, &nr, rc->id, err);
	if (!e) {
		pm_buf_setf(&rc->scratch, "%s/%s", h->tmp, rc->id);
		owner_start(rc->id, rc->owner, rc->scratch.buf);
	}
	return e;
}

/*
 * Record a train-model or eda run that the model and eda commands carry
 * out: Running now, Completed or Failed by other_end(). Under pm25
 * flow-run execute the run exists already and nothing is done here.
 */
static int other_begin(struct pm_home *h, const char *flow,
		       const struct opt_list *params, struct recorder *rc,
		       char **pj)
{
	struct pm_buf err = PM_BUF_INIT;
	enum pm_err e;
	int status = 0;

	if (cmd_existing_run)
		return 0;
	owner_block_signals();
	e = pm_home_state(h, &rc->st, &err);
	if (!e)
		e = record_start(rc, h, flow, params, pj, &err);
	if (e) {
		*rc->id = '\0';
		status = cmd_fail(flow, e, err.buf);
	}
	pm_buf_release(&err);
	return status;
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

/* The exit status, changed to 4 when the outcome could not be kept. */
static int other_end(struct recorder *rc, int status)
{
	char why[300];
	int st;

	owner_stop();
	if (!rc->st || !*rc->id)
		return status;
	if (status)
		snprintf(why, sizeof(why), "exit %d: %s", status,
			 *cmd_last_error() ? cmd_last_error() : "failed");
	st = owner_record_end(rc->st, "run", rc->id,
			      status ? PM_RUN_FAILED : PM_RUN_COMPLETED,
			      status ? why : "completed");
	return status ? status : st;
}

static void print_progress(void *ctx, size_t done, size_t total,
			   const char *day)
{
	int tty = isatty(2);

	(void)ctx;
	if (!day) {
		fprintf(stderr, "%sbackfill: %zu/%zu days done\n",
			tty ? "\r" : "", total, total);
		return;
	}
	if (tty)
		fprintf(stderr, "\rbackfill: %zu/%zu days (%s)", done + 1,
			total, day);
	else if (done % 10 == 0)
		fprintf(stderr, "backfill: %zu/%zu days (%s)\n", done + 1,
			total, day);
}

static void print_result(const struct pm_flow_result *r, int json, int ok,
			 const char *flow)
{
	size_t i;

	if (json) {
		struct pm_buf b = PM_BUF_INIT;

		pm_buf_addf(&b, "{\"flow\": \"%s\", \"run\": \"%s\", "
				"\"passed\": %s, \"input_rows\": %zu, "
				"\"accepted_rows\": %zu, \"output_rows\": %zu, "
				"\"score\": ",
			    flow, r->run, r->passed && ok ? "true" : "false",
			    r->input_rows, r->accepted_rows, r->output_rows);
		pm_buf_add_json_num(&b, r->score);
		pm_buf_addf(&b, ", \"batches\": %zu, \"published\": %zu, "
				"\"unchanged\": %zu, \"failed\": %zu, "
				"\"skipped\": %zu, \"no_data\": %zu, "
				"\"main\": \"%s\", \"stale_stations\": [",
			    r->batches, r->published, r->unchanged, r->failed,
			    r->skipped, r->no_data, r->main_commit);
		for (i = 0; i < r->stale.nr; i++) {
			if (i)
				pm_buf_addstr(&b, ", ");
			pm_buf_add_json_str(&b, r->stale.v[i],
					    strlen(r->stale.v[i]));
		}
		pm_buf_addch(&b, ']');
		if (!r->passed)
			pm_buf_addf(&b, ", \"branch\": \"%s\"", r->branch);
		pm_buf_addstr(&b, "}\n");
		fputs(b.buf, stdout);
		pm_buf_release(&b);
		return;
	}
	printf("run %s: %zu rows in, %zu accepted, %zu written; score %.6f\n",
	       r->run, r->input_rows, r->accepted_rows, r->output_rows,
	       r->score);
	printf("batches %zu: %zu published, %zu unchanged, %zu failed, %zu "
	       "skipped",
	       r->batches, r->published, r->unchanged, r->failed, r->skipped);
	if (r->no_data)
		printf(", %zu with no data", r->no_data);
	printf("\n");
	for (i = 0; i < r->stale.nr; i++)
		printf("stale station %s\n", r->stale.v[i]);
	printf("main is at %.12s\n", r->main_commit);
	if (!r->passed)
		printf("kept branch %s: pm25 data diff main %s\n", r->branch,
		       r->branch);
}

/* k=v into the flow options or the task policies; why says what is bad. */
static int take_param(struct pm_flow_opts *o, struct pm_task_policy *tasks,
		      const char *kv, const char **from, const char **to,
		      struct pm_buf *why)
{
	const char *eq = strchr(kv, '=');
	size_t n = eq ? (size_t)(eq - kv) : 0;
	const char *v = eq ? eq + 1 : NULL;

	if (!eq)
		return -1;
	if (memchr(kv, '.', n)) {
		char key[64];

		snprintf(key, sizeof(key), "%.*s", (int)n, kv);
		return pm_task_policy_set(tasks, key, v, why) ? -1 : 0;
	}
#define KEY(k) (n == strlen(k) && !memcmp(kv, k, n))
	if (KEY("source"))
		o->source = v;
	else if (KEY("file"))
		o->file = v;
	else if (KEY("url"))
		o->url = v;
	else if (KEY("station") || KEY("stations"))
		o->stations = v;
	else if (KEY("from"))
		*from = v;
	else if (KEY("to"))
		*to = v;
	else if (KEY("contract"))
		o->contract = v;
	else if (KEY("hour_label"))
		o->hour_label = v;
	else if (KEY("input"))
		o->input = v;
	else
		return -1;
#undef KEY
	return 0;
}

/* Every --param; err says which one is bad. */
static int take_params(struct pm_flow_opts *o, struct pm_task_policy *tasks,
		       const struct opt_list *params, const char **from,
		       const char **to, struct pm_buf *err)
{
	struct pm_buf why = PM_BUF_INIT;
	size_t i;
	int bad = 0;

	for (i = 0; !bad && i < params->nr; i++)
		if (take_param(o, tasks, params->v[i], from, to, &why)) {
			pm_buf_setf(err, "bad --param '%s'%s%s", params->v[i],
				    why.len ? ": " : "", why.len ? why.buf : "");
			bad = 1;
		}
	pm_buf_release(&why);
	return bad;
}

static int run_flow(int backfill, int argc, const char **argv)
{
	const char *const run_usage[] = {
		"pm25 run [ingest-clean | eda | train-model] [--param k=v...] "
		"[--json] [-q]",
		NULL
	};
	const char *const backfill_usage[] = {
		"pm25 backfill --source S --from D --to D [--station ID] "
		"[--file F | --url U] [--force] [--json]",
		"pm25 backfill --input PATH [--from D --to D] [--force] [--json]",
		NULL
	};
	struct opt_list params = { 0 };
	const char *from = NULL, *to = NULL, *name = argv[0];
	int json = 0, quiet = 0, force = 0, status = PM_EXIT_OK;
	struct pm_flow_opts o;
	struct option run_opts[] = {
		OPT_LIST_('p', "param", &params, "k=v",
			  "source, file, url, station, from, to, contract, "
			  "hour_label; train-model: alpha, weather"),
		OPT_BOOL_(0, "json", &json, "print the result as JSON"),
		OPT_BOOL_('q', "quiet", &quiet, "no task log lines on stderr"),
		OPT_END_(),
	};
	struct option backfill_opts[] = {
		OPT_STRING_('s', "source", &o.source, "name",
			    "source driver (default csv with --input)"),
		OPT_STRING_(0, "from", &from, "date", "first local date"),
		OPT_STRING_(0, "to", &to, "date", "last local date"),
		OPT_STRING_(0, "input", &o.input, "path",
			    "a CSV file or directory instead of a source"),
		OPT_STRING_(0, "station", &o.stations, "ids",
			    "stations, comma-separated"),
		OPT_STRING_(0, "file", &o.file, "path", "replay a recording"),
		OPT_STRING_(0, "url", &o.url, "url", "fetch this URL"),
		OPT_STRING_(0, "contract", &o.contract, "file",
			    "data contract"),
		OPT_BOOL_(0, "force", &force, "redo days already on main"),
		OPT_LIST_('p', "param", &params, "k=v",
			  "as for run; and TASK.retries, TASK.retry_delay_s, "
			  "TASK.retry_on, TASK.timeout_s"),
		OPT_BOOL_(0, "json", &json, "print the result as JSON"),
		OPT_BOOL_('q', "quiet", &quiet, "no task log lines on stderr"),
		OPT_END_(),
	};
	struct pm_task_policy tasks[PM_FLOW_NTASKS];
	struct pm_flow_result r;
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *data = NULL;
	struct recorder rc = { NULL, NULL, NULL, "", 0, "", PM_BUF_INIT };
	const char *flow = backfill ? "backfill" : "ingest-clean";
	char *pj = NULL;
	struct pm_home h;
	enum pm_err e;
	size_t i;
	int nr, kept = 0;

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	pm_task_policies_init(tasks);
	pm_home_locate(&h);
	nr = parse_options(argc, argv, backfill ? backfill_opts : run_opts,
			   backfill ? backfill_usage : run_usage);
	rc.flow = backfill ? "backfill" :
		  nr == 1 && (!strcmp(argv[0], "train-model") ||
			      !strcmp(argv[0], "eda")) ?
			     argv[0] :
			     "ingest-clean";
	if (!backfill && nr == 1 && !strcmp(argv[0], "train-model")) {
		const char *alpha = NULL, *stations = NULL;
		int weather = 0;

		for (i = 0; i < params.nr; i++) {
			const char *v = strchr(params.v[i], '=');
			size_t n = v ? (size_t)(v - params.v[i]) : 0;

			if (n == 5 && !strncmp(params.v[i], "alpha", 5)) {
				alpha = v + 1;
			} else if (n == 4 && !strncmp(params.v[i], "from", 4)) {
				from = v + 1;
			} else if (n == 2 && !strncmp(params.v[i], "to", 2)) {
				to = v + 1;
			} else if (n == 7 &&
				   !strncmp(params.v[i], "station", 7)) {
				stations = v + 1;
			} else if (n == 7 &&
				   !strncmp(params.v[i], "weather", 7) &&
				   (!strcmp(v + 1, "0") || !strcmp(v + 1, "1"))) {
				weather = v[1] == '1';
			} else {
				status = cmd_usage_error(name, "bad --param '%s' "
							       "(train-model: "
							       "alpha, weather=0|1, "
							       "from, to, station)",
							 params.v[i]);
				goto out;
			}
		}
		status = other_begin(&h, "train-model", &params, &rc, &pj);
		if (!status) {
			status = cmd_model_train(from, to, stations, alpha,
						 weather, json);
			status = other_end(&rc, status);
		}
		goto out;
	}
	if (!backfill && nr == 1 && !strcmp(argv[0], "eda")) {
		const char *eda_argv[] = { "eda", "--json", NULL };

		status = other_begin(&h, "eda", &params, &rc, &pj);
		if (!status) {
			status = cmd_eda_run(json ? 2 : 1, eda_argv, 1);
			status = other_end(&rc, status);
		}
		goto out;
	}
	if (!backfill) {
		if (nr > 1 || (nr == 1 && strcmp(argv[0], "ingest-clean"))) {
			status = cmd_usage_error(name, "unknown flow '%s' "
						       "(flows: ingest-clean, "
						       "eda, train-model)",
						 argv[0]);
			goto out;
		}
		/* pm25.yaml's defaults; a --param overrides them */
		o.source = pm_config_str(PM_CFG_SOURCE);
		o.contract = pm_config_str(PM_CFG_CONTRACT);
		o.stations = pm_config_str(PM_CFG_STATION);
		if (take_params(&o, tasks, &params, &from, &to, &err)) {
			status = cmd_usage_error(name, "%s", err.buf);
			goto out;
		}
	} else if (nr) {
		status = cmd_usage_error(name, "unexpected argument '%s'",
					 argv[0]);
		goto out;
	} else if (take_params(&o, tasks, &params, &from, &to, &err)) {
		status = cmd_usage_error(name, "%s", err.buf);
		goto out;
	} else if (!o.input && !o.source) {
		status = cmd_usage_error(name, "give --source or --input");
		goto out;
	}
	if (cmd_parse_day(from, &o.from_day) || cmd_parse_day(to, &o.to_day)) {
		status = cmd_usage_error(name, "--from/--to: not a date");
		goto out;
	}
	o.force = force;
	o.tmp_dir = h.tmp;
	o.now = PM_TIME_NONE;
	rc.quiet = quiet;
	rc.flow = flow;
	o.event = print_event;
	o.ctx = &rc;
	o.progress = quiet ? NULL : print_progress;
	if (!cmd_existing_run)
		owner_block_signals(); /* before the first thread */
	e = pm_home_store(&h, "data", &data, &err);
	if (!e)
		e = pm_home_state(&h, &rc.st, &err);
	if (!e && !cmd_existing_run) {
		/*
		 * Under a worker, the worker pushes what the run writes. The
		 * pusher's thread starts after the state database is open.
		 */
		struct pm_loki_opts lo;

		pm_loki_opts_from_env(&lo, NULL);
		rc.loki = pm_loki_start(&lo);
	}
	if (!e && !cmd_existing_run) {
		/* runs that died before this one end now, with their folders */
		struct pm_housekeeping hk = { 0 };

		pm_housekeep_sweep(rc.st, &h, &hk, NULL);
	}
	if (!e && cmd_existing_run) {
		snprintf(rc.id, sizeof(rc.id), "%s", cmd_existing_run);
		o.run_id = rc.id;
	} else if (!e) {
		e = record_start(&rc, &h, flow, &params, &pj, &err);
		o.run_id = rc.id;
	}
	o.tasks = tasks;
	o.task_clock = task_clock;
	if (!e)
		watchdog_start(rc.id, flow, cmd_run_by_worker);
	if (!e)
		e = backfill ? pm_flow_backfill(data, &o, &r, &err) :
			       pm_flow_ingest_clean(data, &o, &r, &err);
	watchdog_stop();
	if (e == PM_ERR_GATE && rc.st && *rc.id) {
		/* one alert for the run: this one, not a plain Failed */
		struct pm_buf q = PM_BUF_INIT;

		pm_buf_addf(&q, "quality score %.4f: %s", r.score,
			    err.buf ? err.buf : "below the gate");
		pm_state_alert_run(rc.st, rc.id, "quality", q.buf, NULL);
		pm_buf_release(&q);
	}
	if (rc.st && *rc.id && (!e || e == PM_ERR_GATE))
		alert_stale(&rc, &r); /* a run that failed knows nothing */
	owner_stop();
	if (rc.st && *rc.id && !cmd_existing_run) {
		char why[256];

		snprintf(why, sizeof(why), "%s",
			 !e ? "completed" : err.buf ? err.buf : "failed");
		kept = owner_record_end(rc.st, name, rc.id,
					e ? PM_RUN_FAILED : PM_RUN_COMPLETED,
					why);
	}
	if (e && e != PM_ERR_GATE) {
		status = cmd_fail(name, e, err.buf);
		goto out;
	}
	print_result(&r, json, !e, backfill ? "backfill" : "ingest-clean");
	if (e == PM_ERR_GATE)
		status = cmd_fail(name, e, err.buf);
	else if (kept)
		status = kept;
out:
	pm_loki_stop(rc.loki, 3000, NULL);
	if (!cmd_existing_run)
		send_alerts(rc.st);
	owner_stop();
	pm_flow_result_release(&r);
	pm_state_close(rc.st);
	pm_buf_release(&rc.scratch);
	free(pj);
	pm_store_close(data);
	pm_home_release(&h);
	opt_list_release(&params);
	pm_buf_release(&err);
	return status;
}

static int run_exec(int argc, const char **argv)
{
	return run_flow(0, argc, argv);
}

static int backfill_exec(int argc, const char **argv)
{
	return run_flow(1, argc, argv);
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
