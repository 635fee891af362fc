/*
 * pm25 init: create PM25_HOME with its configuration and repositories.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/home.h"
#include "cmd.h"
#include "parse-options.h"

static int init_exec(int argc, const char **argv)
{
	const char *const usage[] = { "pm25 init [--json]", NULL };
	int json = 0, status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_BOOL_(0, "json", &json, "print the home as JSON"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_home h;
	enum pm_err e;

	if (parse_options(argc, argv, opts, usage))
		return cmd_usage_error("init", "unexpected argument");
	pm_home_locate(&h);
	e = pm_home_init(&h, &err);
	if (e) {
		status = cmd_fail("init", e, err.buf);
	} else if (json) {
		struct pm_buf b = PM_BUF_INIT;

		pm_buf_addstr(&b, "{\"home\": ");
		pm_buf_add_json_str(&b, h.dir, strlen(h.dir));
		pm_buf_addstr(&b, ", \"data\": \"data.git\", \"model\": "
				  "\"model.git\", \"config\": \"pm25.yaml\"}\n");
		fputs(b.buf, stdout);
		pm_buf_release(&b);
	} else {
		printf("pm25 home ready: %s (pm25.yaml, data.git, model.git)\n",
		       h.dir);
	}
	pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_init = {
	.name = "init",
	.summary = "create PM25_HOME: configuration and repositories",
	.exec = init_exec,
};
