/*
 * pm25 worker start -p POOL: serve a work pool (pm25/worker.h). SIGTERM
 * and SIGINT stop claiming; the runs finish within --grace seconds, then
 * are stopped and given back. The worker's lines and its runs' lines go
 * to stderr. pm25 worker ls: the workers the state database has seen.
 */
#include "pm25/compat.h"
#include <signal.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "parse-options.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

/* pm25 worker ls: name, pool, status, heartbeat age, runs held. */
static int worker_ls(const char *pool, int json)
{
	struct pm_buf err = PM_BUF_INIT, b = PM_BUF_INIT;
	struct pm_worker_info *v = NULL;
	struct pm_state *st = NULL;
	struct pm_home h;
	size_t n = 0, i;
	enum pm_err e;
	int64_t now = pm_state_now_ms();
	int status;

	pm_home_locate(&h);
	e = pm_home_state(&h, &st, &err);
	if (!e)
		e = pm_state_worker_list(st, pool, &v, &n, &err);
	for (i = 0; !e && i < n; i++) {
		if (json) {
			pm_buf_addstr(&b, i ? ",\n " : "[");
			pm_worker_json(&b, &v[i]);
			continue;
		}
		if (!i)
			pm_buf_addf(&b, "%-24s %-16s %-8s %-6s %s\n", "NAME",
				    "POOL", "STATUS", "RUNS", "LAST BEAT");
		pm_buf_addf(&b, "%-24s %-16s %-8s %-6ld %llds ago (%s, pid %ld)\n",
			    v[i].name, v[i].pool, v[i].status, v[i].runs,
			    (long long)((now - v[i].heartbeat_ms) / 1000),
			    v[i].host ? v[i].host : "-", v[i].pid);
	}
	if (!e && json)
		pm_buf_addstr(&b, n ? "]\n" : "[]\n");
	if (!e)
		fputs(b.buf ? b.buf : "", stdout);
	pm_workers_free(v, n);
	pm_state_close(st);
	pm_home_release(&h);
	pm_buf_release(&b);
	status = e ? cmd_fail("worker", e, err.buf) : PM_EXIT_OK;
	pm_buf_release(&err);
	return status;
}

static int worker_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 worker start -p POOL [--type process|docker] "
		"[--run-once] "
		"[--limit N] [--lease S] [--grace S] [--name NAME]",
		"pm25 worker ls [-p POOL] [--json]",
		NULL
	};
	struct pm_worker_opts o = { 0 };
	int nr, json = 0, status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_STRING_('p', "pool", &o.pool, "pool",
			    "the work pool to serve"),
		OPT_BOOL_(0, "run-once", &o.once,
			  "run at most one run, then exit"),
		OPT_INT_(0, "limit", &o.limit, "n",
			 "at most n runs at once (1)"),
		OPT_INT_(0, "lease", &o.lease_s, "s",
			 "lease length; heartbeats every third (30)"),
		OPT_INT_(0, "grace", &o.grace_s, "s",
			 "on SIGTERM, wait this long for runs (30)"),
		OPT_STRING_(0, "name", &o.name, "name",
			    "worker name (host-pid)"),
		OPT_STRING_(0, "type", &o.type, "t",
			    "process or docker (the pool's type)"),
		OPT_BOOL_(0, "json", &json, "ls: print JSON"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_home h;
	char me[128];
	enum pm_err e;

	o.limit = 1;
	o.lease_s = 30;
	o.grace_s = 30;
	nr = parse_options(argc, argv, opts, usage);
	if (nr == 1 && !strcmp(argv[0], "ls"))
		return worker_ls(o.pool, json);
	if (nr != 1 || strcmp(argv[0], "start") || !o.pool)
		return cmd_usage_error("worker", "start -p POOL, or ls");
	if (o.type && strcmp(o.type, "process") && strcmp(o.type, "docker"))
		return cmd_usage_error("worker", "--type is process or docker");
	if (o.limit < 1 || o.lease_s < 3 || o.grace_s < 0)
		return cmd_usage_error("worker", "--limit >= 1, --lease >= 3, "
						 "--grace >= 0");
	if (!o.name) {
		char host[64] = "host";

		gethostname(host, sizeof(host) - 1);
		snprintf(me, sizeof(me), "%s-%ld", host, (long)getpid());
		o.name = me;
	}
	pm_home_locate(&h);
	o.home = &h;
	o.stop = &stopping;
	o.say = say;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	e = pm_worker_run(&o, &err);
	if (e)
		status = cmd_fail("worker", e, err.buf);
	pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_worker = {
	.name = "worker",
	.summary = "serve a work pool (claim runs and execute them), or "
		   "list the workers",
	.exec = worker_exec,
};
