/*
 * pm25 deployment apply|ls|inspect|update|run|pause|resume|rollback:
 * deployments and their versions in the state database, or through
 * pm25 server with PM25_API_URL (ops.h). update
 * --work-pool is promotion; rollback restores an earlier version's
 * pool, image, schedule and parameters as a new version.
 */
#include "pm25/compat.h"
#include "pm25/actions.h"
#include "pm25/buf.h"
#include "pm25/deployment.h"
#include "pm25/home.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "host.h"
#include "ops.h"
#include "parse-options.h"

static const char *const usage[] = {
	"pm25 deployment apply FILE [--json]",
	"pm25 deployment ls [--json]",
	"pm25 deployment inspect NAME [--json]",
	"pm25 deployment update NAME [--work-pool P] [--image TAG] "
	"[--param k=v...] [--cron C] [--timezone TZ] [--concurrency N]",
	"pm25 deployment run NAME [--param k=v...] [--json]",
	"pm25 deployment pause|resume NAME",
	"pm25 deployment rollback NAME [--to VERSION]",
	NULL
};

static int apply(struct ops *o, const char *file, int json,
		 struct pm_buf *err)
{
	struct pm_deploy_saved *saved = NULL;
	size_t nr = 0, i;
	enum pm_err e = ops_deployment_apply(o, file, &saved, &nr, err);

	if (json && (nr || !e))
		printf("[");
	for (i = 0; i < nr; i++)
		if (json)
			printf("%s{\"name\": \"%s\", \"version\": %ld, "
			       "\"changed\": %s}",
			       i ? ",\n " : "", saved[i].name, saved[i].version,
			       saved[i].created ? "true" : "false");
		else
			printf("%s: version %ld%s\n", saved[i].name,
			       saved[i].version,
			       saved[i].created ? "" : " (unchanged)");
	if (json && (nr || !e))
		printf("]\n");
	free(saved);
	return e ? cmd_fail("deployment", e, err->buf) : 0;
}

static int list(struct ops *o, int json, struct pm_buf *err)
{
	struct pm_buf b = PM_BUF_INIT;
	struct pm_deployment *v;
	size_t n, r;
	enum pm_err e = ops_deployment_list(o, &v, &n, err);

	if (e)
		return cmd_fail("deployment", e, err->buf);
	if (json)
		pm_buf_addch(&b, '[');
	else if (n)
		pm_buf_addf(&b, "%-32s %-4s %-7s %-16s %-16s %s\n", "NAME",
			    "VER", "STATE", "POOL", "SCHEDULE", "IMAGE");
	for (r = 0; r < n; r++) {
		if (json) {
			pm_buf_addstr(&b, r ? ",\n " : "");
			pm_deployment_brief_json(&b, &v[r]);
			continue;
		}
		pm_buf_addf(&b, "%-32s %-4ld %-7s %-16s %-16s %s\n", v[r].name,
			    v[r].version, v[r].paused ? "paused" : "active",
			    v[r].work_pool, v[r].cron ? v[r].cron : "-",
			    v[r].image ? v[r].image : "-");
	}
	if (json)
		pm_buf_addstr(&b, "]\n");
	fputs(b.buf, stdout);
	pm_buf_release(&b);
	pm_deployments_release(v, n);
	return 0;
}

/* A pool's status as a deployment shows it: why it does not run. */
static const char *pool_status(struct ops *o, const char *name)
{
	struct pm_pool_info *v = NULL;
	const char *s = "no such pool";
	size_t n = 0, i;

	if (ops_pool_list(o, &v, &n, NULL))
		n = 0;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			s = !strcmp(v[i].status, "ready")  ? "ready" :
			    !strcmp(v[i].status, "paused") ? "paused" :
							     "not_ready: no worker "
							     "online";
	pm_pools_free(v, n);
	return s;
}

static int inspect(struct ops *o, const char *name, int json,
		   struct pm_buf *err)
{
	struct pm_deployment_version *vs = NULL;
	struct pm_buf b = PM_BUF_INIT;
	struct pm_deployment d;
	size_t n = 0, r;
	enum pm_err e = ops_deployment_get(o, name, &d, &vs, &n, err);

	if (e) {
		pm_deployment_release(&d);
		return cmd_fail("deployment", e, err->buf);
	}
	if (json) {
		pm_deployment_json(&b, &d, vs, n);
		pm_buf_addch(&b, '\n');
	} else {
		pm_buf_addf(&b, "deployment %s (version %ld, %s)\n", d.name,
			    d.version, d.paused ? "paused" : "active");
		pm_buf_addf(&b, "flow         %s\nschedule     %s (%s, missed "
				"runs: %s)\n",
			    d.flow, d.cron ? d.cron : "none", d.timezone,
			    d.missed);
		pm_buf_addf(&b, "work pool    %s (%s)\nimage        %s\n"
				"parameters   %s\nconcurrency  %ld\nversions:\n",
			    d.work_pool, pool_status(o, d.work_pool),
			    d.image ? d.image : "-", d.parameters,
			    d.concurrency_limit);
		for (r = 0; r < n; r++)
			pm_buf_addf(&b, "  %3ld  %-40s pool %-16s image %s\n",
				    vs[r].version, vs[r].change,
				    vs[r].work_pool,
				    vs[r].image ? vs[r].image : "-");
	}
	fputs(b.buf, stdout);
	pm_buf_release(&b);
	pm_deployment_versions_free(vs, n);
	pm_deployment_release(&d);
	return 0;
}

