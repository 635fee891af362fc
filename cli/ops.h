/*
 * What deployment, flow-run, pool and alert ask of the orchestrator
 * (cli/ops.c), in one place for both ways to reach it: the state
 * database of the home, or pm25 server when PM25_API_URL is set
 * (remote.h). The commands print what these give, the same either way.
 */
#ifndef PM25_CLI_OPS_H
#define PM25_CLI_OPS_H

#include "pm25/home.h"
#include "remote.h"

struct pm_state;

struct ops {
	struct pm_state *st; /* direct: the home's state database */
	struct pm_home home;
	int has_home;
	int remote; /* through pm25 server */
	struct remote r;
};

/*
 * Open o for command cmd: the server when PM25_API_URL is set, else the
 * home's state database. 0, or the exit status (the error printed).
 */
int ops_open(struct ops *o, const char *cmd);
void ops_close(struct ops *o);
/*
 * The state database for what only it does (prune, create a pool, send
 * alerts); NULL through the server, with the error printed for cmd.
 */
struct pm_state *ops_state(struct ops *o, const char *cmd, const char *what);

enum pm_err ops_deployment_list(struct ops *o, struct pm_deployment **v,
				size_t *n, struct pm_buf *err);
enum pm_err ops_deployment_get(struct ops *o, const char *name,
			       struct pm_deployment *d,
			       struct pm_deployment_version **vs, size_t *n,
			       struct pm_buf *err);
enum pm_err ops_deployment_apply(struct ops *o, const char *file,
				 struct pm_deploy_saved **saved, size_t *n,
				 struct pm_buf *err);
enum pm_err ops_deployment_pause(struct ops *o, const char *name, int paused,
				 struct pm_buf *err);
enum pm_err ops_deployment_update(struct ops *o, const char *name,
				  const struct pm_deploy_change *c,
				  struct pm_deploy_saved *s,
				  struct pm_buf *err);
enum pm_err ops_deployment_rollback(struct ops *o, const char *name, long to,
				    struct pm_deploy_saved *s,
				    struct pm_buf *err);
enum pm_err ops_deployment_run(struct ops *o, const char *name,
			       const struct pm_kv *kv, size_t nkv,
			       char id[PM_RUN_ID_MAX], struct pm_deployment *d,
			       struct pm_buf *err);
enum pm_err ops_run_list(struct ops *o, const char *state, const char *flow,
			 size_t limit, struct pm_run **v, size_t *n,
			 struct pm_buf *err);
enum pm_err ops_run_load(struct ops *o, const char *id, struct pm_run *run,
			 struct pm_run_change **hist, size_t *nhist,
			 struct pm_buf *err);
enum pm_err ops_run_log(struct ops *o, const char *id, struct pm_log_line **v,
			size_t *n, struct pm_buf *err);
enum pm_err ops_run_cancel(struct ops *o, const char *id, enum pm_run_state *to,
			   struct pm_buf *err);
enum pm_err ops_run_retry(struct ops *o, const char *id, struct pm_buf *err);
enum pm_err ops_pool_list(struct ops *o, struct pm_pool_info **v, size_t *n,
			  struct pm_buf *err);
enum pm_err ops_pool_pause(struct ops *o, const char *name, int paused,
			   struct pm_buf *err);
enum pm_err ops_alert_list(struct ops *o, const char *status, size_t limit,
			   struct pm_alert **v, size_t *n, struct pm_buf *err);

#endif
