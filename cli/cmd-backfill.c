/*
 * pm25 backfill: the backfill flow in the foreground (foreground.h), its
 * options given as the flow's parameters.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "cmd.h"
#include "foreground.h"
#include "parse-options.h"

static int backfill_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 backfill --source S --from D --to D [--station ID] "
		"[--file F | --url U] [--force] [--commit-days N] [--json]",
		"pm25 backfill --input PATH [--from D --to D] [--force] "
		"[--commit-days N] [--json]",
		NULL
	};
	struct opt_list params = { 0 };
	const char *o[9] = { NULL };
	static const char *const keys[9] = {
		"source", "from", "to",	      "input",	    "station",
		"file",	  "url",  "contract", "commit_days"
	};
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
		OPT_STRING_(0, "commit-days", &o[8], "n",
			    "days in one commit into main (default 31; 1: "
			    "a branch, commit and merge per day)"),
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
	status = foreground_params("backfill", f, &fr, &p, &params);
	if (!status)
		status = foreground("backfill", f, &fr, &p, quiet);
out:
	pm_flow_run_release(&fr);
	host_params_release(&p);
	opt_list_release(&params);
	pm_home_release(&h);
	return status;
}

const struct cmd cmd_backfill = {
	.name = "backfill",
	.summary = "run ingest-clean one day at a time over a range",
	.exec = backfill_exec,
	.flags = CMD_NEED_NET,
};
