/*
 * Housekeeping of a home and its state database, done by workers, the
 * scheduler and the commands that look at runs: runs whose holder died
 * are Crashed, the scratch folders of ended runs are removed, and,
 * after the retention, old runs and logs and the run branches (etl-*)
 * that failed or crashed runs left in the data store are pruned.
 */
#ifndef PM25_HOUSEKEEPING_H
#define PM25_HOUSEKEEPING_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_home;
struct pm_state;
struct pm_store;
struct pm_strv;

struct pm_housekeeping {
	size_t crashed;	 /* runs found dead and Crashed */
	size_t scratch;	 /* scratch folders removed */
	size_t runs;	 /* finished runs pruned */
	size_t logs;	 /* log lines pruned */
	size_t branches; /* run branches pruned */
};

/*
 * The cheap pass, run often: pm_state_sweep(), then remove h's
 * tmp/<run> folders whose run has ended or is gone. Counts add to *hk.
 */
enum pm_err pm_housekeep_sweep(struct pm_state *st, const struct pm_home *h,
			       struct pm_housekeeping *hk, struct pm_buf *err);

/*
 * A run branch of the data store (etl-<run>, or etl-<run>-<day> of a
 * backfill) whose run is not going on any more: the branch, its run id
 * and the run's state ("gone" when the run is no longer recorded) and
 * end (ms, 0 if none). Strings owned by the list.
 */
struct pm_stale_branch {
	char *branch, *run, *state;
	long long ended_ms;
};

struct pm_stale_branches {
	struct pm_stale_branch *v;
	size_t nr, alloc;
};

void pm_stale_branches_release(struct pm_stale_branches *l);

/* The run branches of data whose run has ended or is gone, by name. */
enum pm_err pm_housekeep_stale_branches(struct pm_state *st,
					struct pm_store *data,
					struct pm_stale_branches *out,
					struct pm_buf *err);

/*
 * Retention: prune runs and logs older than days (pm_state_prune()),
 * then delete the stale run branches whose run ended more than days
 * ago or is gone; data may be NULL (no store: no branches). Each branch
 * deleted is added to deleted, when not NULL.
 */
enum pm_err pm_housekeep_prune(struct pm_state *st, struct pm_store *data,
			       int days, struct pm_housekeeping *hk,
			       struct pm_strv *deleted, struct pm_buf *err);

/*
 * When a host last did each part of the pass, and how often it wants
 * them (seconds; 0: every pass).
 */
struct pm_hk_clock {
	double sweep_s, prune_s;
	double last_sweep, last_prune, last_reap;
};

/*
 * One housekeeping pass at monotonic time now, shared by the worker and
 * the scheduler: the retention (pm_state_prune) and then the sweep,
 * each when due by c. The first error is returned (and the rest done).
 */
enum pm_err pm_housekeep_pass(struct pm_state *st, const struct pm_home *h,
			      struct pm_hk_clock *c, double now,
			      struct pm_buf *err);

/* A stale branch as a JSON object: branch, run, state, ended_ms. */
void pm_stale_branch_json(struct pm_buf *b, const struct pm_stale_branch *s);

#endif
