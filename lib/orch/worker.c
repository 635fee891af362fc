/*
 * The worker (pm25/worker.h): claim a pool's due runs under a lease and
 * run each in a process group of its own, the pool type's way; heartbeat
 * while it runs; a run killed by a signal is Crashed. Once stopping, no
 * more claims: the runs finish within the grace, then are stopped and
 * given back. Every pass also does the housekeeping.
 */
#include "pm25/compat.h"
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/loki.h"
#include "pm25/notifier.h"
#include "pm25/notify.h"
#include "pm25/policy.h"
#include "pm25/proc.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"
#include "pm25/worker.h"
#include "pool-int.h"

/* How a run was stopped by its worker. */
enum stopped { RUNS = 0, OVERRAN, CANCELLED, LOST };

struct child {
	pid_t pid;
	int fd;		   /* the read end of the run's stderr, or -1 */
	struct pm_buf out; /* what it wrote after its last newline */
	char flow[32];
	char id[PM_RUN_ID_MAX];
	double started, beat;
	enum stopped stopped;
	char why[128];		/* why it was stopped, or could not start */
	long attempt;		/* the attempt claimed */
	struct pm_retry policy; /* the run's own retries and time limit */
	/*
	 * Its process ended and the outcome waits to be recorded (the
	 * state database did not answer): the run stays this worker's,
	 * heartbeated, until it is.
	 */
	int unsettled;
	enum pm_run_state how; /* Completed, Failed, TimedOut, Crashed... */
	char reason[200];
	int64_t delay_ms; /* retry after this long; -1 not retried */
};

struct worker {
	const struct pm_worker_opts *o;
	struct pm_state *st;
	struct pm_loki *loki;
	struct pm_pool pool;
	struct pm_hk_clock hk;
	struct child *kids;
	struct pollfd *fds;
	long claimed, db_failures;
	double claim_after, last_settle;
	double last_beat; /* the worker's own heartbeat, pm_mono_s() */
};

static void say(struct worker *w, const char *level, const char *fmt, ...)
	PM_PRINTF(3, 4);

/* One line of the worker's own, to its host and to Loki. */
static void say(struct worker *w, const char *level, const char *fmt, ...)
{
	struct pm_buf b = PM_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (w->o->say)
		w->o->say(w->o->ctx, b.buf);
	pm_loki_push(w->loki, 0, "worker", level, NULL, b.buf);
	pm_buf_release(&b);
}

static void pool_say(void *ctx, const char *level, const char *line)
{
	say(ctx, level, "%s", line);
}

/*
 * Pass on what run k wrote: each whole line to the host and to Loki, at
 * its level (a JSON event's, else by its form). At eof the rest is a
 * line too.
 */
static void child_lines(struct worker *w, struct child *k, int eof)
{
	char chunk[8192], *nl;
	size_t at = 0;
	ssize_t n;

	while (k->fd >= 0 && (n = read(k->fd, chunk, sizeof(chunk))) > 0)
		pm_buf_add(&k->out, chunk, (size_t)n);
	if (eof && k->out.len && k->out.buf[k->out.len - 1] != '\n')
		pm_buf_addch(&k->out, '\n');
	/* a line that never ends is cut into pieces of 64 KiB */
	if (k->out.len > (64u << 10) && !memchr(k->out.buf, '\n', k->out.len))
		pm_buf_addch(&k->out, '\n');
	while (at < k->out.len &&
	       (nl = memchr(k->out.buf + at, '\n', k->out.len - at))) {
		const char *line = k->out.buf + at;

		*nl = '\0';
		if (w->o->say)
			w->o->say(w->o->ctx, line);
		if (w->loki && *line)
			pm_loki_push(w->loki, 0, k->flow,
				     pm_loki_level_of(line), k->id, line);
		at = (size_t)(nl - k->out.buf) + 1;
	}
	if (at) {
		memmove(k->out.buf, k->out.buf + at, k->out.len - at);
		pm_buf_setlen(&k->out, k->out.len - at);
	}
	if (eof && k->fd >= 0) {
		close(k->fd);
		k->fd = -1;
	}
}

