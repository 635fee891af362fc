/*
 * The routes table: every route the server answers, with its method,
 * its pattern, whether it changes state (then it needs the token) and
 * a summary for /api/openapi.json. Matching and the error answers that
 * every handler shares.
 */
#include "pm25/compat.h"
#include <stdarg.h>
#include "pm25/buf.h"
#include "pm25/home.h"
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
	{ "GET", "/api/flow_runs/{id}/logs/stream", api_run_stream, 0,
	  "a run's new log lines as Server-Sent Events (\"line\"), then "
	  "\"end\" with its state; from= skips lines already shown" },
	{ "POST", "/api/flow_runs/{id}/cancel", api_run_cancel,
	  SRV_WRITE | SRV_BODY,
	  "cancel a run ({\"by\": WHO} names who, for its reason)" },
	{ "POST", "/api/flow_runs/{id}/retry", api_run_retry,
	  SRV_WRITE | SRV_BODY,
	  "run an ended run again: its next attempt, for its own slot "
	  "({\"by\": WHO})" },
	{ "GET", "/api/logs", api_logs, 0,
	  "log lines of every run that hold q, newest first" },
	{ "GET", "/api/deployments", api_deployments, 0, "deployments" },
	{ "POST", "/api/deployments/apply", api_deployments_apply,
	  SRV_WRITE | SRV_BODY,
	  "apply a deployments YAML body, whole or not at all (file= names "
	  "it in errors)" },
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
	  SRV_WRITE | SRV_BODY | SRV_CREATED,
	  "schedule a run of a deployment now ({\"parameters\": {...}} "
	  "for this run)" },
	{ "POST", "/api/deployments/{flow}/{name}/pause", api_deployment_pause,
	  SRV_WRITE, "pause a deployment" },
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
	{ "GET", "/api/data/diff", api_data_diff, 0,
	  "files that differ between from= (default: to's parent) and to= "
	  "(default: main), with day files' rows by key" },
	{ "GET", "/api/data/tree", api_data_tree, 0,
	  "paths under prefix= at ref=" },
	{ "GET", "/api/data/object", api_data_object, 0,
	  "the bytes of path= at ref=" },
	{ "GET", "/api/stations", api_stations, 0,
	  "each station's newest PM2.5 with the Thai AQI of its 24 hours" },
	{ "GET", "/api/quality", api_quality, 0,
	  "the score and failures per rule of the newest quality reports "
	  "(since=, deployment=)" },
	{ "GET", "/api/models", api_models, 0,
	  "the model repository's history on main" },
	{ "GET", "/api/models/champion", api_champion, 0,
	  "the champion against persistence on the latest split" },
	{ "GET", "/api/forecast", api_forecast, 0,
	  "the champion's forecast for station= over hours= (24)" },
	{ "GET", "/api/workers", api_workers, 0,
	  "workers with their status and runs" },
	{ "GET", "/api/alerts", api_alerts, 0, "the alert outbox" },
	{ "GET", "/metrics", api_metrics, 0,
	  "Prometheus metrics, in the text format" },
	/* the dashboard: HTML pages, not part of the API */
	{ "GET", "/", page_overview, SRV_PAGE, "overview" },
	{ "GET", "/runs", page_runs, SRV_PAGE, "runs" },
	{ "GET", "/runs/{id}", page_run, SRV_PAGE, "a run" },
	{ "GET", "/deployments", page_deployments, SRV_PAGE, "deployments" },
	{ "GET", "/deployments/{flow}/{name}", page_deployment, SRV_PAGE,
	  "a deployment" },
	{ "GET", "/pools", page_pools, SRV_PAGE, "pools and workers" },
	{ "GET", "/data", page_data, SRV_PAGE, "data commits and branches" },
	{ "GET", "/data/diff", page_diff, SRV_PAGE, "a diff of two refs" },
	{ "GET", "/quality", page_quality, SRV_PAGE, "quality" },
	{ "GET", "/stations", page_stations, SRV_PAGE, "stations" },
	{ "GET", "/model", page_model, SRV_PAGE, "the model" },
	{ "GET", "/alerts", page_alerts, SRV_PAGE, "alerts" },
	{ "GET", "/login", page_login, SRV_PAGE, "log in" },
	{ "POST", "/login", page_login_post, SRV_PAGE | SRV_BODY,
	  "log in: a session cookie for the token" },
	{ "POST", "/logout", page_logout, SRV_PAGE, "log out" },
	{ "GET", "/static/pm25.css", page_css, SRV_PAGE, "the style sheet" },
	{ "GET", "/static/pm25.js", page_js, SRV_PAGE, "the script" },
	{ NULL, NULL, NULL, 0, NULL },
};

const double srv_buckets[SRV_NBUCKETS] = { 0.001, 0.005, 0.01, 0.025, 0.05,
					   0.1,	  0.25,	 0.5,  1,     5 };
const int srv_codes[SRV_NCODES] = { 200, 201, 303, 400, 401, 403, 404,
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
	pm_buf_addf(&out->body,
		    "{\"error\": {\"code\": \"%s\", \"message\": ", code);
	pm_buf_add_json_str(&out->body, msg.buf ? msg.buf : "", msg.len);
	pm_buf_addstr(&out->body, "}}\n");
	pm_buf_release(&msg);
}

const char *srv_error_code(enum pm_err e)
{
	switch (e) {
	case PM_ERR_NOTFOUND:
		return "not_found";
	case PM_ERR_USAGE:
		return "invalid";
	case PM_ERR_PARSE:
		return "parse";
	case PM_ERR_DATA:
		return "data";
	case PM_ERR_CONFLICT:
		return "conflict";
	case PM_ERR_NET:
	case PM_ERR_TIMEOUT:
		return "unavailable";
	default:
		return "internal";
	}
}

void srv_fail(struct srv_resp *out, enum pm_err e, const char *text)
{
	const char *t = text && *text ? text : pm_strerror(e);
	int status;

	switch (e) {
	case PM_ERR_NOTFOUND:
		status = 404;
		break;
	case PM_ERR_USAGE:
	case PM_ERR_PARSE:
	case PM_ERR_DATA:
		status = 422;
		break;
	case PM_ERR_CONFLICT:
		status = 409;
		break;
	case PM_ERR_NET:
	case PM_ERR_TIMEOUT:
		status = 503;
		break;
	default:
		status = 500;
	}
	srv_error(out, status, srv_error_code(e), "%s", t);
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

/* Equal tokens, in a time that does not depend on where they differ. */
int srv_same_token(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = (unsigned char)(la != lb);

	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0;
}

struct pm_store *srv_store(const struct srv_req *rq, const char *name,
			   struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s = NULL;
	enum pm_err e = pm_home_store(rq->home, name, &s, &err);

	/* a store that cannot be read is one that does not answer */
	if (e)
		srv_fail(out, e == PM_ERR_IO ? PM_ERR_NET : e, err.buf);
	pm_buf_release(&err);
	return e ? NULL : s;
}
