/*
 * The orchestrator's operations for the CLI (ops.h): each goes to the
 * state database or, with PM25_API_URL, to pm25 server.
 */
#include "pm25/compat.h"
#include "pm25/actions.h"
#include "pm25/buf.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "cmd.h"
#include "ops.h"

int ops_open(struct ops *o, const char *cmd)
{
	struct pm_buf err = PM_BUF_INIT;
	enum pm_err e;

	memset(o, 0, sizeof(*o));
	if (remote_configured(&o->r)) {
		o->remote = 1;
		return 0;
	}
	pm_home_locate(&o->home);
	o->has_home = 1;
	e = pm_home_state(&o->home, &o->st, &err);
	if (e) {
		int status = cmd_fail(cmd, e, err.buf);

		pm_buf_release(&err);
		return status;
	}
	return 0;
}

void ops_close(struct ops *o)
{
	pm_state_close(o->st);
	if (o->has_home)
		pm_home_release(&o->home);
	memset(o, 0, sizeof(*o));
}

struct pm_state *ops_state(struct ops *o, const char *cmd, const char *what)
{
	if (!o->remote)
		return o->st;
	fprintf(stderr,
		"pm25 %s: %s works on the state database, not through "
		"PM25_API_URL (unset it on the machine of the home)\n",
		cmd, what);
	return NULL;
}

enum pm_err ops_deployment_list(struct ops *o, struct pm_deployment **v,
				size_t *n, struct pm_buf *err)
{
	if (o->remote)
		return remote_deployment_list(&o->r, v, n, err);
	return pm_state_deployment_list(o->st, v, n, err);
}

enum pm_err ops_deployment_get(struct ops *o, const char *name,
			       struct pm_deployment *d,
			       struct pm_deployment_version **vs, size_t *n,
			       struct pm_buf *err)
{
	enum pm_err e;

	if (o->remote)
		return remote_deployment_get(&o->r, name, d, vs, n, err);
	e = pm_state_deployment_get(o->st, name, 0, d, err);
	if (!e && vs)
		e = pm_state_deployment_history(o->st, name, vs, n, err);
	return e;
}

enum pm_err ops_deployment_apply(struct ops *o, const char *file,
				 struct pm_deploy_saved **saved, size_t *n,
				 struct pm_buf *err)
{
	if (o->remote)
		return remote_deployment_apply(&o->r, file, saved, n, err);
	return pm_action_apply(o->st, file, saved, n, err);
}

enum pm_err ops_deployment_pause(struct ops *o, const char *name, int paused,
				 struct pm_buf *err)
{
	if (o->remote)
		return remote_deployment_pause(&o->r, name, paused, err);
	return pm_action_pause(o->st, name, paused, err);
}

enum pm_err ops_deployment_update(struct ops *o, const char *name,
				  const struct pm_deploy_change *c,
				  struct pm_deploy_saved *s, struct pm_buf *err)
{
	if (o->remote)
		return remote_deployment_update(&o->r, name, c, s, err);
	return pm_action_update(o->st, name, c, s, err);
}

enum pm_err ops_deployment_rollback(struct ops *o, const char *name, long to,
				    struct pm_deploy_saved *s,
				    struct pm_buf *err)
{
	if (o->remote)
		return remote_deployment_rollback(&o->r, name, to, s, err);
	return pm_action_rollback(o->st, name, to, s, err);
}

enum pm_err ops_deployment_run(struct ops *o, const char *name,
			       const struct pm_kv *kv, size_t nkv,
			       char id[PM_RUN_ID_MAX], struct pm_deployment *d,
			       struct pm_buf *err)
{
	if (o->remote)
		return remote_deployment_run(&o->r, name, kv, nkv, id, d, err);
	return pm_action_run(o->st, name, kv, nkv, id, d, err);
}

enum pm_err ops_run_list(struct ops *o, const char *state, const char *flow,
			 size_t limit, struct pm_run **v, size_t *n,
			 struct pm_buf *err)
{
	if (o->remote)
		return remote_run_list(&o->r, state, flow, limit, v, n, err);
	return pm_state_run_list(o->st, state, flow, limit, v, n, err);
}

enum pm_err ops_run_load(struct ops *o, const char *id, struct pm_run *run,
			 struct pm_run_change **hist, size_t *nhist,
			 struct pm_buf *err)
{
	if (o->remote)
		return remote_run_load(&o->r, id, run, hist, nhist, err);
	return pm_state_run_load(o->st, id, run, hist, nhist, err);
}

enum pm_err ops_run_log(struct ops *o, const char *id, struct pm_log_line **v,
			size_t *n, struct pm_buf *err)
{
	if (o->remote)
		return remote_run_log(&o->r, id, v, n, err);
	return pm_state_run_log(o->st, id, v, n, err);
}

enum pm_err ops_run_cancel(struct ops *o, const char *id, enum pm_run_state *to,
			   struct pm_buf *err)
{
	if (o->remote)
		return remote_run_cancel(&o->r, id, to, err);
	return pm_action_cancel(o->st, id, "the command line", to, err);
}

enum pm_err ops_run_retry(struct ops *o, const char *id, struct pm_buf *err)
{
	if (o->remote)
		return remote_run_retry(&o->r, id, err);
	return pm_state_run_retry(o->st, id, "retried from the command line",
				  err);
}

enum pm_err ops_pool_list(struct ops *o, struct pm_pool_info **v, size_t *n,
			  struct pm_buf *err)
{
	if (o->remote)
		return remote_pool_list(&o->r, v, n, err);
	return pm_state_pool_list(o->st, v, n, err);
}

enum pm_err ops_pool_pause(struct ops *o, const char *name, int paused,
			   struct pm_buf *err)
{
	if (o->remote)
		return remote_pool_pause(&o->r, name, paused, err);
	return pm_state_pool_pause(o->st, name, paused, err);
}

enum pm_err ops_alert_list(struct ops *o, const char *status, size_t limit,
			   struct pm_alert **v, size_t *n, struct pm_buf *err)
{
	if (o->remote)
		return remote_alert_list(&o->r, status, limit, v, n, err);
	return pm_state_alert_list(o->st, status, limit, v, n, err);
}