/* The env label of a pool: etl-pool-prod is prod; the env setting wins. */
static const char *pool_env(const char *pool)
{
	const char *dash = strrchr(pool, '-');

	if (dash && (!strcmp(dash, "-dev") || !strcmp(dash, "-stage") ||
		     !strcmp(dash, "-prod")))
		return dash + 1;
	return "dev";
}

/* The type of pool (process or docker), static text. */
static enum pm_err pool_type(struct pm_state *st, const char *pool,
			     const char **type, struct pm_buf *err)
{
	struct pm_pool_info p;
	enum pm_err ret = pm_state_pool_get(st, pool, &p, err);

	*type = "process";
	if (ret == PM_ERR_NOTFOUND) {
		/* a pool not created yet runs processes */
		if (err)
			pm_buf_reset(err);
		return PM_OK;
	}
	if (!ret && !strcmp(p.type, "docker"))
		*type = "docker";
	free(p.name);
	free(p.type);
	return ret;
}

static void release_child(struct child *k)
{
	pm_buf_release(&k->out);
	memset(k, 0, sizeof(*k));
}

/*
 * What run k's ended process (wait status ws) means for the run, kept
 * in k until it is recorded. A process that recorded its own outcome
 * (a task that overran does) makes the record here a no-op.
 */
static void outcome(struct worker *w, struct child *k, int ws)
{
	int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;

	k->delay_ms = 0;
	k->how = PM_RUN_CRASHED;
	if (k->stopped == OVERRAN) {
		k->how = PM_RUN_TIMEDOUT;
		snprintf(k->reason, sizeof(k->reason), "%s", k->why);
	} else if (k->stopped == CANCELLED) {
		k->how = PM_RUN_CANCELLED;
		snprintf(k->reason, sizeof(k->reason),
			 "cancelled: its process group was stopped");
	} else if (k->stopped == LOST) {
		k->how = PM_RUN_NSTATES; /* already Crashed by a sweep */
	} else if (w->pool.ops->failed &&
		   w->pool.ops->failed(&w->pool, status, k->reason,
				       sizeof(k->reason))) {
		/* the pool's failure, not the run's: Crashed */
	} else if (WIFSIGNALED(ws)) {
		snprintf(k->reason, sizeof(k->reason),
			 "the run's process was killed by signal %d",
			 WTERMSIG(ws));
	} else if (status == 0) {
		k->how = PM_RUN_COMPLETED;
		snprintf(k->reason, sizeof(k->reason), "completed");
	} else {
		k->how = PM_RUN_FAILED;
		snprintf(k->reason, sizeof(k->reason),
			 "exit %d (recorded by its worker)", status);
		k->delay_ms = pm_run_retryable(&k->policy, status) ?
				      (int64_t)(pm_run_retry_delay(&k->policy,
								   k->attempt) *
						1000) :
				      -1;
	}
}

/*
 * Record run k's outcome; while the state database does not answer it
 * stays unsettled, to be tried again.
 */
static void settle(struct worker *w, struct child *k)
{
	struct pm_buf err = PM_BUF_INIT;
	enum pm_err e = PM_OK;
	int retried;

	if (k->how == PM_RUN_COMPLETED || k->how == PM_RUN_CANCELLED)
		e = pm_state_run_move_at(w->st, k->id, k->attempt,
					 PM_RUN_NSTATES, k->how, k->reason,
					 &err);
	else if (k->how != PM_RUN_NSTATES)
		e = pm_state_run_fail(w->st, k->id, k->attempt, k->how,
				      k->reason, k->delay_ms, &retried, &err);
	if (e == PM_ERR_NET || e == PM_ERR_IO) {
		if (k->unsettled == 1)
			say(w, "warn",
			    "{\"worker\": \"%s\", \"run\": \"%s\", "
			    "\"outcome\": \"%s\", \"waiting\": \"the state "
			    "database does not answer; retrying each "
			    "second\"}",
			    w->o->name, k->id, pm_run_state_name(k->how));
		k->unsettled = 2;
		k->pid = 0;
	} else {
		if (k->unsettled == 2)
			say(w, "info",
			    "{\"worker\": \"%s\", \"run\": \"%s\", "
			    "\"outcome\": \"%s\", \"recorded\": \"late, once "
			    "the state database answered\"}",
			    w->o->name, k->id, pm_run_state_name(k->how));
		/* CONFLICT: its process recorded it, or a sweep did */
		release_child(k);
	}
	pm_buf_release(&err);
}

