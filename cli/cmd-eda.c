/*
 * pm25 eda: the exploratory report of the clean data on main, as one
 * self-contained HTML file; --publish also commits it to the data
 * repository (reports/eda/YYYY-MM-DD.html), as the eda flow does.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/flow.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "pm25/pipeline.h"
#include "pm25/store.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "parse-options.h"

static int eda_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 eda [--from D --to D] [--station IDS] -o report.html "
		"[--publish] [--json]",
		NULL
	};
	const char *from = NULL, *to = NULL, *station = NULL, *out = NULL;
	int publish = 0, json = 0, status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_STRING_(0, "from", &from, "date", "first local date"),
		OPT_STRING_(0, "to", &to, "date", "last local date"),
		OPT_STRING_(0, "station", &station, "ids",
			    "stations, comma-separated"),
		OPT_STRING_('o', "output", &out, "file", "write the report here"),
		OPT_BOOL_(0, "publish", &publish,
			  "commit it to reports/eda/ on main"),
		OPT_BOOL_(0, "json", &json, "print a JSON summary"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT, html = PM_BUF_INIT;
	struct pm_store *data = NULL;
	struct pm_home h;
	int64_t d0 = PM_TIME_NONE, d1 = PM_TIME_NONE;
	char commit[PM_ID_MAX] = "";
	enum pm_err e;

	pm_home_locate(&h);
	if (parse_options(argc, argv, opts, usage)) {
		status = cmd_usage_error("eda", "unexpected argument");
		goto out;
	}
	if (!out && !publish) {
		status = cmd_usage_error("eda", "give -o FILE or --publish");
		goto out;
	}
	if (cmd_parse_day(from, &d0) || cmd_parse_day(to, &d1)) {
		status = cmd_usage_error("eda", "--from/--to: not a date");
		goto out;
	}
	e = pm_home_store(&h, "data", &data, &err);
	if (!e)
		e = pm_flow_eda(data, d0, d1, station, publish, &html, commit,
				&err);
	if (!e && out)
		e = pm_file_write_atomic(out, html.buf, html.len, &err);
	if (e) {
		status = cmd_fail("eda", e, err.buf);
		goto out;
	}
	{
		struct pm_buf b = PM_BUF_INIT;

		pm_eda_summary(out, html.len, commit, publish, json, &b);
		fputs(b.buf, stdout);
		pm_buf_release(&b);
	}
out:
	pm_store_close(data);
	pm_home_release(&h);
	pm_buf_release(&err);
	pm_buf_release(&html);
	return status;
}

const struct cmd cmd_eda = {
	.name = "eda",
	.summary = "the exploratory report (HTML with inline SVG charts)",
	.exec = eda_exec,
};
