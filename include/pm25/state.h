/*
 * The orchestrator's state: flow runs and every change of their state,
 * their logs, and work pools, in the state database (pm25/db.h). The
 * schema comes from numbered migrations, the same for SQLite and
 * PostgreSQL, applied on open. Finished runs and logs older than the
 * retention (default 30 days) are pruned.
 */
#ifndef PM25_STATE_H
#define PM25_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_strv;
struct pm_db;

/* Run states, as Prefect names them. */
enum pm_run_state {
	PM_RUN_SCHEDULED,
	PM_RUN_LATE,
	PM_RUN_PENDING,
	PM_RUN_RUNNING,
	PM_RUN_RETRYING,
	PM_RUN_COMPLETED,
	PM_RUN_FAILED,
	PM_RUN_TIMEDOUT,
	PM_RUN_CRASHED,
	PM_RUN_CANCELLING,
	PM_RUN_CANCELLED,
	PM_RUN_PAUSED,
	PM_RUN_NSTATES
};

const char *pm_run_state_name(enum pm_run_state s);
/* The state named name (case-insensitive), or -1. */
int pm_run_state_parse(const char *name);
/* Completed, Failed, TimedOut, Crashed and Cancelled end a run. */
int pm_run_state_final(enum pm_run_state s);

#define PM_RETENTION_DAYS 30
#define PM_RUN_ID_MAX 48

/* An open state database (opaque; lib/state/state-int.h). */
struct pm_state;

/*
 * Open the state database at where (a path or a PostgreSQL URL) and
 * bring its schema up to date.
 */
enum pm_err pm_state_open(const char *where, struct pm_state **out,
			  struct pm_buf *err);
void pm_state_close(struct pm_state *st);
/*
 * Whether url can name a PostgreSQL state database: a postgres:// or
 * postgresql:// URL, or libpq key=value settings. Else PM_ERR_USAGE,
 * and err says so without the value, which may hold a password.
 */
enum pm_err pm_state_check_url(const char *url, struct pm_buf *err);
/* Days that ended runs and log lines are kept (the retention_days setting). */
int pm_state_retention_days(const struct pm_state *st);
/* The newest migration applied. */
int pm_state_schema_version(struct pm_state *st);

/* What a new flow run is. Strings are borrowed. */
struct pm_run_new {
	const char *id;	    /* NULL: one is made */
	const char *flow;
	const char *deployment; /* NULL for an ad-hoc run */
	const char *pool;	/* NULL: none (run in the foreground) */
	const char *parameters; /* JSON object text, or NULL */
	enum pm_run_state state;
	const char *reason;
	int64_t scheduled_ms; /* when it should start (ms since epoch) */
	long deployment_version; /* 0: none */
	int64_t slot_ms;	 /* the schedule's slot, 0: none */
	long max_attempts;	 /* 1 + retries; 0 means 1 */
	const char *owner; /* who holds it from the start, or NULL */
	int64_t lease_ms;  /* the owner's lease, from now (with owner) */
};

/* Create a run; its id goes to id. PM_ERR_CONFLICT if id exists. */
enum pm_err pm_state_run_create(struct pm_state *st,
				const struct pm_run_new *r,
				char id[PM_RUN_ID_MAX], struct pm_buf *err);

/*
 * Move run id to state s for reason, recording the change with its time.
 * A final run does not move (PM_ERR_CONFLICT), nor does an unknown one
 * (PM_ERR_NOTFOUND).
 */
enum pm_err pm_state_run_set(struct pm_state *st, const char *id,
			     enum pm_run_state s, const char *reason,
			     struct pm_buf *err);
/* The same, only from state from (else PM_ERR_CONFLICT). */
enum pm_err pm_state_run_move(struct pm_state *st, const char *id,
			      enum pm_run_state from, enum pm_run_state s,
			      const char *reason, struct pm_buf *err);
/*
 * The same, only while the run is on attempt (0: any): a process of an
 * earlier attempt that outlived its lease cannot end a later one.
 */
enum pm_err pm_state_run_move_at(struct pm_state *st, const char *id,
				 long attempt, enum pm_run_state from,
				 enum pm_run_state s, const char *reason,
				 struct pm_buf *err);

/* Append a log line (level: info, warn, error, debug) to run id. */
enum pm_err pm_state_log(struct pm_state *st, const char *id,
			 const char *level, const char *task,
			 const char *message, struct pm_buf *err);

