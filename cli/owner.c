/*
 * A foreground run's owner thread: the lease, signals and cancels
 * (owner.h). It waits in sigtimedwait() for the signals every other
 * thread holds back, renewing the lease between them on a state
 * connection of its own.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/records.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "owner.h"

/* The signal owner_stop() wakes the thread with. */
#define WAKE SIGUSR2

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/*
 * Set by the owner thread the moment it decides to end the run, so that
 * the main thread, at its next task, waits for the end instead of going
 * on to publish.
 */
static volatile sig_atomic_t ending;
static pthread_cond_t parked_cv = PTHREAD_COND_INITIALIZER;
static int parked; /* under mu: the main thread waits at a checkpoint */

/* How long a run being ended waits for its task to reach a checkpoint. */
#define PARK_WAIT_S 5

/* Under mu. */
static struct {
	pthread_t thread;
	int started, done;
	const char *id, *owner, *scratch;
} ow;

static void wait_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, WAKE);
}

void owner_block_signals(void)
{
	sigset_t set;

	wait_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* One line on stderr, written at once: the process exits right after. */
static void say(const char *fmt, ...) PM_PRINTF(1, 2);

static void say(const char *fmt, ...)
{
	struct pm_buf b = PM_BUF_INIT;
	va_list ap;
	ssize_t w;

	va_start(ap, fmt);
	pm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	pm_buf_addch(&b, '\n');
	w = write(2, b.buf, b.len);
	(void)w;
	pm_buf_release(&b);
}

/*
 * End the run here, unless the main thread is recording its outcome
 * already: state s for reason, then exit with status. mu is held to the
 * end, so the main thread cannot finish meanwhile.
 */
static void end_run(struct pm_state *st, enum pm_run_state s,
		    const char *reason, int status, int from_main)
{
	struct pm_buf err = PM_BUF_INIT;

	ending = 1;
	pthread_mutex_lock(&mu);
	if (from_main)
		parked = 1; /* at a checkpoint already */
	if (ow.done) {
		ending = 0;
		pthread_mutex_unlock(&mu);
		return;
	}
	if (!st || pm_state_run_set(st, ow.id, s, reason, &err))
		say("pm25 run: %s; could not record it: %s (the run will be "
		    "Crashed when found)",
		    reason, err.len ? err.buf : "no state database");
	else
		say("pm25 run: run %s %s: %s", ow.id, pm_run_state_name(s),
		    reason);
	/*
	 * Let the task that runs reach its end, where the main thread
	 * waits, so that no write is cut in the middle; a task that takes
	 * longer is cut (as by kill -9, which the store survives).
	 */
	if (!parked) {
		struct timespec ts;

		pm_timespec_in(PARK_WAIT_S, &ts);
		while (!parked &&
		       pthread_cond_timedwait(&parked_cv, &mu, &ts) == 0)
			;
	}
	if (ow.scratch)
		pm_remove_tree(ow.scratch);
	_exit(status);
}

static void end_signalled(struct pm_state *st, int sig, int from_main)
{
	char why[128];

	snprintf(why, sizeof(why), "cancelled: the process got %s",
		 sig == SIGINT ? "SIGINT" :
		 sig == SIGHUP ? "SIGHUP" :
				 "SIGTERM");
	end_run(st, PM_RUN_CANCELLED, why, 128 + sig, from_main);
}

static void *own(void *arg)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state *st = NULL;
	struct timespec beat = { OWNER_BEAT_MS / 1000,
				 (OWNER_BEAT_MS % 1000) * 1000000L };
	struct pm_home h;
	sigset_t set;

	(void)arg;
	wait_set(&set);
	pm_home_locate(&h);
	/* connected before anything asks to end the run */
	pm_home_state(&h, &st, &err);
	for (;;) {
		int sig = sigtimedwait(&set, NULL, &beat), cancel = 0;
		enum pm_err e;

		if (sig == WAKE)
			break;
		if (sig < 0 && errno == EINTR)
			continue; /* stopped and continued: look again */
		if (!st) {
			/* its own connection: the main thread's is busy */
			pm_buf_reset(&err);
			pm_home_state(&h, &st, &err);
		}
		if (sig > 0) {
			ending = 1;
			end_signalled(st, sig, 0);
			break;
		}
		if (!st)
			continue; /* the database is down: try again */
		pm_buf_reset(&err);
		e = pm_state_heartbeat(st, ow.id, ow.owner, OWNER_LEASE_MS,
				       &cancel, &err);
		if (cancel)
			end_run(st, PM_RUN_CANCELLED,
				"cancelled with pm25 flow-run cancel", 1, 0);
		if (e == PM_ERR_CONFLICT) {
			/* a sweep took it (this process looked dead) */
			pthread_mutex_lock(&mu);
			if (!ow.done) {
				say("pm25 run: %s; stopping", err.buf);
				_exit(PM_EXIT_UNAVAILABLE);
			}
			pthread_mutex_unlock(&mu);
		} else if (e) {
			/* reconnect on the next beat */
			pm_state_close(st);
			st = NULL;
		}
	}
	pm_state_close(st);
	pm_home_release(&h);
	pm_buf_release(&err);
	return NULL;
}

