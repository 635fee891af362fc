/*
 * pm25 scheduler: create deployments' flow runs ahead of their cron
 * slots and mark overdue ones Late, every --interval seconds until
 * SIGTERM or SIGINT, or once with --once. A pass that fails (the state
 * database down) is logged and tried again with a growing delay.
 */
#include "pm25/compat.h"
#include <signal.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/notifier.h"
#include "pm25/notify.h"
#include "pm25/scheduler.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "parse-options.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Sleep s seconds, or less when a signal asks to stop. */
static void nap(double s)
{
	double end = pm_mono_s() + s;

	while (!stopping && pm_mono_s() < end)
		usleep(100000);
}

static int scheduler_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 scheduler [--once] [--ahead MINUTES] [--late-after SECONDS] "
		"[--interval SECONDS] [--json]",
		NULL
	};
	long ahead = 60, late = 60, interval = 10;
	int once = 0, json = 0, status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_BOOL_(0, "once", &once, "one pass, then exit"),
		OPT_INT_(0, "ahead", &ahead, "minutes",
			 "create runs this far ahead (60)"),
		OPT_INT_(0, "late-after", &late, "seconds",
			 "a run not started this long after its slot is Late "
			 "(60)"),
		OPT_INT_(0, "interval", &interval, "seconds",
			 "between passes (10)"),
		OPT_BOOL_(0, "json", &json, "one JSON line per pass"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state *st = NULL;
	struct pm_notify notify;
	struct pm_notifier *notifier = NULL;
	struct pm_home h;
	enum pm_err e;
	long failures = 0;

	if (parse_options(argc, argv, opts, usage)) {
		status = cmd_usage_error("scheduler", "unexpected argument '%s'",
					 argv[0]);
		return status;
	}
	if (ahead < 0 || late < 0 || interval < 1)
		return cmd_usage_error("scheduler", "--ahead and --late-after "
						    "are >= 0, --interval >= 1");
	pm_home_locate(&h);
	e = pm_home_state(&h, &st, &err);
	if (e) {
		status = cmd_fail("scheduler", e, err.buf);
		goto out;
	}
	pm_notify_from_env(&notify);
	notifier = pm_notifier_start(&h, &notify);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stopping) {
		struct pm_hk_clock hk = { 0, 0, 0, 0, 0 };
		struct pm_tick t;

		pm_buf_reset(&err);
		e = pm_housekeep_pass(st, &h, &hk, pm_mono_s(), &err);
		if (!e)
			e = pm_schedule_tick(st, pm_state_now_ms(),
					     ahead * 60000, late * 1000, &t,
					     &err);
		if (e && once) {
			status = cmd_fail("scheduler", e, err.buf);
			break;
		}
		if (e) {
			/* a pass that failed is logged and tried again */
			double wait = pm_backoff_s(1, ++failures, 60);

			fprintf(stderr,
				"{\"scheduler\": \"pass failed\", \"error\": "
				"\"%s\", \"retry_in_s\": %.1f}\n",
				pm_strerror(e), wait);
			fprintf(stderr, "pm25 scheduler: %s\n", err.buf);
			nap(wait);
			continue;
		}
		failures = 0;
		if (json)
			printf("{\"created\": %zu, \"existing\": %zu, "
			       "\"skipped\": %zu, \"late\": %zu, "
			       "\"cancelled\": %zu}\n",
			       t.created, t.existing, t.skipped, t.late,
			       t.cancelled);
		else
			printf("scheduled %zu runs (%zu there already, %zu "
			       "missed slots dropped), %zu late%s\n",
			       t.created, t.existing, t.skipped, t.late,
			       t.cancelled ? ", some cancelled over "
					     "max_late_runs" :
					     "");
		fflush(stdout);
		if (once)
			break;
		nap((double)interval);
	}
out:
	pm_notifier_stop(notifier, once ? 10000 : 3000);
	pm_state_close(st);
	pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_scheduler = {
	.name = "scheduler",
	.summary = "create deployments' runs ahead of their cron slots",
	.exec = scheduler_exec,
};