/* The columns of a run's row (lib/state/records.c), in order. */
#define PM_RUN_COLUMNS                                                        \
	"id, flow, deployment, pool, state, state_reason, parameters, "      \
	"created_ms, scheduled_ms, started_ms, ended_ms, attempt, slot_ms"

/*
 * Delete finished runs (with their states and logs) that ended, and logs
 * written, more than days ago; the counts go to *runs and *logs.
 */
enum pm_err pm_state_prune(struct pm_state *st, int days, size_t *runs,
			   size_t *logs, struct pm_buf *err);

/* Work pools (pm25/records.h reads them). Defaults exist from the start. */
enum pm_err pm_state_pool_create(struct pm_state *st, const char *name,
				 const char *type, struct pm_buf *err);
enum pm_err pm_state_pool_pause(struct pm_state *st, const char *name,
				int paused, struct pm_buf *err);

/*
 * Alerts (an outbox; pm25/notify.h sends them). A run that ends Failed,
 * TimedOut or Crashed for good, or turns Late, queues one by itself.
 */
/* Queue an alert of kind (e.g. "quality") about run id, once per run. */
enum pm_err pm_state_alert_run(struct pm_state *st, const char *id,
			       const char *kind, const char *text,
			       struct pm_buf *err);
/* Queue an alert about no run, unique by key (its group too). */
enum pm_err pm_state_alert_add(struct pm_state *st, const char *key,
			       const char *kind, const char *text,
			       struct pm_buf *err);
/*
 * Episodes: an alert keyed by what is wrong (a source down, a station
 * not answering) is queued once, when it begins; closing it renames its
 * key (KEY@created), so the next episode of the same thing alerts anew.
 */
enum pm_err pm_state_alert_close(struct pm_state *st, const char *key,
				 struct pm_buf *err);
/* The keys of open episodes that start with prefix, into out. */
enum pm_err pm_state_alert_open(struct pm_state *st, const char *prefix,
				struct pm_strv *out, struct pm_buf *err);
/*
 * Run id's own alert is folded into an episode's (about, a key): it is
 * kept, status "folded", and never sent.
 */
enum pm_err pm_state_alert_fold(struct pm_state *st, const char *id,
				const char *about, struct pm_buf *err);
/*
 * Move a pending alert's next time from old_next to next_ms, counting a
 * try if try is set: a claim, since only one process sees old_next
 * (PM_ERR_CONFLICT for the others).
 */
enum pm_err pm_state_alert_move(struct pm_state *st, const char *key,
				int64_t old_next, int64_t next_ms, int try,
				struct pm_buf *err);
/* Settle an alert: status "sent", "failed" or "pending" (retry at next). */
enum pm_err pm_state_alert_end(struct pm_state *st, const char *key,
			       const char *status, const char *error,
			       int64_t next_ms, struct pm_buf *err);
/* When the group last had a message sent (0: never). */
enum pm_err pm_state_alert_last_sent(struct pm_state *st, const char *grp,
				     int64_t *ms, struct pm_buf *err);

/*
 * Workers register (again, under the same name, after a restart),
 * heartbeat every interval_ms and say when they stop. One whose last
 * beat is older than 3 intervals is offline (pm25/records.h lists them).
 */
enum pm_err pm_state_worker_register(struct pm_state *st, const char *name,
				     const char *pool, const char *host,
				     long pid, const char *version,
				     int64_t interval_ms, struct pm_buf *err);
enum pm_err pm_state_worker_beat(struct pm_state *st, const char *name,
				 struct pm_buf *err);
enum pm_err pm_state_worker_stop(struct pm_state *st, const char *name,
				 struct pm_buf *err);
/* The SQL condition "worker row w is online at ?" (one parameter: now). */
#define PM_WORKER_ONLINE                                                      \
	"(w.stopped_ms IS NULL AND w.heartbeat_ms >= CAST(? AS BIGINT) - 3 * " \
	"w.interval_ms)"

/*
 * Run id, ended Failed, Crashed, TimedOut or Cancelled, again: its next
 * attempt, Scheduled now, with its slot (PM_ERR_CONFLICT otherwise).
 */
enum pm_err pm_state_run_retry(struct pm_state *st, const char *id,
			       const char *reason, struct pm_buf *err);

/* Whether the database answers a query. */
enum pm_err pm_state_ping(struct pm_state *st, struct pm_buf *err);

/* Milliseconds since the epoch, from the clock (PM25_NOW_MS overrides). */
int64_t pm_state_now_ms(void);

#endif