void owner_checkpoint(struct pm_state *st)
{
	static const struct timespec now = { 0, 0 };
	struct pm_run run;
	sigset_t set;
	int cancel = 0, sig;

	if (!ow.id)
		return;
	/* the owner thread is ending the run: wait here for the exit */
	if (ending) {
		pthread_mutex_lock(&mu);
		parked = 1;
		pthread_cond_signal(&parked_cv);
		pthread_mutex_unlock(&mu);
		while (ending)
			usleep(10000);
		pthread_mutex_lock(&mu);
		parked = 0;
		pthread_mutex_unlock(&mu);
	}
	/* a signal the owner thread has not taken yet ends the run here */
	wait_set(&set);
	sigdelset(&set, WAKE);
	sig = sigtimedwait(&set, NULL, &now);
	if (sig > 0)
		end_signalled(st, sig, 1);
	/* a read, not a beat: this runs at every task, the owner beats */
	if (!st || pm_state_run_load(st, ow.id, &run, NULL, NULL, NULL))
		return; /* the owner thread keeps trying */
	cancel = run.state == PM_RUN_CANCELLING;
	pm_run_release(&run);
	if (cancel)
		end_run(st, PM_RUN_CANCELLED,
			"cancelled with pm25 flow-run cancel", 1, 1);
}

void owner_start(const char *id, const char *owner, const char *scratch)
{
	pthread_mutex_lock(&mu);
	ow.id = id;
	ow.owner = owner;
	ow.scratch = scratch;
	ow.done = 0;
	if (!ow.started && !pthread_create(&ow.thread, NULL, own, NULL))
		ow.started = 1;
	pthread_mutex_unlock(&mu);
}

void owner_stop(void)
{
	int started;

	pthread_mutex_lock(&mu);
	ow.done = 1;
	started = ow.started;
	ow.started = 0;
	pthread_mutex_unlock(&mu);
	if (started) {
		pthread_kill(ow.thread, WAKE);
		pthread_join(ow.thread, NULL);
	}
}

int owner_record_end(struct pm_state *st, const char *cmd, const char *id,
		     int s, const char *reason)
{
	double limit = (double)pm_config_long(PM_CFG_STATE_WAIT_S),
	       start = pm_mono_s();
	struct pm_buf err = PM_BUF_INIT;
	enum pm_err e;
	int tries = 0, status = 0;

	for (;;) {
		pm_buf_reset(&err);
		e = pm_state_run_set(st, id, (enum pm_run_state)s, reason,
				     &err);
		if (!e || e == PM_ERR_CONFLICT || e == PM_ERR_NOTFOUND)
			break;
		/*
		 * A database that does not answer may come back: wait for
		 * it. Another failure (a full disk) gets a few quick tries.
		 */
		if (pm_mono_s() - start >= (e == PM_ERR_NET ? limit : 2))
			break;
		if (!tries++)
			fprintf(stderr,
				"pm25 %s: cannot record run %s as %s yet (%s); "
				"retrying for %g s\n",
				cmd, id, pm_run_state_name((enum pm_run_state)s),
				err.buf, e == PM_ERR_NET ? limit : 2);
		usleep((useconds_t)(pm_backoff_s(0.25, tries, 5) * 1e6));
	}
	if (e == PM_ERR_CONFLICT || e == PM_ERR_NOTFOUND) {
		fprintf(stderr, "pm25 %s: run %s was not recorded as %s: %s\n", cmd,
			id, pm_run_state_name((enum pm_run_state)s), err.buf);
	} else if (e) {
		fprintf(stderr,
			"pm25 %s: run %s could not be recorded as %s: %s (it "
			"will be found and marked Crashed)\n",
			cmd, id, pm_run_state_name((enum pm_run_state)s),
			err.buf);
		status = PM_EXIT_UNAVAILABLE;
	}
	pm_buf_release(&err);
	return status;
}
