/*
 * The flows: ingest-clean (one fetch, written to a branch, audited and
 * published to main) and backfill (the same, one local day at a time).
 * They compose the sources, the contract engine and the store; they own
 * nothing beyond one call.
 */
#ifndef PM25_PIPELINE_H
#define PM25_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"
#include "pm25/strv.h"
#include "pm25/store.h"

struct pm_buf;

/*
 * What a task, or a whole run, may do when it fails or takes too long:
 * the options retries, retry_delay_s, retry_on (transient or any) and
 * timeout_s of a run's parameters, or of TASK.OPTION for one task.
 */
struct pm_retry {
	int retries;	  /* tries after the first (0) */
	double delay_s;	  /* before the first retry, doubling */
	int any;	  /* retry every failure, not only transient ones */
	double timeout_s; /* 0: none */
};

/*
 * A task of ingest-clean or backfill and its policy. Run parameters name
 * them TASK.OPTION: fetch.retries=3, fetch.retry_delay_s=5,
 * fetch.retry_on=transient|any, publish.timeout_s=120. A task's retry
 * delay starts at 2 s.
 */
struct pm_task_policy {
	const char *task; /* health_check, fetch, land_raw, parse, ... */
	struct pm_retry retry;
};

#define PM_FLOW_NTASKS 8

/* The tasks of ingest-clean and backfill, with no retries and no limit. */
void pm_task_policies_init(struct pm_task_policy p[PM_FLOW_NTASKS]);
/*
 * Set TASK.OPTION to value in p. PM_ERR_NOTFOUND if key is not of that
 * form (another parameter), PM_ERR_USAGE for an unknown task or option or
 * a bad value.
 */
enum pm_err pm_task_policy_set(struct pm_task_policy p[PM_FLOW_NTASKS],
			       const char *key, const char *value,
			       struct pm_buf *err);

/*
 * A task event: a task of run in flow went into state (Completed,
 * Failed, Retrying, TimedOut), at level (info, warn, error). json is the
 * whole line as it is logged (borrowed for the call); the host writes
 * it, keeps it in the run's log and pushes it to Loki, and reads the
 * fields here, never the text.
 */
struct pm_event {
	const char *run, *flow, *task, *state, *level;
	double duration_ms; /* < 0: none */
	const char *json;
};

/* The sink a host installs for task events. */
typedef void (*pm_event_sink)(void *ctx, const struct pm_event *ev);

#define PM_COMMIT_DAYS 31

struct pm_flow_opts {
	const char *source;	/* driver name, e.g. "air4thai-history" */
	const char *file, *url; /* replay instead of the live API */
	const char *stations;	/* comma list, or NULL */
	int64_t from_day, to_day; /* local dates, or PM_TIME_NONE */
	const char *contract;	/* contract file, or NULL: built in */
	const char *hour_label; /* history labels: "begin" or "end" */
	const char *input;	/* backfill: a CSV file or directory */
	int force;		/* backfill: redo days already on main */
	/*
	 * backfill: most days gathered into one commit into main (each
	 * still gated on its own); 1 for a branch, commit and merge per
	 * day. PM_COMMIT_DAYS by default.
	 */
	int commit_days;
	const char *tmp_dir;	/* scratch space, removed per run */
	int64_t now;		/* the clock, PM_TIME_NONE for time() */
	/*
	 * The slot the run is for (UTC s; PM_TIME_NONE: now) and how far
	 * back from it to fetch (s; 0: no window, from_day/to_day say).
	 */
	int64_t slot, lookback;
	const char *run_id;	/* the run's id, or NULL for a new one */
	/* Each task's event; may be NULL. */
	pm_event_sink event;
	/* Per-task retries and timeouts, or NULL for none. */
	const struct pm_task_policy *tasks;
	/*
	 * A task starts, with its time limit (timeout_s, 0 for none), or
	 * the running task ended (task NULL): for a watchdog, and a point
	 * between tasks where a cancelled run can stop. May be NULL.
	 */
	void (*task_clock)(void *ctx, const char *task, double timeout_s);
	/* Backfill progress; may be NULL. */
	void (*progress)(void *ctx, size_t done, size_t total,
			 const char *day);
	/* The health check asks whether the state database answers. */
	enum pm_err (*state_check)(void *ctx, struct pm_buf *err);
	void *ctx;
};

