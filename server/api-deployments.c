/*
 * /api/deployments: the list, one with its versions, and the actions
 * (run, pause, resume) through lib/orch/actions.c, as the CLI takes them.
 * A deployment's name is flow/deployment: two path parts.
 */
#include "pm25/compat.h"
#include "pm25/actions.h"
#include "pm25/buf.h"
#include "pm25/deployment.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "server-int.h"

/* "flow/name" of the path's two parts into out. */
static void full_name(const struct srv_req *rq, char *out, size_t size)
{
	snprintf(out, size, "%s/%s", rq->param[0], rq->param[1]);
}

void api_deployments(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_deployment *v = NULL;
	size_t n = 0, i;
	enum pm_err e = pm_state_deployment_list(rq->st, &v, &n, &err);

	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"deployments\": [");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_deployment_brief_json(&out->body, &v[i]);
		}
		pm_buf_addstr(&out->body, "]}\n");
		pm_deployments_release(v, n);
	}
	pm_buf_release(&err);
}

void api_deployment(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_deployment_version *vs = NULL;
	struct pm_deployment d;
	char name[300];
	size_t n = 0;
	enum pm_err e;

	memset(&d, 0, sizeof(d));
	full_name(rq, name, sizeof(name));
	e = pm_state_deployment_get(rq->st, name, 0, &d, &err);
	if (!e)
		e = pm_state_deployment_history(rq->st, name, &vs, &n, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_deployment_json(&out->body, &d, vs, n);
		pm_buf_addch(&out->body, '\n');
	}
	pm_deployment_versions_free(vs, n);
	pm_deployment_release(&d);
	pm_buf_release(&err);
}

/* Pause or resume: the deployment as it is now, or the error. */
static void set_paused(const struct srv_req *rq, struct srv_resp *out,
		       int paused)
{
	struct pm_buf err = PM_BUF_INIT;
	char name[300];
	enum pm_err e;

	full_name(rq, name, sizeof(name));
	e = pm_action_pause(rq->st, name, paused, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		pm_buf_release(&err);
		return;
	}
	pm_buf_release(&err);
	api_deployment(rq, out);
}

void api_deployment_pause(const struct srv_req *rq, struct srv_resp *out)
{
	set_paused(rq, out, 1);
}

void api_deployment_resume(const struct srv_req *rq, struct srv_resp *out)
{
	set_paused(rq, out, 0);
}

void api_deployment_run(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_deployment d;
	char name[300], id[PM_RUN_ID_MAX];
	enum pm_err e;

	memset(&d, 0, sizeof(d));
	full_name(rq, name, sizeof(name));
	e = pm_action_run(rq->st, name, NULL, 0, id, &d, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		out->status = 201;
		pm_buf_addstr(&out->body, "{\"id\": ");
		pm_buf_add_json_str(&out->body, id, strlen(id));
		pm_buf_addstr(&out->body, ", \"deployment\": ");
		pm_buf_add_json_str(&out->body, name, strlen(name));
		pm_buf_addf(&out->body,
			    ", \"version\": %ld, \"state\": \"Scheduled\"}\n",
			    d.version);
	}
	pm_deployment_release(&d);
	pm_buf_release(&err);
}
