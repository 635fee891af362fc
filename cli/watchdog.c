/*
 * One thread, started on the first armed task, asleep on a condition
 * variable until the armed deadline, which every arming or disarming
 * replaces under the lock.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "watchdog.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

/* Under mu. */
static struct {
	pthread_t thread;
	int started, quit, under_worker;
	double deadline; /* monotonic seconds, 0: disarmed */
	double timeout_s;
	char task[32];
	const char *run_id, *flow;
} wd;

/* The task overran: say so, then end the run (see watchdog.h). */
static void expire(const char *task, double timeout_s)
{
	struct pm_buf line = PM_BUF_INIT, why = PM_BUF_INIT,
		      err = PM_BUF_INIT;
	struct pm_state *st = NULL;
	struct pm_home h;
	char ts[32];
	ssize_t w;

	pm_time_format((int64_t)time(NULL), ts);
	pm_buf_addf(&line, "{\"ts\": \"%s\", \"level\": \"error\", \"run\": "
			   "\"%s\", \"flow\": \"%s\", \"task\": \"%s\", "
			   "\"state\": \"TimedOut\", \"timeout_s\": %g}\n",
		    ts, wd.run_id, wd.flow, task, timeout_s);
	/* nothing better to do if it fails: the run ends either way */
	w = write(2, line.buf, line.len);
	(void)w;
	if (wd.under_worker)
		kill(0, SIGKILL); /* the run's own process group */
	pm_buf_addf(&why, "task %s timed out after %g s", task, timeout_s);
	pm_home_locate(&h);
	if (!pm_home_state(&h, &st, &err)) {
		line.buf[line.len - 1] = '\0';
		pm_state_log(st, wd.run_id, "error", task, line.buf, NULL);
		pm_state_run_set(st, wd.run_id, PM_RUN_TIMEDOUT, why.buf, NULL);
		pm_state_close(st);
	}
	fprintf(stderr, "pm25 run: %s\n", why.buf);
	_exit(PM_EXIT_UNAVAILABLE);
}

static void *watch(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	while (!wd.quit) {
		struct timespec ts;
		double left = wd.deadline - pm_mono_s();

		if (wd.deadline && left <= 0) {
			char task[32];
			double t = wd.timeout_s;

			memcpy(task, wd.task, sizeof(task));
			pthread_mutex_unlock(&mu);
			expire(task, t);
		}
		pm_timespec_in(wd.deadline ? left : 3600, &ts);
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void watchdog_start(const char *run_id, const char *flow, int under_worker)
{
	pthread_mutex_lock(&mu);
	wd.run_id = run_id;
	wd.flow = flow;
	wd.under_worker = under_worker;
	pthread_mutex_unlock(&mu);
}

void watchdog_clock(void *ctx, const char *task, double timeout_s)
{
	(void)ctx;
	pthread_mutex_lock(&mu);
	wd.deadline = task && timeout_s > 0 ? pm_mono_s() + timeout_s : 0;
	wd.timeout_s = timeout_s;
	snprintf(wd.task, sizeof(wd.task), "%s", task ? task : "");
	if (wd.deadline && !wd.started &&
	    !pthread_create(&wd.thread, NULL, watch, NULL))
		wd.started = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

void watchdog_stop(void)
{
	int started;

	pthread_mutex_lock(&mu);
	wd.quit = 1;
	wd.deadline = 0;
	started = wd.started;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	if (started)
		pthread_join(wd.thread, NULL);
	pthread_mutex_lock(&mu);
	wd.started = wd.quit = 0;
	pthread_mutex_unlock(&mu);
}
