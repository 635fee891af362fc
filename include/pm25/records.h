/*
 * The state database's records as structs (lib/state/records.c), and one
 * JSON encoder per record (lib/state/json.c) that every --json and the
 * HTTP API share. Strings in a record are owned by it; release it with
 * its _release function.
 */
#ifndef PM25_RECORDS_H
#define PM25_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"
#include "pm25/state.h"

struct pm_buf;
struct pm_deployment;

/* A time that is not there (a run not started yet, ...). */
#define PM_MS_NONE INT64_MIN

/* A flow run. */
struct pm_run {
	char id[PM_RUN_ID_MAX];
	char *flow;
	char *deployment, *pool; /* NULL: none */
	enum pm_run_state state;
	char *reason;	  /* why it is in its state, or NULL */
	char *parameters; /* a JSON object's text, or NULL */
	int64_t created_ms, scheduled_ms, started_ms, ended_ms;
	long attempt;
	/*
	 * The schedule's slot it runs for (PM_MS_NONE: not scheduled):
	 * a retry moves scheduled_ms, never this.
	 */
	int64_t slot_ms;
};

/* One change of a run's state. */
struct pm_run_change {
	enum pm_run_state state;
	char *reason;
	int64_t at_ms;
};

/* A run's log line. */
struct pm_log_line {
	int64_t at_ms;
	char *level, *task, *message; /* task NULL: none */
};

/* A work pool. */
struct pm_pool_info {
	char *name, *type;
	int paused;
	long online;	    /* its workers online */
	const char *status; /* "ready", "not_ready" (none online), "paused" */
};

/* A worker, as it registered and last beat. */
struct pm_worker_info {
	char *name, *pool, *host, *version;
	long pid;
	int64_t started_ms, heartbeat_ms, interval_ms;
	const char *status; /* "online", "offline" or "stopped" */
	long runs;	    /* the runs it holds (Pending, Running, Cancelling) */
};

/* A version of a deployment. */
struct pm_deployment_version {
	long version;
	char *change;
	int64_t created_ms;
	char *work_pool, *image, *parameters, *cron;
};

/* An alert in the outbox (pm25/notify.h sends them). */
struct pm_alert {
	char *key, *kind, *grp;
	char *run, *flow, *deployment, *pool; /* NULL: none */
	long attempt;			      /* 0: none */
	char *text;
	int64_t created_ms;
	char *status; /* pending, sent, failed */
	int64_t next_ms, sent_ms; /* PM_MS_NONE: none */
	long tries;
	char *error; /* why the last try failed, or NULL */
};

void pm_run_release(struct pm_run *r);
void pm_alerts_free(struct pm_alert *v, size_t n);
void pm_runs_free(struct pm_run *v, size_t n);
void pm_run_changes_free(struct pm_run_change *v, size_t n);
void pm_log_lines_free(struct pm_log_line *v, size_t n);
void pm_pools_free(struct pm_pool_info *v, size_t n);
void pm_workers_free(struct pm_worker_info *v, size_t n);
void pm_deployment_versions_free(struct pm_deployment_version *v, size_t n);

/*
 * Runs, newest first: of state and of flow when not NULL; at most limit
 * (0: 100). *v is owned by the caller (pm_runs_free()).
 */
enum pm_err pm_state_run_list(struct pm_state *st, const char *state,
			      const char *flow, size_t limit, struct pm_run **v,
			      size_t *n, struct pm_buf *err);
/* Which runs a page holds; NULL or 0 fields do not filter. */
struct pm_run_filter {
	const char *state, *flow, *deployment, *pool;
	int64_t since_ms, until_ms; /* created in [since, until) */
	const char *cursor;	    /* the previous page's next, or NULL */
	size_t limit;		    /* 0: 50 */
};

/*
 * One page of runs, newest first (by creation, then id): *v (owned,
 * pm_runs_free()), the number of every run the filter keeps in *count,
 * and the cursor of the next page in next ("" for none). A cursor that
 * is not one is PM_ERR_USAGE.
 */
enum pm_err pm_state_run_page(struct pm_state *st,
			      const struct pm_run_filter *f, struct pm_run **v,
			      size_t *n, size_t *count, char next[64],
			      struct pm_buf *err);
/*
 * Run id (PM_ERR_NOTFOUND if there is none) and, when hist is not NULL,
 * every change of its state, oldest first.
 */
enum pm_err pm_state_run_load(struct pm_state *st, const char *id,
			      struct pm_run *run, struct pm_run_change **hist,
			      size_t *nhist, struct pm_buf *err);
/* Run id's log, oldest first. */
enum pm_err pm_state_run_log(struct pm_state *st, const char *id,
			     struct pm_log_line **v, size_t *n,
			     struct pm_buf *err);
/* Work pools by name. The default pools exist from the start. */
enum pm_err pm_state_pool_list(struct pm_state *st, struct pm_pool_info **v,
			       size_t *n, struct pm_buf *err);
/* Workers of pool (NULL: every pool) by name, stopped ones too. */
enum pm_err pm_state_worker_list(struct pm_state *st, const char *pool,
				 struct pm_worker_info **v, size_t *n,
				 struct pm_buf *err);
