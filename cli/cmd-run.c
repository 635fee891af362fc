/*
 * pm25 run [FLOW]: a flow of the flows table in the foreground
 * (foreground.h), one JSON log line per task on stderr and a summary on
 * stdout.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "cmd.h"
#include "foreground.h"
#include "parse-options.h"

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
	status = foreground_params("run", f, &fr, &p, &params);
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

const struct cmd cmd_run = {
	.name = "run",
	.summary = "run a flow in the foreground (ingest-clean)",
	.exec = run_exec,
	.flags = CMD_NEED_NET,
};
