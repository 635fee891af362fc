/*
 * The task watchdog (pm25/watchdog.h): one thread, started on the first
 * armed task, asleep on a condition variable until the armed deadline,
 * which every arming or disarming replaces under the lock.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include <time.h>
#include "pm25/timeutil.h"
#include "pm25/watchdog.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;

/* Under mu. */
static struct {
	pthread_t thread;
	int started, quit;
	double deadline; /* monotonic seconds, 0: disarmed */
	double timeout_s;
	char task[32];
	pm_watchdog_expire expire;
	void *ctx;
} wd;

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
			wd.deadline = 0; /* once per arming */
			pthread_mutex_unlock(&mu);
			if (wd.expire)
				wd.expire(wd.ctx, task, t);
			pthread_mutex_lock(&mu);
			continue;
		}
		pm_timespec_in(wd.deadline ? left : 3600, &ts);
		pthread_cond_timedwait(&cv, &mu, &ts);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void pm_watchdog_start(pm_watchdog_expire expire, void *ctx)
{
	pthread_mutex_lock(&mu);
	wd.expire = expire;
	wd.ctx = ctx;
	pthread_mutex_unlock(&mu);
}

void pm_watchdog_clock(const char *task, double timeout_s)
{
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

void pm_watchdog_stop(void)
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
	wd.expire = NULL;
	wd.ctx = NULL;
	pthread_mutex_unlock(&mu);
}
