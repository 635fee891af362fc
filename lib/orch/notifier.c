/*
 * The alert sender's thread (pm25/notifier.h): a flush a second, then a
 * bounded drain when stopped; a request still in flight at the deadline
 * is cut through the notify settings' cancel flag.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include "pm25/alloc.h"
#include "pm25/home.h"
#include "pm25/notifier.h"
#include "pm25/notify.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"

struct pm_notifier {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pm_notify n;
	const struct pm_home *h;
	int stopping, done; /* under mu */
	int64_t drain_ms;   /* under mu */
	volatile int cancel;
};

static void *send_loop(void *arg)
{
	struct pm_notifier *nt = arg;
	struct pm_state *st = NULL;
	int64_t drain;

	pthread_mutex_lock(&nt->mu);
	while (!nt->stopping) {
		struct pm_notify_stats ns;
		struct timespec ts;

		pthread_mutex_unlock(&nt->mu);
		if (!st)
			pm_home_state((struct pm_home *)nt->h, &st, NULL);
		if (st && pm_notify_flush(st, &nt->n, &ns, NULL)) {
			/* a broken connection: open another next time */
			pm_state_close(st);
			st = NULL;
		}
		pthread_mutex_lock(&nt->mu);
		pm_timespec_in(1, &ts);
		if (!nt->stopping)
			pthread_cond_timedwait(&nt->cv, &nt->mu, &ts);
	}
	drain = nt->drain_ms;
	pthread_mutex_unlock(&nt->mu);
	if (st && drain > 0) {
		struct pm_notify_stats ns;

		pm_notify_drain(st, &nt->n, drain, &ns, NULL);
	}
	pm_state_close(st);
	pthread_mutex_lock(&nt->mu);
	nt->done = 1;
	pthread_cond_broadcast(&nt->cv);
	pthread_mutex_unlock(&nt->mu);
	return NULL;
}

struct pm_notifier *pm_notifier_start(const struct pm_home *h,
				      const struct pm_notify *n)
{
	struct pm_notifier *nt;

	if (!n->url)
		return NULL;
	nt = pm_xcalloc(1, sizeof(*nt));
	nt->n = *n;
	nt->n.cancel = &nt->cancel;
	nt->h = h;
	pthread_mutex_init(&nt->mu, NULL);
	pthread_cond_init(&nt->cv, NULL);
	if (pthread_create(&nt->thread, NULL, send_loop, nt)) {
		pthread_mutex_destroy(&nt->mu);
		pthread_cond_destroy(&nt->cv);
		free(nt);
		return NULL;
	}
	return nt;
}

void pm_notifier_stop(struct pm_notifier *nt, int64_t drain_ms)
{
	struct timespec ts;

	if (!nt)
		return;
	pthread_mutex_lock(&nt->mu);
	nt->stopping = 1;
	nt->drain_ms = drain_ms;
	pthread_cond_broadcast(&nt->cv);
	/* a flush or drain in flight has until the deadline */
	pm_timespec_in((double)(drain_ms > 0 ? drain_ms : 0) / 1000, &ts);
	while (!nt->done &&
	       pthread_cond_timedwait(&nt->cv, &nt->mu, &ts) == 0)
		;
	pthread_mutex_unlock(&nt->mu);
	nt->cancel = 1;
	pthread_join(nt->thread, NULL);
	pthread_mutex_destroy(&nt->mu);
	pthread_cond_destroy(&nt->cv);
	free(nt);
}
