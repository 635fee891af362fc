/*
 * /api/deployments: the list, one with its versions, and the actions
 * (update, which is promotion, run, pause, resume, roll back, apply a
 * deployments YAML) through lib/orch/actions.c, as the CLI takes them.
 * A deployment's name is flow/deployment: two path parts.
 */
#include "pm25/compat.h"
#include <jansson.h>
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

/* After an action: the deployment as it is now, or the action's error. */
static void then_show(const struct srv_req *rq, struct srv_resp *out,
		      enum pm_err e, const struct pm_buf *err)
{
	if (e)
		srv_fail(out, e, err->buf);
	else
		api_deployment(rq, out);
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
	then_show(rq, out, e, &err);
	pm_buf_release(&err);
}

void api_deployment_pause(const struct srv_req *rq, struct srv_resp *out)
{
	set_paused(rq, out, 1);
}

void api_deployment_resume(const struct srv_req *rq, struct srv_resp *out)
{
	set_paused(rq, out, 0);
}

static json_t *body_object(const struct srv_req *rq, struct srv_resp *out);
static int params_kv(json_t *params, struct pm_kv *kv, size_t max, size_t *n);

void api_deployment_run(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_deployment d;
	struct pm_kv kv[32];
	char name[300], id[PM_RUN_ID_MAX];
	json_t *j = body_object(rq, out), *params;
	size_t n = 0;
	enum pm_err e;

	if (!j)
		return;
	memset(&d, 0, sizeof(d));
	params = json_object_get(j, "parameters");
	if (params && !params_kv(params, kv, 32, &n)) {
		srv_error(out, 422, "invalid",
			  "parameters is an object of at most 32 strings");
		goto out;
	}
	full_name(rq, name, sizeof(name));
	e = pm_action_run(rq->st, name, kv, n, id, &d, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		goto out;
	}
	out->status = 201;
	pm_buf_addstr(&out->body, "{\"id\": ");
	pm_buf_add_json_str(&out->body, id, strlen(id));
	pm_buf_addstr(&out->body, ", \"deployment\": ");
	pm_buf_add_json_str(&out->body, name, strlen(name));
	pm_buf_addf(&out->body, ", \"version\": %ld, \"pool\": ", d.version);
	pm_buf_add_json_str(&out->body, d.work_pool, strlen(d.work_pool));
	pm_buf_addstr(&out->body, ", \"state\": \"Scheduled\"}\n");
out:
	json_decref(j);
	pm_deployment_release(&d);
	pm_buf_release(&err);
}

/* The request's body as a JSON object (an empty body is {}), or NULL. */
static json_t *body_object(const struct srv_req *rq, struct srv_resp *out)
{
	json_error_t je;
	json_t *j = rq->body_len ? json_loadb(rq->body, rq->body_len, 0, &je) :
				   json_object();

	if (!json_is_object(j)) {
		srv_error(out, 400, "bad_request",
			  "the body is a JSON object%s%s",
			  j ? "" : ": ", j ? "" : je.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* An object of strings into kv (borrowed from it); 0 if it is not one. */
static int params_kv(json_t *params, struct pm_kv *kv, size_t max, size_t *n)
{
	const char *key;
	json_t *v;

	*n = 0;
	if (!json_is_object(params))
		return 0;
	json_object_foreach(params, key, v)
	{
		if (!json_is_string(v) || *n == max)
			return 0;
		kv[*n].key = key;
		kv[(*n)++].value = json_string_value(v);
	}
	return 1;
}

/* A string member of j, NULL if absent; *bad if it is not a string. */
static const char *member(json_t *j, const char *key, int *bad)
{
	json_t *v = json_object_get(j, key);

	if (v && !json_is_string(v))
		*bad = 1;
	return json_string_value(v);
}

void api_deployment_patch(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_deploy_change c = { 0 };
	struct pm_deploy_saved saved;
	struct pm_buf err = PM_BUF_INIT;
	struct pm_kv kv[32];
	json_t *j = body_object(rq, out), *params, *lim;
	char name[300];
	int bad = 0;
	enum pm_err e;

	if (!j)
		return;
	c.concurrency = -1;
	c.work_pool = member(j, "work_pool", &bad);
	c.image = member(j, "image", &bad);
	c.cron = member(j, "cron", &bad);
	c.timezone = member(j, "timezone", &bad);
	lim = json_object_get(j, "concurrency_limit");
	if (lim && !json_is_integer(lim))
		bad = 1;
	else if (lim)
		c.concurrency = (long)json_integer_value(lim);
	params = json_object_get(j, "parameters");
	if (params && !params_kv(params, kv, 32, &c.nparams))
		bad = 1;
	c.params = kv;
	if (bad) {
		srv_error(out, 422, "invalid",
			  "work_pool, image, cron and timezone are strings, "
			  "concurrency_limit a whole number, parameters an "
			  "object of at most 32 strings");
	} else {
		full_name(rq, name, sizeof(name));
		e = pm_action_update(rq->st, name, &c, &saved, &err);
		then_show(rq, out, e, &err);
	}
	json_decref(j);
	pm_buf_release(&err);
}

void api_deployment_rollback(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_deploy_saved saved;
	struct pm_buf err = PM_BUF_INIT;
	json_t *j = body_object(rq, out), *to;
	char name[300];
	enum pm_err e;

	if (!j)
		return;
	to = json_object_get(j, "to");
	if (to && (!json_is_integer(to) || json_integer_value(to) < 1)) {
		srv_error(out, 422, "invalid", "to is a version, 1 or more");
	} else {
		full_name(rq, name, sizeof(name));
		e = pm_action_rollback(rq->st, name,
				       to ? (long)json_integer_value(to) : 0,
				       &saved, &err);
		then_show(rq, out, e, &err);
	}
	json_decref(j);
	pm_buf_release(&err);
}

void api_deployments_apply(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_deploy_saved *v = NULL;
	struct pm_buf err = PM_BUF_INIT;
	size_t n = 0, i;
	const char *file = rq->query(rq->conn, "file");
	enum pm_err e = pm_action_apply_text(rq->st, rq->body ? rq->body : "",
					     rq->body_len,
					     file && *file ? file : "body", &v,
					     &n, &err);

	if (e == PM_ERR_PARSE || e == PM_ERR_USAGE || e == PM_ERR_NOTFOUND) {
		/* the file's own mistakes, FILE:LINE:COL named */
		srv_error(out, 422, srv_error_code(e), "%s", err.buf);
	} else if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"deployments\": [");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(&out->body, i ? ", " : "");
			pm_buf_addstr(&out->body, "{\"name\": ");
			pm_buf_add_json_str(&out->body, v[i].name,
					    strlen(v[i].name));
			pm_buf_addf(&out->body,
				    ", \"version\": %ld, \"changed\": %s}",
				    v[i].version,
				    v[i].created ? "true" : "false");
		}
		pm_buf_addstr(&out->body, "]}\n");
	}
	free(v);
	pm_buf_release(&err);
}