static int saved(enum pm_err e, const struct pm_deploy_saved *s,
		 struct pm_buf *err)
{
	if (e)
		return cmd_fail("deployment", e, err->buf);
	printf("%s: version %ld%s\n", s->name, s->version,
	       s->created ? "" : " (unchanged)");
	return 0;
}

static int run(struct ops *o, const char *name, const struct host_params *p,
	       int json, struct pm_buf *err)
{
	struct pm_deployment d;
	char id[PM_RUN_ID_MAX];
	enum pm_err e = ops_deployment_run(o, name, p->kv, p->nr, id, &d, err);

	if (e)
		return cmd_fail("deployment", e, err->buf);
	if (json)
		printf("{\"id\": \"%s\", \"deployment\": \"%s\", "
		       "\"version\": %ld, \"pool\": \"%s\", \"state\": "
		       "\"Scheduled\"}\n",
		       id, d.name, d.version, d.work_pool);
	else
		printf("flow run %s scheduled in %s (%s version %ld)\n", id,
		       d.work_pool, d.name, d.version);
	pm_deployment_release(&d);
	return 0;
}

static int deployment_exec(int argc, const char **argv)
{
	struct pm_deploy_change c = { NULL, NULL, NULL, NULL, -1, NULL, 0 };
	long to = 0;
	int json = 0, status = PM_EXIT_OK, nr;
	struct opt_list params = { 0 };
	struct option opts[] = {
		OPT_STRING_(0, "work-pool", &c.work_pool, "p",
			    "update: move to work pool p (promotion)"),
		OPT_STRING_(0, "image", &c.image, "tag", "update: the image"),
		OPT_LIST_('p', "param", &params, "k=v",
			  "update, run: set a parameter"),
		OPT_STRING_(0, "cron", &c.cron, "expr",
			    "update: the schedule (\"\" for none)"),
		OPT_STRING_(0, "timezone", &c.timezone, "zone",
			    "update: IANA zone"),
		OPT_INT_(0, "concurrency", &c.concurrency, "n",
			 "update: at most n runs at once (0: no limit)"),
		OPT_INT_(0, "to", &to, "version",
			 "rollback: this version (default: the one before)"),
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct host_params p = { 0 };
	struct pm_deploy_saved s;
	struct ops o = { 0 };
	const char *sub;
	enum pm_err e;
	size_t i;

	nr = parse_options(argc, argv, opts, usage);
	if (!nr) {
		usage_with_options(usage, opts, 1);
		status = PM_EXIT_USAGE;
		goto out;
	}
	sub = argv[0];
	if (strcmp(sub, "ls") && nr != 2) {
		status = cmd_usage_error("deployment", "'%s' needs %s", sub,
					 strcmp(sub, "apply") ? "a name" :
								"a file");
		goto out;
	}
	status = ops_open(&o, "deployment");
	if (status)
		goto out;
	for (i = 0; i < params.nr; i++)
		if (*params.v[i] == '=' ||
		    host_params_add_kv(&p, params.v[i])) {
			status = cmd_fail("deployment", PM_ERR_USAGE,
					  "--param takes k=v");
			goto out;
		}
	c.params = p.kv;
	c.nparams = p.nr;
	if (!strcmp(sub, "apply")) {
		status = apply(&o, argv[1], json, &err);
	} else if (!strcmp(sub, "ls")) {
		status = list(&o, json, &err);
	} else if (!strcmp(sub, "inspect")) {
		status = inspect(&o, argv[1], json, &err);
	} else if (!strcmp(sub, "pause") || !strcmp(sub, "resume")) {
		e = ops_deployment_pause(&o, argv[1], sub[0] == 'p', &err);
		if (e)
			status = cmd_fail("deployment", e, err.buf);
		else
			printf("%s %s\n", argv[1],
			       sub[0] == 'p' ? "paused" : "resumed");
	} else if (!strcmp(sub, "update")) {
		e = ops_deployment_update(&o, argv[1], &c, &s, &err);
		status = saved(e, &s, &err);
	} else if (!strcmp(sub, "rollback")) {
		e = ops_deployment_rollback(&o, argv[1], to, &s, &err);
		status = saved(e, &s, &err);
	} else if (!strcmp(sub, "run")) {
		status = run(&o, argv[1], &p, json, &err);
	} else {
		status = cmd_usage_error("deployment",
					 "unknown subcommand '%s'", sub);
	}
out:
	ops_close(&o);
	host_params_release(&p);
	opt_list_release(&params);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_deployment = {
	.name = "deployment",
	.summary =
		"deployments and their versions: apply, update, rollback, run",
	.exec = deployment_exec,
};
