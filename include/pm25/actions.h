/*
 * The actions on deployments and models (lib/orch/actions.c), as library
 * calls, so that pm25 deployment, pm25 model and the server's API do the
 * same thing: apply a file, update (promote to a pool), pause, resume,
 * run now, roll back, and promote a model by hand.
 */
#ifndef PM25_ACTIONS_H
#define PM25_ACTIONS_H

#include <stddef.h>
#include "pm25/err.h"
#include "pm25/state.h"
#include "pm25/store.h"

struct pm_buf;
struct pm_deployment;

/* A deployment as an action left it. */
struct pm_deploy_saved {
	char name[128];
	long version;
	int created; /* 0: the same as the version before, unchanged */
};

/*
 * Apply a deployments file: every deployment's pool must exist first
 * (the file applies whole or not at all), then each is stored as a new
 * version if it changed. *out (owned, free()) gets one entry per
 * deployment stored before any error.
 */
enum pm_err pm_action_apply(struct pm_state *st, const char *file,
			    struct pm_deploy_saved **out, size_t *nr,
			    struct pm_buf *err);

/* The same of a deployments YAML text (len bytes), named origin. */
enum pm_err pm_action_apply_text(struct pm_state *st, const char *text,
				 size_t len, const char *origin,
				 struct pm_deploy_saved **out, size_t *nr,
				 struct pm_buf *err);

/* What an update changes; NULL (or concurrency < 0) keeps a field. */
struct pm_deploy_change {
	const char *work_pool; /* a new pool is a promotion */
	const char *image;
	const char *cron; /* "" for none */
	const char *timezone;
	long concurrency; /* 0: no limit */
	const struct pm_kv *params; /* merged into its parameters */
	size_t nparams;
};

/* Update deployment name as c says, as a new version. */
enum pm_err pm_action_update(struct pm_state *st, const char *name,
			     const struct pm_deploy_change *c,
			     struct pm_deploy_saved *out, struct pm_buf *err);
/*
 * Roll name back to version to (0: the one before the current), as a
 * new version; its paused flag stays as it is now.
 */
enum pm_err pm_action_rollback(struct pm_state *st, const char *name,
			       long to, struct pm_deploy_saved *out,
			       struct pm_buf *err);
/* Pause (or resume) name: its runs are not claimed while paused. */
enum pm_err pm_action_pause(struct pm_state *st, const char *name,
			    int paused, struct pm_buf *err);
/*
 * Cancel run id, saying who asked (by): one not started yet ends
 * Cancelled at once, a running one is asked to stop (Cancelling); *to
 * gets which.
 */
enum pm_err pm_action_cancel(struct pm_state *st, const char *id,
			     const char *by, enum pm_run_state *to,
			     struct pm_buf *err);
/*
 * A run of name now (Scheduled in its pool), with params merged into
 * its parameters; d (released by the caller) gets the deployment.
 */
enum pm_err pm_action_run(struct pm_state *st, const char *name,
			  const struct pm_kv *params, size_t nparams,
			  char id[PM_RUN_ID_MAX], struct pm_deployment *d,
			  struct pm_buf *err);
/*
 * Make the newest model on branch of the model repository the champion
 * and merge it into main; path (PM_ID_MAX... 96 bytes) gets its path.
 */
enum pm_err pm_action_model_promote(struct pm_store *models,
				    const char *branch, char path[96],
				    struct pm_buf *err);

#endif