/*
 * The state database failed a claim (e), or answered again (e == 0):
 * say so on each change, and hold claims back with a growing delay.
 */
static void db_down(struct worker *w, enum pm_err e, const char *why)
{
	if (!e) {
		if (w->db_failures)
			say(w, "info",
			    "{\"worker\": \"%s\", \"state_database\": "
			    "\"answering again\", \"failures\": %ld}",
			    w->o->name, w->db_failures);
		w->claim_after = 0;
		w->db_failures = 0;
		return;
	}
	w->claim_after =
		pm_mono_s() + pm_backoff_s(0.5, w->db_failures + 1, 10);
	if (!w->db_failures) {
		struct pm_buf j = PM_BUF_INIT;

		pm_buf_add_json_str(&j, why ? why : "", why ? strlen(why) : 0);
		say(w, "error",
		    "{\"worker\": \"%s\", \"state_database\": \"%s\", "
		    "\"error\": %s, \"then\": \"runs go on; claims wait\"}",
		    w->o->name, pm_strerror(e), j.buf);
		pm_buf_release(&j);
	}
	w->db_failures++;
}

/* Children that ended, and outcomes the database did not take yet. */
static void reap_children(struct worker *w, double now)
{
	pid_t pid;
	long i;
	int ws;

	while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
		for (i = 0; i < w->o->limit; i++) {
			struct child *k = &w->kids[i];

			if (k->pid != pid || k->unsettled)
				continue;
			child_lines(w, k, 1);
			outcome(w, k, ws);
			k->unsettled = 1;
			settle(w, k);
		}
	if (now - w->last_settle >= 1) {
		w->last_settle = now;
		for (i = 0; i < w->o->limit; i++)
			if (w->kids[i].unsettled)
				settle(w, &w->kids[i]);
	}
}

/* Heartbeats, cancels and run time limits. */
static void watch_children(struct worker *w, double now)
{
	long i, lease = w->o->lease_s;

	for (i = 0; i < w->o->limit; i++) {
		struct child *k = &w->kids[i];
		enum pm_err he = PM_OK;
		int cancel = 0;

		/* a run whose outcome waits is held on to as well */
		if (!k->unsettled && (!k->pid || k->stopped))
			continue;
		if (now - k->beat >= lease / 3.0) {
			k->beat = now;
			he = pm_state_heartbeat(w->st, k->id, w->o->name,
						lease * 1000, &cancel, NULL);
			if (he == PM_ERR_CONFLICT && k->unsettled) {
				/* swept meanwhile: nothing to record */
				release_child(k);
				continue;
			}
			if (he == PM_ERR_CONFLICT) {
				/* the lease is lost: no longer ours to run */
				k->stopped = LOST;
				w->pool.ops->stop(&w->pool, k->pid, k->id,
						  k->attempt);
				continue;
			}
			/* the database down: the run goes on, and the next
			 * beat tries again */
		}
		if (k->unsettled)
			continue;
		if (cancel || (k->policy.timeout_s > 0 &&
			       now - k->started > k->policy.timeout_s)) {
			k->stopped = cancel ? CANCELLED : OVERRAN;
			snprintf(k->why, sizeof(k->why),
				 "timed out after %.0f s; its %s",
				 k->policy.timeout_s,
				 w->pool.engine ? "container was removed" :
						  "process group was killed");
			w->pool.ops->stop(&w->pool, k->pid, k->id, k->attempt);
		}
	}
}

