/*
 * pm25 alert ls|flush|test: the alert outbox in the state database and
 * its Slack-compatible webhook (PM25_SLACK_WEBHOOK_URL).
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/notify.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "cmd.h"
#include "ops.h"
#include "parse-options.h"

static void alerts_ls(const struct pm_alert *v, size_t n, int json)
{
	size_t r;

	if (json) {
		struct pm_buf b = PM_BUF_INIT;

		pm_alerts_json(&b, v, n, 1);
		puts(b.buf);
		pm_buf_release(&b);
		return;
	}
	for (r = 0; r < n; r++)
		printf("%-8s %-9s tries %-2ld %-30s %.80s\n", v[r].status,
		       v[r].kind, v[r].tries,
		       v[r].deployment ? v[r].deployment :
		       v[r].flow       ? v[r].flow :
					 v[r].key,
		       v[r].text);
}

static int flush(struct pm_state *st, int json)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_notify_stats ns;
	struct pm_notify n;
	enum pm_err e;
	int status;

	pm_notify_from_env(&n);
	if (!n.url)
		return cmd_fail("alert", PM_ERR_USAGE,
				"PM25_SLACK_WEBHOOK_URL is not set");
	e = pm_notify_flush(st, &n, &ns, &err);
	if (e) {
		status = cmd_fail("alert", e, err.buf);
		goto out;
	}
	if (json)
		printf("{\"messages\": %zu, \"sent\": %zu, \"held\": %zu, "
		       "\"retrying\": %zu, \"failed\": %zu}\n",
		       ns.messages, ns.sent, ns.held, ns.retrying, ns.failed);
	else
		printf("sent %zu alert%s in %zu message%s; %zu held by the "
		       "throttle, %zu to retry, %zu failed\n",
		       ns.sent, ns.sent == 1 ? "" : "s", ns.messages,
		       ns.messages == 1 ? "" : "s", ns.held, ns.retrying,
		       ns.failed);
	status = ns.retrying ? cmd_fail("alert", PM_ERR_NET,
					"the webhook did not take every alert; "
					"see pm25 alert ls") :
		 ns.failed   ? cmd_fail("alert", PM_ERR_HTTP,
					"the webhook refused alerts; see pm25 "
					  "alert ls --status failed") :
			       PM_EXIT_OK;
out:
	pm_buf_release(&err);
	return status;
}

static int alert_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 alert ls [--status pending|sent|failed] [--limit N] "
		"[--json]",
		"pm25 alert flush [--json]", "pm25 alert test", NULL
	};
	const char *status_filter = NULL;
	long limit = 100;
	int json = 0, status = PM_EXIT_OK, nr;
	struct option opts[] = {
		OPT_STRING_(0, "status", &status_filter, "s",
			    "ls: pending, sent or failed"),
		OPT_INT_('n', "limit", &limit, "n", "ls: at most n (100)"),
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state *st;
	struct ops o = { 0 };
	enum pm_err e;

	nr = parse_options(argc, argv, opts, usage);
	if (nr != 1) {
		usage_with_options(usage, opts, 1);
		return PM_EXIT_USAGE;
	}
	if (strcmp(argv[0], "ls") && strcmp(argv[0], "flush") &&
	    strcmp(argv[0], "test"))
		return cmd_usage_error("alert", "unknown subcommand '%s'",
				       argv[0]);
	if (limit < 1)
		return cmd_usage_error("alert", "--limit must be 1 or more");
	status = ops_open(&o, "alert");
	if (status)
		goto out;
	if (!strcmp(argv[0], "ls")) {
		struct pm_alert *v;
		size_t n;

		e = ops_alert_list(&o, status_filter, (size_t)limit, &v, &n,
				   &err);
		if (e) {
			status = cmd_fail("alert", e, err.buf);
			goto out;
		}
		alerts_ls(v, n, json);
		pm_alerts_free(v, n);
	} else if (!(st = ops_state(&o, "alert", argv[0]))) {
		status = PM_EXIT_USAGE;
	} else if (!strcmp(argv[0], "test")) {
		char key[48];

		snprintf(key, sizeof(key), "test:%lld",
			 (long long)pm_state_now_ms());
		e = pm_state_alert_add(st, key, "test",
				       "a test alert: pm25 can reach this "
				       "channel",
				       &err);
		status = e ? cmd_fail("alert", e, err.buf) : flush(st, json);
	} else {
		status = flush(st, json);
	}
out:
	ops_close(&o);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_alert = {
	.name = "alert",
	.summary = "alerts to the Slack-compatible webhook: ls, flush, test",
	.exec = alert_exec,
	.flags = CMD_NEED_NET,
};
