/*
 * The routes table: every route the server answers, with its method,
 * its pattern, whether it changes state (then it needs the token) and
 * a summary for /api/openapi.json. Matching and the error answers that
 * every handler shares.
 */
#include "pm25/compat.h"
#include <stdarg.h>
#include "pm25/buf.h"
#include "server-int.h"

const struct srv_route srv_routes[] = {
	{ "GET", "/healthz", api_healthz, 0, "liveness" },
	{ "GET", "/readyz", api_readyz, 0,
	  "readiness: the state database and the store answer" },
	{ "GET", "/api/openapi.json", api_openapi, 0,
	  "this API, as OpenAPI 3.1" },
	{ "GET", "/api/flow_runs", api_runs, 0,
	  "runs, newest first, by keyset pages (no parameters, no logs)" },
	{ "GET", "/api/flow_runs/{id}", api_run, 0,
	  "a run with its history and parameters" },
	{ "GET", "/api/flow_runs/{id}/logs", api_run_logs, 0,
	  "a run's log lines" },
	{ "POST", "/api/flow_runs/{id}/cancel", api_run_cancel, SRV_WRITE,
	  "cancel a run" },
	{ "POST", "/api/flow_runs/{id}/retry", api_run_retry, SRV_WRITE,
	  "run an ended run again: its next attempt, for its own slot" },
	{ "GET", "/api/logs", api_logs, 0,
	  "log lines of every run that hold q, newest first" },
	{ "GET", "/api/deployments", api_deployments, 0, "deployments" },
	{ "POST", "/api/deployments/apply", api_deployments_apply,
	  SRV_WRITE | SRV_BODY,
	  "apply a deployments YAML body, whole or not at all" },
	{ "GET", "/api/deployments/{flow}/{name}", api_deployment, 0,
	  "a deployment with its versions" },
	{ "PATCH", "/api/deployments/{flow}/{name}", api_deployment_patch,
	  SRV_WRITE | SRV_BODY,
	  "update work_pool (promotion), image, parameters, cron, timezone, "
	  "concurrency_limit" },
	{ "POST", "/api/deployments/{flow}/{name}/rollback",
	  api_deployment_rollback, SRV_WRITE | SRV_BODY,
	  "roll back to the version before, or {\"to\": V}" },
	{ "POST", "/api/deployments/{flow}/{name}/run", api_deployment_run,
	  SRV_WRITE, "schedule a run of a deployment now" },
	{ "POST", "/api/deployments/{flow}/{name}/pause",
	  api_deployment_pause, SRV_WRITE, "pause a deployment" },
	{ "POST", "/api/deployments/{flow}/{name}/resume",
	  api_deployment_resume, SRV_WRITE, "resume a deployment" },
	{ "GET", "/api/work_pools", api_pools, 0,
	  "work pools with their status" },
	{ "POST", "/api/work_pools/{name}/pause", api_pool_pause, SRV_WRITE,
	  "pause a work pool" },
	{ "POST", "/api/work_pools/{name}/resume", api_pool_resume, SRV_WRITE,
	  "resume a work pool" },
	{ "GET", "/api/data/commits", api_data_commits, 0,
	  "commits of a ref of the data repository (ref=, limit=)" },
	{ "GET", "/api/data/branches", api_data_branches, 0,
	  "branches of the data repository" },
	{ "GET", "/api/data/tree", api_data_tree, 0,
	  "paths under prefix= at ref=" },
	{ "GET", "/api/data/object", api_data_object, 0,
	  "the bytes of path= at ref=" },
	{ "GET", "/api/stations", api_stations, 0,
	  "each station's newest PM2.5 with the Thai AQI of its 24 hours" },
	{ "GET", "/api/workers", api_workers, 0,
	  "workers with their status and runs" },
	{ "GET", "/api/alerts", api_alerts, 0, "the alert outbox" },
	{ "GET", "/metrics", api_metrics, 0,
	  "Prometheus metrics, in the text format" },
	{ NULL, NULL, NULL, 0, NULL },
};

const double srv_buckets[SRV_NBUCKETS] = { 0.001, 0.005, 0.01, 0.025, 0.05,
					   0.1,	  0.25,	 0.5,  1,     5 };
const int srv_codes[SRV_NCODES] = { 200, 201, 400, 401, 403, 404,
				    405, 409, 413, 422, 500, 503 };

int srv_match(const char *pattern, const char *path, struct srv_req *rq)
{
	const char *p = pattern, *s = path;
	size_t used = 0;
	int n = 0;

	while (*p && *s) {
		if (*p == '{') {
			size_t len = strcspn(s, "/?");

			p = strchr(p, '}');
			if (!p || !len || n == SRV_MAX_PARAMS ||
			    used + len + 1 > sizeof(rq->param_buf))
				return 0;
			p++;
			memcpy(rq->param_buf + used, s, len);
			rq->param_buf[used + len] = '\0';
			rq->param[n++] = rq->param_buf + used;
			used += len + 1;
			s += len;
			continue;
		}
		if (*p++ != *s++)
			return 0;
	}
	return !*p && (!*s || *s == '?');
}

void srv_error(struct srv_resp *out, int status, const char *code,
	       const char *fmt, ...)
{
	struct pm_buf msg = PM_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pm_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	out->status = status;
	out->type = NULL;
	pm_buf_reset(&out->body);
	pm_buf_addf(&out->body, "{\"error\": {\"code\": \"%s\", \"message\": ",
		    code);
	pm_buf_add_json_str(&out->body, msg.buf ? msg.buf : "", msg.len);
	pm_buf_addstr(&out->body, "}}\n");
	pm_buf_release(&msg);
}

void srv_fail(struct srv_resp *out, enum pm_err e, const char *text)
{
	const char *t = text && *text ? text : pm_strerror(e);

	switch (e) {
	case PM_ERR_NOTFOUND:
		srv_error(out, 404, "not_found", "%s", t);
		break;
	case PM_ERR_USAGE:
		srv_error(out, 422, "invalid", "%s", t);
		break;
	case PM_ERR_CONFLICT:
		srv_error(out, 409, "conflict", "%s", t);
		break;
	case PM_ERR_NET:
	case PM_ERR_TIMEOUT:
		srv_error(out, 503, "unavailable", "%s", t);
		break;
	default:
		srv_error(out, 500, "internal", "%s", t);
	}
}

int srv_query_long(const struct srv_req *rq, const char *key, long min,
		   long max, long def, long *v)
{
	const char *s = rq->query(rq->conn, key);
	char *end;

	*v = def;
	if (!s)
		return 0;
	errno = 0;
	*v = strtol(s, &end, 10);
	if (!*s || *end || errno || *v < min || *v > max)
		return -1;
	return 0;
}