/* Claim and start runs while there is room; the number started. */
static int claim_runs(struct worker *w, long running, double now)
{
	struct pm_buf err = PM_BUF_INIT;
	int started = 0;
	long i;

	while (!*w->o->stop && running < w->o->limit &&
	       !(w->o->once && w->claimed) && now >= w->claim_after) {
		struct pm_claim c;
		struct child *k;
		enum pm_err e;

		pm_buf_reset(&err);
		e = pm_state_claim(w->st, w->o->pool, w->o->name,
				   w->o->lease_s * 1000, &c, &err);
		if (e) {
			/* none due (NOTFOUND), or no claims for a while */
			db_down(w, e == PM_ERR_NOTFOUND ? PM_OK : e, err.buf);
			break;
		}
		db_down(w, PM_OK, NULL);
		for (i = 0; w->kids[i].pid || w->kids[i].unsettled; i++)
			;
		k = &w->kids[i];
		release_child(k);
		pm_run_policy(c.parameters, &k->policy);
		snprintf(k->flow, sizeof(k->flow), "%s", c.flow);
		k->attempt = c.attempt;
		k->pid = w->pool.ops->start(&w->pool, &c, w->o->name, &k->fd,
					    k->why, sizeof(k->why));
		if (k->pid < 0) {
			int retried;

			/* nothing to run it in: it cannot start */
			k->pid = 0;
			pm_state_run_fail(w->st, c.id, c.attempt,
					  PM_RUN_CRASHED, k->why, 0, &retried,
					  NULL);
			pm_claim_release(&c);
			break;
		}
		snprintf(k->id, sizeof(k->id), "%s", c.id);
		k->started = k->beat = now;
		pm_claim_release(&c);
		running++;
		w->claimed++;
		started++;
	}
	pm_buf_release(&err);
	return started;
}

/* A nap, woken by what the runs write: short while they run. */
static void nap(struct worker *w, long running, int busy)
{
	int nfds = 0;
	long i;

	for (i = 0; i < w->o->limit; i++)
		if (w->kids[i].pid && w->kids[i].fd >= 0) {
			w->fds[nfds].fd = w->kids[i].fd;
			w->fds[nfds++].events = POLLIN;
		}
	poll(w->fds, (nfds_t)nfds, busy ? 1 : running ? 20 : 200);
	for (i = 0; i < w->o->limit; i++)
		if (w->kids[i].pid)
			child_lines(w, &w->kids[i], 0);
}

/* Out of grace: stop what still runs and give it back; say what waits. */
static void shut_down(struct worker *w)
{
	struct pm_buf err = PM_BUF_INIT;
	long i;

	for (i = 0; i < w->o->limit; i++) {
		struct child *k = &w->kids[i];

		if (!k->pid)
			continue;
		w->pool.ops->stop(&w->pool, k->pid, k->id, k->attempt);
		waitpid(k->pid, NULL, 0);
		child_lines(w, k, 1);
		if (pm_state_release(w->st, k->id, w->o->name,
				     "given back: its worker shut down", &err))
			say(w, "error",
			    "{\"worker\": \"%s\", \"run\": \"%s\", "
			    "\"not_given_back\": \"%s\"}",
			    w->o->name, k->id, pm_strerror(PM_ERR_NET));
		k->pid = 0;
	}
	/* outcomes still waiting: said, so that none is dropped unseen */
	for (i = 0; i < w->o->limit; i++) {
		struct child *k = &w->kids[i];
		struct pm_buf j = PM_BUF_INIT;

		if (!k->unsettled)
			continue;
		pm_buf_add_json_str(&j, k->reason, strlen(k->reason));
		say(w, "error",
		    "{\"worker\": \"%s\", \"run\": \"%s\", \"attempt\": %ld, "
		    "\"outcome_not_recorded\": \"%s\", \"reason\": %s, "
		    "\"then\": \"it is Crashed when its lease runs out\"}",
		    w->o->name, k->id, k->attempt, pm_run_state_name(k->how),
		    j.buf);
		pm_buf_release(&j);
	}
	pm_buf_release(&err);
}

/* The loop: reap, watch, housekeep, claim, nap, until stopped. */
static void serve(struct worker *w)
{
	double stop_at = 0;

	for (;;) {
		double now = pm_mono_s();
		long running = 0, i;
		int busy;

		reap_children(w, now);
		for (i = 0; i < w->o->limit; i++)
			running += w->kids[i].pid != 0 || w->kids[i].unsettled;
		if (*w->o->stop && !stop_at)
			stop_at = now + (double)w->o->grace_s;
		if (*w->o->stop && (!running || now >= stop_at))
			break;
		watch_children(w, now);
		if (now - w->last_beat >= w->o->lease_s / 3.0) {
			/* seen online; a database down is retried next beat */
			w->last_beat = now;
			pm_state_worker_beat(w->st, w->o->name, NULL);
		}
		pm_housekeep_pass(w->st, w->o->home, &w->hk, now, NULL);
		if (w->pool.ops->reap && now - w->hk.last_reap >= 30) {
			w->hk.last_reap = now;
			w->pool.ops->reap(&w->pool, w->st, w->o->name);
		}
		busy = claim_runs(w, running, now);
		running += busy;
		if (w->o->once && !running)
			break;
		nap(w, running, busy);
	}
	shut_down(w);
}

