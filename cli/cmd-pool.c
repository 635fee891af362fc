/*
 * pm25 pool ls|create|pause|resume: the work pools in the state database.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "cmd.h"
#include "ops.h"
#include "parse-options.h"

static int pool_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 pool ls [--json]",
		"pm25 pool create NAME [--type process|docker]",
		"pm25 pool pause NAME", "pm25 pool resume NAME", NULL
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
	struct pm_state *st;
	struct ops o = { 0 };
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
	status = ops_open(&o, "pool");
	if (status)
		goto out;
	if (!strcmp(argv[0], "ls")) {
		struct pm_pool_info *v;
		size_t n, r;

		e = ops_pool_list(&o, &v, &n, &err);
		for (r = 0; !e && r < n; r++) {
			struct pm_buf b = PM_BUF_INIT;

			if (json) {
				pm_buf_addstr(&b, r ? ",\n " : "[");
				pm_pool_json(&b, &v[r]);
			} else {
				pm_buf_addf(&b, "%-20s %-8s %-10s %ld online\n",
					    v[r].name, v[r].type, v[r].status,
					    v[r].online);
			}
			fputs(b.buf, stdout);
			pm_buf_release(&b);
		}
		if (!e && json)
			printf("%s]\n", n ? "" : "[");
		if (!e)
			pm_pools_free(v, n);
	} else if (!strcmp(argv[0], "create")) {
		st = ops_state(&o, "pool", "create");
		if (!st)
			status = PM_EXIT_USAGE;
		else
			e = pm_state_pool_create(st, argv[1], type, &err);
		if (st && !e)
			printf("pool %s (%s)\n", argv[1], type);
	} else if (!strcmp(argv[0], "pause") || !strcmp(argv[0], "resume")) {
		e = ops_pool_pause(&o, argv[1], argv[0][0] == 'p', &err);
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
	ops_close(&o);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_pool = {
	.name = "pool",
	.summary = "work pools: ls, create, pause, resume",
	.exec = pool_exec,
};
