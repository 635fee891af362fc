/*
 * Deployments: a flow with its schedule, pool, image and parameters,
 * named flow/deployment. deployments.yaml declares them:
 *
 *   deployments:
 *     - name: ingest-clean/daily-ingest      # flow/deployment
 *       flow: ingest-clean
 *       schedule: {cron: "5 * * * *", timezone: Asia/Bangkok, missed: latest}
 *       work_pool: etl-pool-dev
 *       image: ghcr.io/OWNER/pm25:0.1.0
 *       parameters: {source: air4thai-history}
 *       concurrency_limit: 1
 *       paused: false                        # true: a new one starts paused
 *
 * In the state database every change makes a new version; the versions
 * stay, so any earlier one can be restored.
 */
#ifndef PM25_DEPLOYMENT_H
#define PM25_DEPLOYMENT_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_state;
struct pm_rows;

/* What runs; every string owned. */
struct pm_deployment {
	char *name, *flow;
	char *cron;	 /* NULL: runs only when asked */
	char *timezone;	 /* IANA, default Asia/Bangkok */
	char *missed;	 /* all, latest (default) or none */
	char *work_pool; /* default etl-pool-dev */
	char *image;	 /* NULL: the pm25 of the worker */
	char *parameters; /* a JSON object, "{}" for none */
	long concurrency_limit; /* 0: no limit */
	/* from the state database (paused: from the file, when new) */
	long version;
	int paused;
};

void pm_deployment_release(struct pm_deployment *d);
void pm_deployments_release(struct pm_deployment *d, size_t nr);

/*
 * The "max_late_runs" of a deployment's parameters (JSON text): how many
 * Late runs it keeps before the oldest are cancelled; -1 for no limit.
 */
long pm_deployment_max_late(const char *parameters);

/* 1 + the "retries" parameter of d (how often a run may start). */
long pm_deployment_attempts(const struct pm_deployment *d);

/*
 * Whether ref is an OCI image reference ([registry[:port]/]name[:tag]
 * [@digest]); nothing that starts with '-' is.
 */
int pm_image_ref_valid(const char *ref);

/*
 * Check d: name "flow/deployment" of a known flow, a cron that parses,
 * a time zone that exists, the missed-run policy, a limit >= 0.
 * PM_ERR_USAGE saying what is wrong.
 */
enum pm_err pm_deployment_check(const struct pm_deployment *d,
				struct pm_buf *err);

/*
 * Read the deployments of a YAML file (the format above); defaults
 * filled in, each checked. Errors are FILE:LINE:COLUMN: message.
 */
enum pm_err pm_deployments_load(const char *path, struct pm_deployment **out,
				size_t *nr, struct pm_buf *err);
/* The same of text (len bytes) named path in errors. */
enum pm_err pm_deployments_parse(const char *text, size_t len,
				 const char *path, struct pm_deployment **out,
				 size_t *nr, struct pm_buf *err);

/*
 * Store d as the deployment's next version when it differs from the
 * current one (or is new); change says why ("apply", "update", ...).
 * *version gets the current version and *created 1 if one was made.
 * The work pool must exist (PM_ERR_NOTFOUND).
 */
enum pm_err pm_state_deployment_put(struct pm_state *st,
				    const struct pm_deployment *d,
				    const char *change, long *version,
				    int *created, struct pm_buf *err);
/* Version v (0: the current one) of name into d. */
enum pm_err pm_state_deployment_get(struct pm_state *st, const char *name,
				    long v, struct pm_deployment *d,
				    struct pm_buf *err);
enum pm_err pm_state_deployment_pause(struct pm_state *st, const char *name,
				      int paused, struct pm_buf *err);

#endif
