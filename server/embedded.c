/*
 * What pm25 server runs beside its HTTP threads so that one process does
 * the whole job: a scheduler pass every 10 s (with the housekeeping)
 * and a worker for etl-pool-dev, each a thread with its own state
 * database connection, both stopped by the server's stop flag.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/proc.h"
#include "pm25/scheduler.h"
#include "pm25/server.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "pm25/worker.h"
#include "server-int.h"

static void *scheduler_main(void *arg)
{
	const struct pm_server_opts *o = arg;
	struct pm_hk_clock hk = { 0, 0, 0, 0, 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state *st = NULL;
	double next = 0;

	while (!*o->stop) {
		struct pm_tick t;
		enum pm_err e = PM_OK;

		if (pm_mono_s() < next) {
			usleep(100000);
			continue;
		}
		next = pm_mono_s() + 10;
		pm_buf_reset(&err);
		if (!st)
			e = pm_home_state(o->home, &st, &err);
		if (!e)
			e = pm_housekeep_pass(st, o->home, &hk, pm_mono_s(),
					      &err);
		if (!e)
			e = pm_schedule_tick(st, pm_state_now_ms(), 3600000,
					     60000, &t, &err);
		if (e && st) { /* opened again at the next pass */
			pm_state_close(st);
			st = NULL;
		}
	}
	pm_state_close(st);
	pm_buf_release(&err);
	return NULL;
}

struct worker_thread {
	struct pm_worker_opts wo;
	char name[160];
};

static void *worker_main(void *arg)
{
	struct worker_thread *w = arg;
	struct pm_buf err = PM_BUF_INIT;

	pm_worker_run(&w->wo, &err);
	pm_buf_release(&err);
	return NULL;
}

int srv_embedded_start(const struct pm_server_opts *o, struct srv_embedded *e)
{
	memset(e, 0, sizeof(*e));
	if (!o->no_scheduler &&
	    !pthread_create(&e->scheduler, NULL, scheduler_main, (void *)o))
		e->has_scheduler = 1;
	if (!o->no_worker) {
		struct worker_thread *w = calloc(1, sizeof(*w));
		char host[128];

		if (!w)
			return -1;
		pm_proc_host(host, sizeof(host));
		snprintf(w->name, sizeof(w->name), "server-%s-%ld", host,
			 (long)getpid());
		w->wo.home = o->home;
		w->wo.pool = "etl-pool-dev";
		w->wo.name = w->name;
		w->wo.limit = 1;
		w->wo.lease_s = 30;
		w->wo.grace_s = 30;
		w->wo.stop = o->stop;
		w->wo.say = o->say;
		w->wo.ctx = o->ctx;
		if (!pthread_create(&e->worker, NULL, worker_main, w)) {
			e->has_worker = 1;
			e->worker_arg = w;
		} else {
			free(w);
		}
	}
	return 0;
}

void srv_embedded_join(struct srv_embedded *e)
{
	if (e->has_scheduler)
		pthread_join(e->scheduler, NULL);
	if (e->has_worker)
		pthread_join(e->worker, NULL);
	free(e->worker_arg);
}
