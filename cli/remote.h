/*
 * The CLI as a client of pm25 server (cli/remote.c): when PM25_API_URL
 * is set, deployment, flow-run, pool and alert send their requests to
 * the server's /api with PM25_API_TOKEN, and read its answers back into
 * the same records (pm25/records.h) that the state database gives, so
 * that what they print is the same. An answer's error comes back as
 * the library error it was: the exit codes are the same too. A server
 * that does not answer is PM_ERR_NET (exit 4); a refused token is
 * PM_ERR_HTTP (exit 1) with a message that says so.
 */
#ifndef PM25_CLI_REMOTE_H
#define PM25_CLI_REMOTE_H

#include <stddef.h>
#include "pm25/actions.h"
#include "pm25/deployment.h"
#include "pm25/err.h"
#include "pm25/records.h"

struct pm_buf;

struct remote {
	const char *url, *token; /* borrowed from the settings */
};

/* 1 with r set when PM25_API_URL is. */
int remote_configured(struct remote *r);

enum pm_err remote_deployment_list(const struct remote *r,
				   struct pm_deployment **v, size_t *n,
				   struct pm_buf *err);
enum pm_err remote_deployment_get(const struct remote *r, const char *name,
				  struct pm_deployment *d,
				  struct pm_deployment_version **vs, size_t *n,
				  struct pm_buf *err);
enum pm_err remote_deployment_apply(const struct remote *r, const char *file,
				    struct pm_deploy_saved **saved, size_t *n,
				    struct pm_buf *err);
enum pm_err remote_deployment_pause(const struct remote *r, const char *name,
				    int paused, struct pm_buf *err);
enum pm_err remote_deployment_update(const struct remote *r, const char *name,
				     const struct pm_deploy_change *c,
				     struct pm_deploy_saved *s,
				     struct pm_buf *err);
enum pm_err remote_deployment_rollback(const struct remote *r, const char *name,
				       long to, struct pm_deploy_saved *s,
				       struct pm_buf *err);
enum pm_err remote_deployment_run(const struct remote *r, const char *name,
				  const struct pm_kv *kv, size_t nkv,
				  char id[PM_RUN_ID_MAX],
				  struct pm_deployment *d, struct pm_buf *err);

enum pm_err remote_run_list(const struct remote *r, const char *state,
			    const char *flow, size_t limit, struct pm_run **v,
			    size_t *n, struct pm_buf *err);
enum pm_err remote_run_load(const struct remote *r, const char *id,
			    struct pm_run *run, struct pm_run_change **hist,
			    size_t *nhist, struct pm_buf *err);
enum pm_err remote_run_log(const struct remote *r, const char *id,
			   struct pm_log_line **v, size_t *n,
			   struct pm_buf *err);
enum pm_err remote_run_cancel(const struct remote *r, const char *id,
			      enum pm_run_state *to, struct pm_buf *err);
enum pm_err remote_run_retry(const struct remote *r, const char *id,
			     struct pm_buf *err);

enum pm_err remote_pool_list(const struct remote *r, struct pm_pool_info **v,
			     size_t *n, struct pm_buf *err);
enum pm_err remote_pool_pause(const struct remote *r, const char *name,
			      int paused, struct pm_buf *err);

enum pm_err remote_alert_list(const struct remote *r, const char *status,
			      size_t limit, struct pm_alert **v, size_t *n,
			      struct pm_buf *err);

#endif
