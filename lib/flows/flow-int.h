/*
 * What the data flows share inside lib/flows/: a run's state, one batch
 * of rows, and the task engine. Internal to lib/flows/.
 */
#ifndef PM25_FLOW_INT_H
#define PM25_FLOW_INT_H

#include "pm25/contract.h"
#include "pm25/flow.h"
#include "pm25/http.h"
#include "pm25/pipeline.h"
#include "pm25/source.h"
#include "pm25/strv.h"

struct pm_clean_report;
struct pm_day_files;

/* One run of ingest-clean or backfill: borrowed options, owned state. */
struct run {
	const struct pm_flow_opts *o;
	struct pm_store *data;
	struct pm_flow_result *r;
	const struct pm_source *src;
	const char *flow;
	struct pm_contract contract;
	struct pm_source_req req;
	struct pm_strv stations;
	struct pm_buf scratch; /* tmp_dir/<run> */
	struct pm_strv seen;   /* stations that sent rows */
	struct pm_http_opts http; /* the source's requests (settings) */
	struct pm_table feed;	  /* "all": the feed's stations, metadata */
	int all_stations;	  /* the stations are the feed's, not named */
	int64_t started;
	int raw_per_day; /* backfill: raw is landed once per day folder */
};

/* One batch: the rows of one fetch, or of one day. */
struct batch {
	struct pm_table *t; /* filled by parse, or already */
	/* Parse the raw pages into t (NULL: t is already filled). */
	enum pm_err (*parse)(struct run *ru, const struct pm_fetched *f,
			     struct pm_table *t, struct pm_buf *err);
	const struct pm_fetched *f;
	const char *raw;	/* the raw bytes to land */
	const size_t *page_end; /* page boundaries in raw */
	size_t nr_pages;
	int64_t day; /* date of raw/<source>/date=D/ */
	const char *branch;
	int fresh_day; /* main has no raw/<source>/date=D/: nothing to find */
};

/* The monotonic clock, in ms. */
double pm_flow_now_ms(void);
/*
 * Log one task's state through the host's event hook (and tell its task
 * clock the task ended, unless it is retrying); t0 < 0 for no duration;
 * extra is more "key": value pairs, or NULL.
 */
void pm_flow_event(struct run *ru, const char *task, const char *state,
		   double t0, const char *extra);
/* A task begins: tell the clock, with its limit if any; now, in ms. */
double pm_flow_task_start(struct run *ru, const char *task);
/*
 * After attempt *attempt of task failed with ret: whether to try again
 * (and sleep first), under the task's policy.
 */
int pm_flow_task_retry(struct run *ru, const char *task, enum pm_err ret,
		       int *attempt, struct pm_buf *err);
/* The run's id and start time, from o->run_id and o->now. */
void pm_flow_make_run_id(struct run *ru);

/*
 * Set ru up for flow (source, contract, scratch folder), then the
 * health_check task. pm_flow_run_finish() is due even on error.
 */
enum pm_err pm_flow_run_start(struct run *ru, struct pm_store *data,
			      const struct pm_flow_opts *o,
			      struct pm_flow_result *r, const char *flow,
			      struct pm_buf *err);
void pm_flow_run_finish(struct run *ru);
/*
 * The request of the run (lib/flows/fetch.c): its stations (the feed's
 * for "all"), its window (a lookback from the slot), its HTTP settings.
 */
void pm_flow_request(struct run *ru);
/* The health_check task: the store, the state database, the source. */
enum pm_err pm_flow_health_check(struct run *ru, struct pm_buf *err);
/* The fetch task under its policy; *t0 is when its last attempt began. */
enum pm_err pm_flow_fetch(struct run *ru, struct pm_fetched *f, double *t0,
			  struct pm_buf *err);
enum pm_err pm_flow_parse_pages(struct run *ru, const struct pm_fetched *f,
				struct pm_table *t, struct pm_buf *err);
/* The local date raw data lands under: the run's, or the range's end. */
int64_t pm_flow_fetch_day(const struct run *ru);
/*
 * Validate and clean the rows of t into day files in memory. The rows
 * are taken as their CSV form would be read (pm_clean_opts.table), named
 * origin in the report, as the scratch file they once went through was.
 */
enum pm_err pm_flow_engine(struct run *ru, const struct pm_table *t,
			   const char *origin, struct pm_day_files *days,
			   struct pm_clean_report *rep, struct pm_buf *err);
/*
 * found[i] = 1 for each raw page (raw cut at page_end) that main holds
 * already, byte for byte: in any day folder of the source for
 * ingest-clean (a rerun lands nothing), in day's own folder for backfill
 * (each day keeps what was fetched for it). One pass over the folder.
 */
void pm_flow_raw_found(struct run *ru, int64_t day, const char *raw,
		       const size_t *page_end, size_t nr_pages, int *found);
/*
 * Where page i of nr_pages (of f, which may name each page's station;
 * f may be NULL) lands: raw/<source>/date=D/HHMMSS-<run>[-ID|-pN].ext.
 */
void pm_flow_raw_path(const struct run *ru, int64_t day, size_t i,
		      size_t nr_pages, const struct pm_fetched *f,
		      struct pm_buf *path);
