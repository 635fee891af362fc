/*
 * The service routes (/healthz, /readyz, /api/openapi.json, made from
 * the routes table) and the lists of pools, workers and alerts.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "pm25/version.h"
#include "server-int.h"

void api_healthz(const struct srv_req *rq, struct srv_resp *out)
{
	(void)rq;
	pm_buf_addf(&out->body, "{\"status\": \"ok\", \"version\": \"%s\"}\n",
		    PM25_VERSION);
}

void api_readyz(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *data = NULL;
	char id[PM_ID_MAX];
	enum pm_err e = pm_state_ping(rq->st, &err);
	const char *what = "the state database";

	if (!e) {
		what = "the store";
		e = pm_home_store(rq->home, "data", &data, &err);
		if (!e)
			e = pm_store_resolve(data, "main", id, &err);
		pm_store_close(data);
	}
	if (e)
		srv_error(out, 503, "unavailable", "%s does not answer: %s",
			  what, err.buf ? err.buf : pm_strerror(e));
	else
		pm_buf_addstr(&out->body, "{\"status\": \"ready\"}\n");
	pm_buf_release(&err);
}

/* The media type and schema of r's success answer, from the file. */
static void answer_schema(struct pm_buf *b, const struct srv_route *r)
{
	json_t *doc = srv_schemas();
	char key[160];
	const char *media;
	json_t *schema;
	char *text;

	snprintf(key, sizeof(key), "%s %s", r->method, r->pattern);
	media = json_string_value(
		json_object_get(json_object_get(doc, "media"), key));
	schema = json_object_get(json_object_get(doc, "responses"), key);
	text = schema ? json_dumps(schema, JSON_COMPACT) : NULL;
	pm_buf_add_json_str(b, media ? media : "application/json",
			    strlen(media ? media : "application/json"));
	pm_buf_addf(b, ": {\"schema\": %s}",
		    text ? text : "{\"type\": \"string\"}");
	free(text);
}

/* A route's pattern as an OpenAPI path, and its parameters. */
static void openapi_path(struct pm_buf *b, const struct srv_route *r)
{
	const char *p;
	int n = 0;

	pm_buf_addch(b, '"');
	for (p = r->method; *p; p++) /* OpenAPI's keys are lower case */
		pm_buf_addch(b, (char)(*p - 'A' + 'a'));
	pm_buf_addstr(b, "\": {\"summary\": ");
	pm_buf_add_json_str(b, r->summary, strlen(r->summary));
	pm_buf_addstr(b, ", \"parameters\": [");
	for (p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
		size_t len = strcspn(p + 1, "}");

		pm_buf_addf(b,
			    "%s{\"name\": \"%.*s\", \"in\": \"path\", "
			    "\"required\": true, \"schema\": {\"type\": "
			    "\"string\"}}",
			    n++ ? ", " : "", (int)len, p + 1);
	}
	pm_buf_addstr(b, "]");
	if (r->flags & SRV_WRITE)
		pm_buf_addstr(b, ", \"security\": [{\"bearer\": []}]");
	pm_buf_addf(b, ", \"responses\": {\"%d\": {\"description\": \"the "
		       "answer\", \"content\": {",
		    r->flags & SRV_CREATED ? 201 : 200);
	answer_schema(b, r);
	pm_buf_addstr(b, "}}, \"default\": {\"description\": \"an error\", "
			 "\"content\": {\"application/json\": {\"schema\": "
			 "{\"$ref\": \"#/components/schemas/Error\"}}}}}}");
}

void api_openapi(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf *b = &out->body;
	const struct srv_route *r, *q;
	json_t *c = json_object_get(srv_schemas(), "components");
	char *components = c ? json_dumps(c, JSON_COMPACT) : NULL;

	(void)rq;
	pm_buf_addf(b,
		    "{\"openapi\": \"3.1.0\", \"info\": {\"title\": \"pm25\", "
		    "\"version\": \"%s\"}, \"components\": "
		    "{\"securitySchemes\": {\"bearer\": {\"type\": \"http\", "
		    "\"scheme\": \"bearer\"}}, \"schemas\": %s}, \"paths\": {",
		    PM25_VERSION, components ? components : "{}");
	free(components);
	for (r = srv_routes; r->method; r++) {
		if (r->flags & SRV_PAGE)
			continue;
		/* one entry per pattern, with each of its methods */
		for (q = srv_routes; q < r && strcmp(q->pattern, r->pattern); q++)
			;
		if (q < r)
			continue;
		if (r != srv_routes)
			pm_buf_addstr(b, ",\n ");
		pm_buf_add_json_str(b, r->pattern, strlen(r->pattern));
		pm_buf_addstr(b, ": {");
		for (q = r; q->method; q++) {
			if (strcmp(q->pattern, r->pattern) ||
			    (q->flags & SRV_PAGE))
				continue;
			if (q != r)
				pm_buf_addstr(b, ", ");
			openapi_path(b, q);
		}
		pm_buf_addch(b, '}');
	}
	pm_buf_addstr(b, "}}\n");
}

void api_pools(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_pool_info *v = NULL;
	size_t n = 0, i;
	enum pm_err e = pm_state_pool_list(rq->st, &v, &n, &err);

	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"work_pools\": [");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_pool_json(&out->body, &v[i]);
		}
		pm_buf_addstr(&out->body, "]}\n");
		pm_pools_free(v, n);
	}
	pm_buf_release(&err);
}

void api_workers(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_worker_info *v = NULL;
	size_t n = 0, i;
	enum pm_err e = pm_state_worker_list(
		rq->st, rq->query(rq->conn, "pool"), &v, &n, &err);

	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"workers\": [");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_worker_json(&out->body, &v[i]);
		}
		pm_buf_addstr(&out->body, "]}\n");
		pm_workers_free(v, n);
	}
	pm_buf_release(&err);
}

void api_alerts(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_alert *v = NULL;
	size_t n = 0;
	long limit;
	enum pm_err e;

	if (srv_query_long(rq, "limit", 1, 1000, 100, &limit)) {
		srv_error(out, 400, "bad_request", "limit is 1 to 1000");
		return;
	}
	e = pm_state_alert_list(rq->st, rq->query(rq->conn, "status"),
				(size_t)limit, &v, &n, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"alerts\": ");
		pm_alerts_json(&out->body, v, n, 0);
		pm_buf_addstr(&out->body, "}\n");
		pm_alerts_free(v, n);
	}
	pm_buf_release(&err);
}

static void pool_paused(const struct srv_req *rq, struct srv_resp *out,
			int paused)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_pool_info p;
	enum pm_err e = pm_state_pool_pause(rq->st, rq->param[0], paused, &err);

	if (!e)
		e = pm_state_pool_get(rq->st, rq->param[0], &p, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_pool_json(&out->body, &p);
		pm_buf_addch(&out->body, '\n');
		free(p.name);
		free(p.type);
	}
	pm_buf_release(&err);
}

void api_pool_pause(const struct srv_req *rq, struct srv_resp *out)
{
	pool_paused(rq, out, 1);
}

void api_pool_resume(const struct srv_req *rq, struct srv_resp *out)
{
	pool_paused(rq, out, 0);
}
