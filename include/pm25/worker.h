/*
 * Workers' side of the state database: claiming a run of a pool under a
 * lease (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite),
 * keeping the lease alive, finishing, and the sweep that turns runs
 * whose lease ran out into Crashed and applies their retry policy.
 */
#ifndef PM25_WORKER_H
#define PM25_WORKER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"
#include "pm25/state.h"

struct pm_buf;

/* A claimed run; strings owned. */
struct pm_claim {
	char id[PM_RUN_ID_MAX];
	char *flow, *parameters, *deployment;
	char *image; /* the deployment version's image, or NULL */
	long attempt;
};

void pm_claim_release(struct pm_claim *c);

/*
 * Claim the oldest due run (Scheduled or Late, scheduled by now) of pool
 * for worker, unless the pool or its deployment is paused or the
 * deployment is at its concurrency limit. The run becomes Pending with a
 * lease until now + lease_ms. PM_ERR_NOTFOUND when there is none.
 */
enum pm_err pm_state_claim(struct pm_state *st, const char *pool,
			   const char *worker, int64_t lease_ms,
			   struct pm_claim *c, struct pm_buf *err);

/*
 * Extend worker's lease on run id to now + lease_ms (PM_ERR_CONFLICT if
 * it is no longer the worker's); *cancel is set when someone asked to
 * cancel the run.
 */
enum pm_err pm_state_heartbeat(struct pm_state *st, const char *id,
			       const char *worker, int64_t lease_ms,
			       int *cancel, struct pm_buf *err);

/*
 * A run that ended badly (Crashed, Failed, TimedOut): record the state
 * with reason, then, while attempts remain, schedule it again after
 * delay_ms (attempt + 1); a negative delay_ms means the failure is not
 * worth a retry (not transient). *retried says which happened. A run
 * that is not retried leaves an alert (pm25/notify.h). With of_attempt
 * (0: any), only while the run is on that attempt (else
 * PM_ERR_CONFLICT).
 */
enum pm_err pm_state_run_fail(struct pm_state *st, const char *id,
			      long of_attempt, enum pm_run_state how,
			      const char *reason, int64_t delay_ms, int *retried,
			      struct pm_buf *err);

/* Give a claimed run back (Scheduled again, no worker): shutting down. */
enum pm_err pm_state_release(struct pm_state *st, const char *id,
			     const char *worker, const char *reason,
			     struct pm_buf *err);

/*
 * The owner name of a run this process holds itself (a foreground run):
 * run@HOST/PID/START, START telling apart a later process with the same
 * pid. out takes PM_OWNER_MAX bytes.
 */
#define PM_OWNER_MAX 200
void pm_state_owner_self(char *out, size_t size);

/*
 * Runs whose lease ran out (Pending or Running, lease before now), and
 * foreground runs whose process on this host is gone, are Crashed, and
 * retried by their policy; the count goes to *crashed.
 */
enum pm_err pm_state_sweep(struct pm_state *st, size_t *crashed,
			   struct pm_buf *err);

/* ------------------------------------------------------------ the worker */

struct pm_home;

/*
 * A worker (lib/orch/worker.c): serve pool, claiming its due runs under
 * a lease, limit at a time, each in a process of its own started the
 * pool type's way (process or docker); heartbeat them, stop those
 * cancelled, overrun (timeout_s) or whose lease was lost, and record
 * each outcome, holding on to it while the state database does not
 * answer. Every pass also does the housekeeping (pm25/housekeeping.h).
 */
struct pm_worker_opts {
	struct pm_home *home;
	const char *pool;
	const char *name; /* the worker's name */
	const char *type; /* process or docker; NULL: the pool's */
	long limit;	  /* runs at once (1 or more) */
	long lease_s;	  /* heartbeats every third of it */
	long grace_s;	  /* once stopping, how long runs may go on */
	int once;	  /* at most one run, then return */
	/*
	 * Set by the host (a signal handler) to stop: no more claims; the
	 * runs go on for grace_s, then are stopped and given back.
	 */
	volatile sig_atomic_t *stop;
	/*
	 * Each line of the worker's own (JSON) and each line its runs
	 * write on stderr, passed on as they come; may be NULL.
	 */
	void (*say)(void *ctx, const char *line);
	void *ctx;
};

/* Serve until stopped (or once). PM_ERR_USAGE if the pool cannot run. */
enum pm_err pm_worker_run(const struct pm_worker_opts *o, struct pm_buf *err);

#endif
