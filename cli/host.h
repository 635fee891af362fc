/*
 * A flow run hosted by this process, in the foreground (pm25 run) or as
 * a worker's run (pm25 flow-run execute): where its task lines go, its
 * task clock, and its parameters as key=value pairs.
 */
#ifndef PM25_CLI_HOST_H
#define PM25_CLI_HOST_H

#include "pm25/buf.h"
#include "pm25/state.h"
#include "pm25/store.h"

struct pm_loki;

struct host {
	struct pm_state *st;  /* the run's log; owned by the caller */
	struct pm_loki *loki; /* NULL: no Loki, or the worker pushes */
	const char *flow;
	char id[PM_RUN_ID_MAX];
	int quiet;	/* no task lines on stderr */
	int foreground; /* a cancel ends it at a task boundary */
	long attempt;	/* a worker's run: the attempt it claimed */
	int64_t slot_ms; /* a worker's run: its slot, or PM_MS_NONE */
};

struct pm_event;

/* A task event: on stderr (unless quiet), in the run's log, to Loki. */
void host_event(void *ctx, const struct pm_event *ev);
/* A task starts or ends: the watchdog, and a foreground checkpoint. */
void host_task_clock(void *ctx, const char *task, double timeout_s);
/* The health check's question: does the run's state database answer? */
enum pm_err host_state_check(void *ctx, struct pm_buf *err);
/*
 * The watchdog's hook: a task overran. The run's TimedOut line goes on
 * stderr and in its log, and the run ends TimedOut, recorded on a state
 * connection of its own; then a foreground run exits 4, and a worker's
 * run has its process group killed (its retry policy applies, as the
 * worker would apply it).
 */
void host_expire(void *ctx, const char *task, double timeout_s);
/* Backfill's progress on stderr: one line per ten days, or a tty line. */
void host_progress(void *ctx, size_t done, size_t total, const char *day);

/* Parameters: key=value pairs, the keys owned. */
struct host_params {
	struct pm_kv *kv;
	char **keys;
	size_t nr;
};

/* Add key=value (the value borrowed); -1 if kv has no '='. */
int host_params_add_kv(struct host_params *p, const char *kv);
void host_params_add(struct host_params *p, const char *key, const char *value);
void host_params_release(struct host_params *p);
/* The parameters as the JSON object a run records (URLs redacted). */
char *host_params_json(const struct host_params *p);

#endif