/*
 * stations.csv with the stations of t merged in, from its old text (may
 * be empty) into out; 1 if out differs from old.
 */
int pm_flow_stations_merge(const char *old, size_t old_len,
			   const struct pm_table *t, struct pm_buf *out);

#define PM_FLOW_NMETA 6
/* A data commit's metadata: run, flow, version, source, score, rows. */
void pm_flow_commit_meta(const struct run *ru, double score, size_t rows,
			 struct pm_kv meta[PM_FLOW_NMETA], char score_buf[32],
			 char rows_buf[32]);

/* Tries of a publish whose merge conflicts with another run's. */
#define PUBLISH_TRIES 8

/*
 * The parse task of b, if it has a parser, then its stale stations;
 * with no rows, the "no data" validate event (*empty set, nothing to
 * check or publish).
 */
enum pm_err pm_flow_parse_task(struct run *ru, const struct batch *b,
			       int *empty, struct pm_buf *err);
/*
 * The events and tallies of validate and clean, for an engine run that
 * took ms and gave rep (naming day unless it is PM_TIME_NONE).
 */
void pm_flow_validated(struct run *ru, int64_t day,
		       const struct pm_clean_report *rep, double ms);
/*
 * The validate and clean tasks of rows t: the engine's day files and
 * report, the run's tallies, and the two events (naming day unless it
 * is PM_TIME_NONE).
 */
enum pm_err pm_flow_validate(struct run *ru, const struct pm_table *t,
			     int64_t day, struct pm_day_files *days,
			     struct pm_clean_report *rep, struct pm_buf *err);
/*
 * The land_raw, publish and gate tasks of a batch validated already
 * (days, rep): a branch of its own from main, kept if the gate refuses.
 */
enum pm_err pm_flow_publish_day(struct run *ru, const struct batch *b,
				const struct pm_day_files *days,
				const struct pm_clean_report *rep,
				int *gate_failed, struct pm_buf *err);
/*
 * One batch through land_raw, parse, validate, clean, publish and gate;
 * *gate_failed is set when the gate refused.
 */
enum pm_err pm_flow_batch(struct run *ru, const struct batch *b,
			  int *gate_failed, struct pm_buf *err);

/*
 * The days of a backfill gathered for one commit (lib/flows/chunk.c):
 * each day gated on its own, the passing ones published together.
 */
struct chunk {
	struct chunk_day *d; /* owned */
	size_t nr, alloc;
	size_t bytes; /* raw, fragments and reports held */
};

void pm_chunk_init(struct chunk *c);
void pm_chunk_release(struct chunk *c);
/*
 * Day b (its rows in b->t, or parsed from b->f by b->parse) through
 * validate and clean, and its gate: a passing day joins the chunk, which
 * is published when it holds o->commit_days days or enough bytes; a
 * failing one has the chunk published first, then goes to a branch of
 * its own (*gate_failed set).
 */
enum pm_err pm_chunk_day(struct run *ru, struct chunk *c, const struct batch *b,
			 int *gate_failed, struct pm_buf *err);
/*
 * The same for day b validated already (by a worker thread): its
 * engine's result ret (with why), files and rep, and how long it took.
 */
enum pm_err pm_chunk_take(struct run *ru, struct chunk *c,
			  const struct batch *b, enum pm_err ret,
			  const struct pm_buf *why, struct pm_day_files *files,
			  const struct pm_clean_report *rep, double ms,
			  int *gate_failed, struct pm_buf *err);
/*
 * Publish the chunk's days: one branch from main, the days staged on it
 * in order, one commit, one merge (staged again on a conflict). Empties
 * the chunk.
 */
enum pm_err pm_chunk_flush(struct run *ru, struct chunk *c, struct pm_buf *err);

/* The rows of the flows table, one per file. */
extern const struct pm_flow pm_flow_def_ingest_clean;
extern const struct pm_flow pm_flow_def_backfill;
extern const struct pm_flow pm_flow_def_eda;
extern const struct pm_flow pm_flow_def_train_model;
extern const struct pm_flow pm_flow_def_noop;

/* The tasks and the parameters of ingest-clean and backfill. */
extern const char *const pm_flow_wap_tasks[PM_FLOW_NTASKS + 1];
extern const struct pm_flow_param pm_flow_wap_params[];
/*
 * Their parameters (fr->params) into o and the task policies (tasks,
 * which o points to), with pm25.yaml's defaults for ingest-clean.
 * PM_ERR_USAGE names a bad one.
 */
enum pm_err pm_flow_opts_parse(const struct pm_flow_run *fr, int backfill,
			       struct pm_flow_opts *o,
			       struct pm_task_policy tasks[PM_FLOW_NTASKS],
			       struct pm_buf *err);
/* The check and the run of ingest-clean (backfill 0) and backfill. */
enum pm_err pm_flow_wap_check(const struct pm_flow_run *fr, int backfill,
			      struct pm_buf *err);
enum pm_err pm_flow_wap_run(struct pm_flow_run *fr, int backfill,
			    struct pm_buf *err);
/* A parameter's local date, PM_TIME_NONE for none; -1 if not a date. */
int pm_flow_day(const char *s, int64_t *day);

#endif