/* Open the pool: its type's ops, set up. */
static enum pm_err open_pool(struct worker *w, struct pm_buf *err)
{
	const char *type = w->o->type;
	enum pm_err e = PM_OK;

	if (!type)
		e = pool_type(w->st, w->o->pool, &type, err);
	if (e)
		return e;
	w->pool.ops = pm_pool_ops_find(type);
	if (!w->pool.ops)
		return pm_errf(err, PM_ERR_USAGE, "no pool type '%s'", type);
	w->pool.say = pool_say;
	w->pool.ctx = w;
	return w->pool.ops->init(&w->pool, w->o->home->dir, err);
}

/*
 * In the state database, so that it can be seen (pm25 worker ls): a
 * database that does not answer now is not fatal, the beats go on.
 */
static void register_worker(struct worker *w)
{
	char host[128];

	pm_proc_host(host, sizeof(host));
	pm_state_worker_register(w->st, w->o->name, w->o->pool, host,
				 (long)getpid(), PM25_VERSION,
				 (int64_t)(w->o->lease_s * 1000 / 3), NULL);
	w->last_beat = pm_mono_s();
}

enum pm_err pm_worker_run(const struct pm_worker_opts *o, struct pm_buf *err)
{
	struct worker w;
	struct pm_notify notify;
	struct pm_loki_opts lo;
	struct pm_notifier *notifier = NULL;
	enum pm_err e;
	long i;

	memset(&w, 0, sizeof(w));
	w.o = o;
	w.hk.sweep_s = 1;
	w.hk.prune_s = 600;
	e = pm_home_state(o->home, &w.st, err);
	if (!e)
		e = open_pool(&w, err);
	if (e)
		goto out;
	pm_notify_from_env(&notify);
	w.kids = pm_xcalloc((size_t)o->limit, sizeof(*w.kids));
	w.fds = pm_xcalloc((size_t)o->limit, sizeof(*w.fds));
	pm_loki_opts_from_env(&lo, pool_env(o->pool));
	w.loki = pm_loki_start(&lo);
	/* alerts go out on a thread of their own: a webhook that hangs
	 * holds up no heartbeat */
	notifier = pm_notifier_start(o->home, &notify);
	say(&w, "info",
	    "{\"worker\": \"%s\", \"pool\": \"%s\", \"type\": \"%s\", "
	    "\"state\": \"started\", \"limit\": %ld}",
	    o->name, o->pool, w.pool.ops->type, o->limit);
	register_worker(&w);
	serve(&w);
	pm_state_worker_stop(w.st, o->name, NULL);
	/* what the last runs queued, before the worker goes */
	pm_notifier_stop(notifier, 5000);
	notifier = NULL;
	say(&w, "info",
	    "{\"worker\": \"%s\", \"state\": \"stopped\", \"runs\": %ld}",
	    o->name, w.claimed);
	if (w.loki) {
		struct pm_loki_stats ls;
		struct pm_buf b = PM_BUF_INIT;

		pm_loki_stop(w.loki, 5000, &ls);
		w.loki = NULL;
		pm_buf_addf(&b,
			    "{\"worker\": \"%s\", \"loki\": {\"lines\": "
			    "%zu, \"sent\": %zu, \"dropped\": %zu, "
			    "\"failed_pushes\": %zu}}",
			    o->name, ls.queued, ls.sent, ls.dropped,
			    ls.failures);
		if (o->say)
			o->say(o->ctx, b.buf);
		pm_buf_release(&b);
	}
out:
	pm_notifier_stop(notifier, 0);
	if (w.kids)
		for (i = 0; i < o->limit; i++)
			release_child(&w.kids[i]);
	free(w.kids);
	free(w.fds);
	pm_pool_release(&w.pool);
	pm_state_close(w.st);
	return e;
}
