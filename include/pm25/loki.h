/*
 * Log lines pushed to Grafana Loki (POST /loki/api/v1/push, JSON, gzip).
 * Streams are labelled app, env, flow and level only; the run id goes in
 * each line's structured metadata; timestamps are nanosecond strings.
 *
 * pm_loki_push() never waits on the network: lines go into a bounded
 * buffer (the oldest are dropped, and counted, when it is full) and a
 * thread of the pusher's own sends them in batches, keeping them while
 * Loki is down and retrying with a capped backoff.
 */
#ifndef PM25_LOKI_H
#define PM25_LOKI_H

#include <stddef.h>
#include <stdint.h>

struct pm_loki;

struct pm_loki_opts {
	const char *url;    /* the push URL, or the base URL of Loki */
	const char *env;    /* the env label */
	const char *tenant; /* X-Scope-OrgID of a multi-tenant Loki, or NULL */
	size_t max_lines;   /* buffer bound in lines (10000) */
	size_t max_bytes;   /* buffer bound in bytes (8 MiB) */
	size_t batch_lines; /* lines per push at most (1000) */
	long flush_ms;	    /* push a partial batch after this long (1000) */
	long timeout_ms;    /* per request (5000) */
};

/*
 * Defaults, with url from PM25_LOKI_URL and env from PM25_ENV (or
 * dflt_env), tenant from PM25_LOKI_TENANT; PM25_LOKI_MAX_LINES, PM25_LOKI_BATCH and PM25_LOKI_FLUSH_MS
 * change the bounds.
 */
void pm_loki_opts_from_env(struct pm_loki_opts *o, const char *dflt_env);

/* Start a pusher; NULL if o->url is NULL or the thread cannot start. */
struct pm_loki *pm_loki_start(const struct pm_loki_opts *o);

/*
 * Queue one line (copied). flow and level are labels; run_id (or NULL)
 * goes in structured metadata. ns 0 means now.
 */
void pm_loki_push(struct pm_loki *l, int64_t ns, const char *flow,
		  const char *level, const char *run_id, const char *line);

struct pm_loki_stats {
	size_t queued;	 /* lines given to pm_loki_push() */
	size_t sent;	 /* lines Loki took */
	size_t dropped;	 /* lines lost to the bound or refused by Loki */
	size_t batches;	 /* pushes that succeeded */
	size_t failures; /* pushes that failed */
};

/*
 * Send what is buffered, waiting at most wait_ms, then stop the thread
 * and free l; lines still unsent are counted as dropped. stats may be
 * NULL.
 */
void pm_loki_stop(struct pm_loki *l, long wait_ms, struct pm_loki_stats *stats);

/*
 * The level of a line a run wrote: a JSON event's "level", else "error"
 * for pm25's own error lines ("pm25 CMD: ..."), else "info". Static text.
 */
const char *pm_loki_level_of(const char *line);

#endif