/* Whether pool name exists (0), is not there (PM_ERR_NOTFOUND), ... */
enum pm_err pm_state_pool_get(struct pm_state *st, const char *name,
			      struct pm_pool_info *p, struct pm_buf *err);
/* Every deployment, its current version, by name (pm_deployments_release). */
enum pm_err pm_state_deployment_list(struct pm_state *st,
				     struct pm_deployment **v, size_t *n,
				     struct pm_buf *err);
/* The versions of deployment name, oldest first. */
enum pm_err pm_state_deployment_history(struct pm_state *st, const char *name,
					struct pm_deployment_version **v,
					size_t *n, struct pm_buf *err);

/* Alerts, newest first, of status (NULL: any); at most limit (0: 100). */
enum pm_err pm_state_alert_list(struct pm_state *st, const char *status,
				size_t limit, struct pm_alert **v, size_t *n,
				struct pm_buf *err);
/* Pending alerts due by now_ms, by group and age, at most limit. */
enum pm_err pm_state_alert_due(struct pm_state *st, int64_t now_ms,
			       size_t limit, struct pm_alert **v, size_t *n,
			       struct pm_buf *err);

/* A log line that a search found, with its run. */
struct pm_log_hit {
	char run[PM_RUN_ID_MAX];
	char *flow, *deployment; /* deployment NULL: none */
	struct pm_log_line line;
};

/*
 * Log lines of every run that hold text (case as given), newest first,
 * written at or after since_ms, of deployment when not NULL; at most
 * limit (0: 100). Release with pm_log_hits_free().
 */
enum pm_err pm_state_log_search(struct pm_state *st, const char *text,
				int64_t since_ms, const char *deployment,
				size_t limit, struct pm_log_hit **v, size_t *n,
				struct pm_buf *err);
void pm_log_hits_free(struct pm_log_hit *v, size_t n);
void pm_log_hit_json(struct pm_buf *b, const struct pm_log_hit *h);

/* Counts for /metrics: what the state database says now. */
#define PM_METRICS_NBUCKETS 10

struct pm_metric_count {
	char *a, *b; /* its labels' values (b may be NULL) */
	long n;
};

struct pm_histogram {
	double le[PM_METRICS_NBUCKETS]; /* bounds, s */
	long count[PM_METRICS_NBUCKETS]; /* cumulative */
	long total;
	double sum;
};

struct pm_state_metrics {
	struct pm_metric_count *runs; /* deployment ("" for none), state */
	size_t nr_runs;
	struct pm_metric_count *late; /* pool: Late runs */
	size_t nr_late;
	struct pm_metric_count *workers; /* pool, status */
	size_t nr_workers;
	struct pm_metric_count *alerts; /* status */
	size_t nr_alerts;
	struct pm_histogram duration; /* ended - started, ended runs */
	struct pm_histogram delay;    /* started - slot, scheduled runs */
	int64_t last_publish_ms;      /* a Completed ingest-clean/backfill */
};

enum pm_err pm_state_metrics_read(struct pm_state *st,
				  struct pm_state_metrics *m,
				  struct pm_buf *err);
void pm_state_metrics_release(struct pm_state_metrics *m);
void pm_metric_counts_free(struct pm_metric_count *v, size_t n);
/*
 * Runs created at or after since_ms by bucket of bucket_ms and state:
 * a is the bucket's number from 0, b the state. For the dashboard.
 */
enum pm_err pm_state_run_buckets(struct pm_state *st, int64_t since_ms,
				 int64_t bucket_ms, struct pm_metric_count **v,
				 size_t *n, struct pm_buf *err);

/* The JSON object of each record, appended to b. */
void pm_run_json(struct pm_buf *b, const struct pm_run *r);
/* A run with its "states": [...], as flow-run inspect --json prints it. */
void pm_run_history_json(struct pm_buf *b, const struct pm_run *r,
			 const struct pm_run_change *hist, size_t n);
void pm_log_line_json(struct pm_buf *b, const struct pm_log_line *l);
/* A run without its parameters, for lists. */
void pm_run_brief_json(struct pm_buf *b, const struct pm_run *r);
void pm_pool_json(struct pm_buf *b, const struct pm_pool_info *p);
void pm_worker_json(struct pm_buf *b, const struct pm_worker_info *w);
/* A deployment; with versions (n may be 0) as deployment inspect --json. */
void pm_deployment_json(struct pm_buf *b, const struct pm_deployment *d,
			const struct pm_deployment_version *v, size_t n);
/* The short form of deployment ls --json. */
void pm_deployment_brief_json(struct pm_buf *b, const struct pm_deployment *d);
/*
 * Alerts as a JSON array, indented by indent spaces a level (0: on one
 * line), as pm25 alert ls --json prints them.
 */
void pm_alerts_json(struct pm_buf *b, const struct pm_alert *v, size_t n,
		    int indent);
/* "2026-11-26T06:00:00.123Z" for ms into out (32 bytes), "-" for none. */
const char *pm_ms_text(int64_t ms, char out[32]);

#endif