struct pm_flow_result {
	char run[48];		     /* run id */
	char branch[96];	     /* etl-<run>, kept when the gate failed */
	char main_commit[PM_ID_MAX]; /* main after the run */
	size_t input_rows, accepted_rows, output_rows;
	double score;		     /* accepted / input rows, whole run */
	int passed;		     /* every batch passed its gate */
	size_t batches, published, unchanged, failed, skipped;
	size_t no_data; /* batches with no rows: not a failure */
	/*
	 * Stations whose newest row is older than the contract's
	 * freshness limit, or that sent none of the stations asked for:
	 * "ID" or "ID (newest YYYY-MM-DDTHH:MM:SSZ)", owned, each once.
	 */
	struct pm_strv stale;
	/* Stations whose request or response failed: "ID: why", owned. */
	struct pm_strv unanswered;
	/* The source itself did not answer (health check, or no station). */
	int source_down;
	const char *stations_from; /* "feed", "stations.csv" or NULL */
	const char *source;	   /* the source driver's name, or NULL */
};

void pm_flow_result_release(struct pm_flow_result *r);

/*
 * A new run id for time t (seconds): 20261126T042000Z-1a2b, the suffix
 * telling apart runs that start in the same second.
 */
void pm_flow_new_run_id(int64_t t, char *out, size_t size);

/* Run ingest-clean once. PM_ERR_GATE when the gate failed. */
enum pm_err pm_flow_ingest_clean(struct pm_store *data,
				 const struct pm_flow_opts *o,
				 struct pm_flow_result *r, struct pm_buf *err);

/*
 * Run ingest-clean for every local day from from_day to to_day (or
 * every day found in o->input), as one run. Days with raw data on main
 * are skipped unless o->force. PM_ERR_GATE if any day failed its gate.
 */
enum pm_err pm_flow_backfill(struct pm_store *data,
			     const struct pm_flow_opts *o,
			     struct pm_flow_result *r, struct pm_buf *err);

struct pm_series_set;
struct pm_table;

/*
 * Read the clean hourly tables of ref in the data store into t (sorted
 * by station and time), limited to local days [from_day, to_day] and to
 * the comma-separated stations when given; station names come from
 * stations/stations.csv. commit receives the commit read.
 */
enum pm_err pm_data_table(struct pm_store *data, const char *ref,
			  int64_t from_day, int64_t to_day,
			  const char *stations, struct pm_table *t,
			  char commit[PM_ID_MAX], struct pm_buf *err);

/*
 * The eda flow: the report of ref's clean data, committed to
 * reports/eda/YYYY-MM-DD.html on main (through a branch). html receives
 * the page.
 */
enum pm_err pm_flow_eda(struct pm_store *data, int64_t from_day,
			int64_t to_day, const char *stations, int publish,
			struct pm_buf *html, char commit[PM_ID_MAX],
			struct pm_buf *err);

/*
 * Read the clean hourly PM2.5 of ref in the data store into set, one
 * series per station (NaN where an hour is missing), limited to local
 * days [from_day, to_day] and the comma-separated stations when given.
 * commit receives the commit read.
 */
enum pm_err pm_data_series(struct pm_store *data, const char *ref,
			   int64_t from_day, int64_t to_day,
			   const char *stations, struct pm_series_set *set,
			   char commit[PM_ID_MAX], struct pm_buf *err);

#include "pm25/model.h"

/* The champion model in the model repository. */
#define PM_CHAMPION_PATH "models/champion.json"

struct pm_train_result {
	char path[96];		     /* models/linreg_pm25_YYYY-MM-DD.json */
	char branch[64];	     /* train-<time>, kept if not promoted */
	char data_commit[PM_ID_MAX];
	char reason[160];	     /* why it was or was not promoted */
	int promoted;
	size_t stations;
	struct pm_fit fit;
	struct pm_metrics champion; /* on the same test hours */
};

/*
 * The train-model flow: fit on the data repository's main, write the
 * artefact to the model repository on a branch, and merge it into main
 * (as models/champion.json too) only if its test RMSE beats the
 * champion's on the same test hours. fo may be NULL (OLS).
 */
enum pm_err pm_flow_train(struct pm_store *data, struct pm_store *models,
			  int64_t from_day, int64_t to_day,
			  const char *stations, const struct pm_fit_opts *fo,
			  struct pm_train_result *r, struct pm_buf *err);

#endif
