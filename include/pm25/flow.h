/*
 * The flows table: every flow pm25 runs, with its tasks, its parameters
 * and its entry point. pm25 run, a worker's runs, pm25 deployment apply
 * and -h read this one table, so a new flow is one file in lib/flows/
 * and one row in lib/flows/flows.c.
 *
 * A flow runs for a host (the CLI in the foreground, a worker's run
 * process, the server next), which gives it the run's id, parameters
 * and hooks, and gets back a summary to print. The flow opens what it
 * needs from the home and closes it before it returns.
 */
#ifndef PM25_FLOW_H
#define PM25_FLOW_H

#include <stddef.h>
#include "pm25/buf.h"
#include "pm25/err.h"
#include "pm25/pipeline.h"

struct pm_home;
struct pm_kv;
struct pm_store;

struct pm_flow_param {
	const char *name;
	const char *help;
};

/* What the host installs; every hook may be NULL. */
struct pm_flow_hooks {
	/* Each task's event (pm25/pipeline.h). */
	pm_event_sink event;
	/* A task starts with its time limit, or ended (task NULL). */
	void (*task_clock)(void *ctx, const char *task, double timeout_s);
	/* Progress over days (backfill); day NULL at the end. */
	void (*progress)(void *ctx, size_t done, size_t total, const char *day);
	/* Whether the state database answers, for the health check. */
	enum pm_err (*state_check)(void *ctx, struct pm_buf *err);
	void *ctx;
};

/* One run of a flow: what the host gives (borrowed) and gets back. */
struct pm_flow_run {
	struct pm_home *home;
	/* opened by pm_flow_open() as the flow needs, owned */
	struct pm_store *data, *models;
	const char *id;		    /* the run's id */
	const struct pm_kv *params; /* key=value, as given */
	size_t nparams;
	int force; /* backfill: redo days already on main */
	/* the schedule's slot the run is for (UTC s), 0: none (now) */
	int64_t slot;
	int json;  /* the summary as JSON */
	struct pm_flow_hooks hooks;
	/* out, owned: released by pm_flow_run_release() */
	struct pm_buf summary;	      /* for stdout; may be empty */
	struct pm_flow_result result; /* ingest-clean, backfill */
	int has_result;		      /* result is filled in */
};

enum pm_flow_needs {
	PM_FLOW_DATA = 1 << 0,	 /* the data repository */
	PM_FLOW_MODELS = 1 << 1, /* the model repository */
};

struct pm_flow {
	const char *name;
	const char *summary;
	const char *const *tasks;	    /* NULL-terminated */
	const struct pm_flow_param *params; /* ends with a NULL name */
	unsigned needs;			    /* enum pm_flow_needs */
	/*
	 * Check the parameters before a run is recorded: PM_ERR_USAGE with
	 * err saying which one is bad.
	 */
	enum pm_err (*check)(const struct pm_flow_run *fr, struct pm_buf *err);
	/*
	 * Run it. PM_ERR_USAGE for a bad parameter (err says which), and
	 * PM_ERR_GATE when the data failed its quality gate (a summary is
	 * given even then).
	 */
	enum pm_err (*run)(struct pm_flow_run *fr, struct pm_buf *err);
};

/* The flow named name, or NULL. */
const struct pm_flow *pm_flow_find(const char *name);
/* Flow i of the table, NULL past the end. */
const struct pm_flow *pm_flow_at(size_t i);
/* "ingest-clean, backfill, ..." into out. */
void pm_flow_names(struct pm_buf *out);
/* Whether flow takes parameter key (TASK.option and run options aside). */
int pm_flow_takes(const struct pm_flow *f, const char *key);

void pm_flow_run_init(struct pm_flow_run *fr);
/* Close the stores and free the summary and result. */
void pm_flow_run_release(struct pm_flow_run *fr);
/* Open the stores flow f needs from fr->home. */
enum pm_err pm_flow_open(const struct pm_flow *f, struct pm_flow_run *fr,
			 struct pm_buf *err);
/*
 * The summary of an ingest-clean or backfill run (flow names it), as
 * text lines or one JSON object; ok is 0 when the run failed.
 */
void pm_flow_result_summary(const struct pm_flow_result *r, int json, int ok,
			    const char *flow, struct pm_buf *out);
/*
 * The summary of an eda report: where it was written (out, or NULL),
 * its size, the data commit, and whether it was published.
 */
void pm_eda_summary(const char *out, size_t bytes, const char *commit,
		    int published, int json, struct pm_buf *b);
/* The summary of train-model as printed, and its promote task line. */
void pm_train_summary(const struct pm_train_result *r, double alpha, int json,
		      struct pm_buf *out);
void pm_train_event(const struct pm_train_result *r, struct pm_buf *out);

/* The champion model on main's data (lib/flows/champion.c). */
struct pm_champion_eval {
	char data_commit[PM_ID_MAX];
	size_t test_rows;
	struct pm_metrics champion, persistence; /* on the same test hours */
};

/*
 * The champion of the model repository scored on the latest split of
 * main's data; PM_ERR_NOTFOUND when there is no champion yet.
 */
enum pm_err pm_champion_evaluate(struct pm_store *data,
				 struct pm_store *models,
				 struct pm_champion_eval *out,
				 struct pm_buf *err);

/* A forecast: n hours after the station's last, each with its AQI. */
struct pm_forecast {
	char station[64];
	char data_commit[PM_ID_MAX];
	size_t n;
	int64_t *time; /* UTC seconds, owned */
	double *pm25;  /* owned */
	int *aqi;      /* the Thai AQI of the 24 hours to it, -1: none */
};

void pm_forecast_release(struct pm_forecast *f);
/* f as a JSON array of hours, as pm25 model predict --json prints it. */
void pm_forecast_json(struct pm_buf *b, const struct pm_forecast *f);
/* ev as a JSON object, as pm25 model evaluate --json prints it. */
void pm_champion_eval_json(struct pm_buf *b,
			   const struct pm_champion_eval *ev);
/* The champion's forecast of hours hours for station. */
enum pm_err pm_champion_forecast(struct pm_store *data,
				 struct pm_store *models, const char *station,
				 size_t hours, struct pm_forecast *out,
				 struct pm_buf *err);

#endif
