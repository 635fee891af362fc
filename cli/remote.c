/*
 * The CLI through pm25 server (remote.h): one request per operation,
 * its answer read back into records, and its error back into the
 * library error it was (from the answer's error code).
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/fsutil.h"
#include "pm25/http.h"
#include "remote.h"

int remote_configured(struct remote *r)
{
	r->url = pm_config_str(PM_CFG_API_URL);
	r->token = pm_config_str(PM_CFG_API_TOKEN);
	return r->url && *r->url;
}

/* The library error an answer's error code stands for. */
static enum pm_err error_of(long status, const char *code)
{
	static const struct {
		const char *code;
		enum pm_err e;
	} codes[] = {
		{ "not_found", PM_ERR_NOTFOUND },
		{ "invalid", PM_ERR_USAGE },
		{ "bad_request", PM_ERR_USAGE },
		{ "parse", PM_ERR_PARSE },
		{ "data", PM_ERR_DATA },
		{ "conflict", PM_ERR_CONFLICT },
		{ "unavailable", PM_ERR_NET },
		{ "too_large", PM_ERR_LIMIT },
	};
	size_t i;

	for (i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (!strcmp(codes[i].code, code))
			return codes[i].e;
	return status == 404 ? PM_ERR_NOTFOUND : PM_ERR_IO;
}

/* A path part (a name, an id) percent-encoded; '/' kept. */
static void add_part(struct pm_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~/", c))
			pm_buf_addch(b, (char)c);
		else
			pm_buf_addf(b, "%%%02X", c);
	}
}

/*
 * method path (with body, JSON unless type says) to the server: its
 * answer's JSON in *out (owned), or the error it stands for.
 */
static enum pm_err call(const struct remote *r, const char *method,
			const char *path, const char *body, size_t len,
			const char *type, json_t **out, struct pm_buf *err)
{
	struct pm_buf url = PM_BUF_INIT, auth = PM_BUF_INIT,
		      ctype = PM_BUF_INIT, answer = PM_BUF_INIT;
	struct pm_http_opts o = { 0 };
	struct pm_http_req rq = { 0 };
	const char *headers[4];
	size_t nh = 0, n = strlen(r->url);
	long status = 0;
	json_t *j = NULL;
	enum pm_err e;

	*out = NULL;
	pm_buf_add(&url, r->url, n && r->url[n - 1] == '/' ? n - 1 : n);
	pm_buf_addstr(&url, path);
	if (r->token && *r->token) {
		pm_buf_addf(&auth, "Authorization: Bearer %s", r->token);
		headers[nh++] = auth.buf;
	}
	if (body) {
		pm_buf_addf(&ctype, "Content-Type: %s",
			    type ? type : "application/json");
		headers[nh++] = ctype.buf;
	}
	headers[nh] = NULL;
	rq.method = method;
	rq.url = url.buf;
	rq.headers = headers;
	rq.body = body;
	rq.body_len = len;
	o.connect_timeout_ms = 5000;
	o.timeout_ms = 60000;
	o.max_tries = 2;
	e = pm_http_request(&rq, &o, &answer, &status, err);
	if (e) {
		struct pm_buf why = PM_BUF_INIT;

		pm_buf_addstr(&why, err->buf ? err->buf : pm_strerror(e));
		pm_buf_reset(&url);
		pm_http_redact(r->url, &url);
		e = pm_errf(err, e == PM_ERR_TIMEOUT ? e : PM_ERR_NET,
			    "pm25 server at %s does not answer: %s", url.buf,
			    why.buf);
		pm_buf_release(&why);
		goto out;
	}
	j = json_loadb(answer.buf ? answer.buf : "", answer.len, 0, NULL);
	if (status == 401 || status == 403) {
		json_t *m =
			json_object_get(json_object_get(j, "error"), "message");

		e = pm_errf(err, PM_ERR_HTTP,
			    "pm25 server refused the request (HTTP %ld): %s",
			    status,
			    json_string_value(m) ? json_string_value(m) :
						   "check PM25_API_TOKEN");
	} else if (status < 200 || status > 299) {
		json_t *x = json_object_get(j, "error");
		const char *code = json_string_value(
				   json_object_get(x, "code")),
			   *msg = json_string_value(
				   json_object_get(x, "message"));

		e = pm_errf(err, error_of(status, code), "%s",
			    msg ? msg : "pm25 server answered an error");
	} else if (!j) {
		e = pm_errf(err, PM_ERR_PARSE,
			    "pm25 server answered HTTP %ld without JSON",
			    status);
	} else {
		*out = j;
		j = NULL;
	}
out:
	json_decref(j);
	pm_buf_release(&url);
	pm_buf_release(&auth);
	pm_buf_release(&ctype);
	pm_buf_release(&answer);
	return e;
}

/* ------------------------------------------------------------ records */

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? pm_xstrdup(s) : NULL;
}

static int64_t ms(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : PM_MS_NONE;
}

static long num(json_t *o, const char *key)
{
	return (long)json_integer_value(json_object_get(o, key));
}

/* An object member as the compact, sorted text the state keeps. */
static char *object_text(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_object(v) ?
		       json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS) :
		       NULL;
}

static enum pm_run_state state_of(json_t *o, const char *key)
{
	const char *name = json_string_value(json_object_get(o, key));
	int k = pm_run_state_parse(name ? name : "");

	return k < 0 ? PM_RUN_SCHEDULED : (enum pm_run_state)k;
}

static void run_of(json_t *o, struct pm_run *r)
{
	const char *id = json_string_value(json_object_get(o, "id"));

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id ? id : "");
	r->flow = dup_str(o, "flow");
	if (!r->flow)
		r->flow = pm_xstrdup("");
	r->deployment = dup_str(o, "deployment");
	r->pool = dup_str(o, "pool");
	r->state = state_of(o, "state");
	r->reason = dup_str(o, "state_reason");
	r->parameters = object_text(o, "parameters");
	r->created_ms = ms(o, "created_ms");
	r->scheduled_ms = ms(o, "scheduled_ms");
	r->started_ms = ms(o, "started_ms");
	r->ended_ms = ms(o, "ended_ms");
	r->attempt = num(o, "attempt");
	r->slot_ms = ms(o, "slot_ms");
}

static void deployment_of(json_t *o, struct pm_deployment *d)
{
	json_t *lim = json_object_get(o, "concurrency_limit");

	memset(d, 0, sizeof(*d));
	d->name = dup_str(o, "name");
	d->flow = dup_str(o, "flow");
	d->cron = dup_str(o, "cron");
	d->timezone = dup_str(o, "timezone");
	d->missed = dup_str(o, "missed");
	d->work_pool = dup_str(o, "work_pool");
	d->image = dup_str(o, "image");
	d->parameters = object_text(o, "parameters");
	if (!d->parameters)
		d->parameters = pm_xstrdup("{}");
	d->concurrency_limit = lim ? (long)json_integer_value(lim) : 0;
	d->version = num(o, "version");
	d->paused = json_is_true(json_object_get(o, "paused"));
}

static const char *pool_status(const char *s)
{
	static const char *const known[] = { "ready", "not_ready", "paused" };
	size_t i;

	for (i = 0; s && i < 3; i++)
		if (!strcmp(known[i], s))
			return known[i];
	return "not_ready";
}

static void pool_of(json_t *o, struct pm_pool_info *p)
{
	memset(p, 0, sizeof(*p));
	p->name = dup_str(o, "name");
	p->type = dup_str(o, "type");
	p->paused = json_is_true(json_object_get(o, "paused"));
	p->online = num(o, "workers_online");
	p->status =
		pool_status(json_string_value(json_object_get(o, "status")));
}

static void alert_of(json_t *o, struct pm_alert *a)
{
	memset(a, 0, sizeof(*a));
	a->key = dup_str(o, "key");
	a->kind = dup_str(o, "kind");
	a->grp = dup_str(o, "group");
	a->run = dup_str(o, "run_id");
	a->flow = dup_str(o, "flow");
	a->deployment = dup_str(o, "deployment");
	a->pool = dup_str(o, "pool");
	a->attempt = num(o, "attempt");
	a->text = dup_str(o, "text");
	a->created_ms = ms(o, "created_ms");
	a->status = dup_str(o, "status");
	a->next_ms = ms(o, "next_ms");
	a->sent_ms = ms(o, "sent_ms");
	a->tries = num(o, "tries");
	a->error = dup_str(o, "error");
}

/* The array at key of j as n records of size each, by fill. */
static void *records(json_t *j, const char *key, size_t size, size_t *n,
		     void (*fill)(json_t *, void *))
{
	json_t *a = json_object_get(j, key), *x;
	char *v = pm_xcalloc(json_array_size(a) + 1, size);
	size_t i;

	json_array_foreach(a, i, x) fill(x, v + i * size);
	*n = json_array_size(a);
	return v;
}

static void fill_run(json_t *o, void *r)
{
	run_of(o, r);
}

static void fill_deployment(json_t *o, void *d)
{
	deployment_of(o, d);
}

static void fill_pool(json_t *o, void *p)
{
	pool_of(o, p);
}

static void fill_alert(json_t *o, void *a)
{
	alert_of(o, a);
}

static void fill_line(json_t *o, void *p)
{
	struct pm_log_line *l = p;

	l->at_ms = ms(o, "at_ms");
	l->level = dup_str(o, "level");
	l->task = dup_str(o, "task");
	l->message = dup_str(o, "message");
}

static void fill_change(json_t *o, void *p)
{
	struct pm_run_change *c = p;

	c->state = state_of(o, "state");
	c->reason = dup_str(o, "reason");
	c->at_ms = ms(o, "at_ms");
}

static void fill_version(json_t *o, void *p)
{
	struct pm_deployment_version *v = p;

	v->version = num(o, "version");
	v->change = dup_str(o, "change");
	v->created_ms = ms(o, "created_ms");
	v->work_pool = dup_str(o, "work_pool");
	v->image = dup_str(o, "image");
	v->parameters = object_text(o, "parameters");
	v->cron = dup_str(o, "cron");
}

/* ------------------------------------------------------------ calls */

/* GET path: the n records at key of its answer, by fill, into *v. */
static enum pm_err get_list(const struct remote *r, const char *path,
			    const char *key, size_t size,
			    void (*fill)(json_t *, void *), void **v, size_t *n,
			    struct pm_buf *err)
{
	json_t *j;
	enum pm_err e = call(r, "GET", path, NULL, 0, NULL, &j, err);

	*v = NULL;
	*n = 0;
	if (!e)
		*v = records(j, key, size, n, fill);
	json_decref(j);
	return e;
}

/* /api/deployments/NAME plus tail. */
static void deployment_path(struct pm_buf *b, const char *name,
			    const char *tail)
{
	pm_buf_addstr(b, "/api/deployments/");
	add_part(b, name);
	pm_buf_addstr(b, tail);
}

enum pm_err remote_deployment_list(const struct remote *r,
				   struct pm_deployment **v, size_t *n,
				   struct pm_buf *err)
{
	return get_list(r, "/api/deployments", "deployments", sizeof(**v),
			fill_deployment, (void **)v, n, err);
}

enum pm_err remote_deployment_get(const struct remote *r, const char *name,
				  struct pm_deployment *d,
				  struct pm_deployment_version **vs, size_t *n,
				  struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	json_t *j;
	enum pm_err e;

	memset(d, 0, sizeof(*d));
	deployment_path(&path, name, "");
	e = call(r, "GET", path.buf, NULL, 0, NULL, &j, err);
	if (!e) {
		deployment_of(j, d);
		if (vs)
			*vs = records(j, "versions", sizeof(**vs), n,
				      fill_version);
	}
	json_decref(j);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_deployment_apply(const struct remote *r, const char *file,
				    struct pm_deploy_saved **saved, size_t *n,
				    struct pm_buf *err)
{
	struct pm_buf text = PM_BUF_INIT, path = PM_BUF_INIT;
	json_t *j = NULL, *a, *x;
	size_t i;
	enum pm_err e;

	*saved = NULL;
	*n = 0;
	e = pm_file_read(file, 1u << 20, &text, err);
	if (e)
		goto out;
	/* named in the server's errors as it is here */
	pm_buf_addstr(&path, "/api/deployments/apply?file=");
	add_part(&path, file);
	e = call(r, "POST", path.buf, text.buf ? text.buf : "", text.len,
		 "application/yaml", &j, err);
	if (e)
		goto out;
	a = json_object_get(j, "deployments");
	*saved = pm_xcalloc(json_array_size(a) + 1, sizeof(**saved));
	json_array_foreach(a, i, x)
	{
		const char *name =
			json_string_value(json_object_get(x, "name"));

		snprintf((*saved)[i].name, sizeof((*saved)[i].name), "%s",
			 name ? name : "");
		(*saved)[i].version = num(x, "version");
		(*saved)[i].created =
			json_is_true(json_object_get(x, "changed"));
	}
	*n = json_array_size(a);
out:
	json_decref(j);
	pm_buf_release(&text);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_deployment_pause(const struct remote *r, const char *name,
				    int paused, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	json_t *j;
	enum pm_err e;

	deployment_path(&path, name, paused ? "/pause" : "/resume");
	e = call(r, "POST", path.buf, NULL, 0, NULL, &j, err);
	json_decref(j);
	pm_buf_release(&path);
	return e;
}

/* What a change or rollback made: a new version, or the same one. */
static void saved_of(const char *name, long before, json_t *j,
		     struct pm_deploy_saved *s)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->version = num(j, "version");
	s->created = s->version != before;
}

enum pm_err remote_deployment_update(const struct remote *r, const char *name,
				     const struct pm_deploy_change *c,
				     struct pm_deploy_saved *s,
				     struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	struct pm_deployment now;
	json_t *body = json_object(), *params = json_object(), *j = NULL;
	char *text = NULL;
	size_t i;
	enum pm_err e;

	memset(s, 0, sizeof(*s));
	e = remote_deployment_get(r, name, &now, NULL, NULL, err);
	if (e)
		goto out;
	if (c->work_pool)
		json_object_set_new(body, "work_pool",
				    json_string(c->work_pool));
	if (c->image)
		json_object_set_new(body, "image", json_string(c->image));
	if (c->cron)
		json_object_set_new(body, "cron", json_string(c->cron));
	if (c->timezone)
		json_object_set_new(body, "timezone", json_string(c->timezone));
	if (c->concurrency >= 0)
		json_object_set_new(body, "concurrency_limit",
				    json_integer(c->concurrency));
	for (i = 0; i < c->nparams; i++)
		json_object_set_new(params, c->params[i].key,
				    json_string(c->params[i].value));
	if (c->nparams)
		json_object_set(body, "parameters", params);
	text = json_dumps(body, JSON_COMPACT);
	deployment_path(&path, name, "");
	e = call(r, "PATCH", path.buf, text, strlen(text), NULL, &j, err);
	if (!e)
		saved_of(name, now.version, j, s);
out:
	pm_deployment_release(&now);
	json_decref(body);
	json_decref(params);
	json_decref(j);
	free(text);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_deployment_rollback(const struct remote *r, const char *name,
				       long to, struct pm_deploy_saved *s,
				       struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, body = PM_BUF_INIT;
	struct pm_deployment now;
	json_t *j = NULL;
	enum pm_err e;

	memset(s, 0, sizeof(*s));
	e = remote_deployment_get(r, name, &now, NULL, NULL, err);
	if (e)
		goto out;
	if (to > 0)
		pm_buf_addf(&body, "{\"to\": %ld}", to);
	deployment_path(&path, name, "/rollback");
	e = call(r, "POST", path.buf, body.buf, body.len, NULL, &j, err);
	if (!e)
		saved_of(name, now.version, j, s);
out:
	pm_deployment_release(&now);
	json_decref(j);
	pm_buf_release(&path);
	pm_buf_release(&body);
	return e;
}

enum pm_err remote_deployment_run(const struct remote *r, const char *name,
				  const struct pm_kv *kv, size_t nkv,
				  char id[PM_RUN_ID_MAX],
				  struct pm_deployment *d, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	json_t *body = json_object(), *params = json_object(), *j = NULL;
	char *text;
	size_t i;
	enum pm_err e;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < nkv; i++)
		json_object_set_new(params, kv[i].key,
				    json_string(kv[i].value));
	if (nkv)
		json_object_set(body, "parameters", params);
	text = json_dumps(body, JSON_COMPACT);
	deployment_path(&path, name, "/run");
	e = call(r, "POST", path.buf, text, strlen(text), NULL, &j, err);
	if (!e) {
		const char *s = json_string_value(json_object_get(j, "id"));

		snprintf(id, PM_RUN_ID_MAX, "%s", s ? s : "");
		d->name = dup_str(j, "deployment");
		d->work_pool = dup_str(j, "pool");
		d->version = num(j, "version");
	}
	json_decref(body);
	json_decref(params);
	json_decref(j);
	free(text);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_run_list(const struct remote *r, const char *state,
			    const char *flow, size_t limit, struct pm_run **v,
			    size_t *n, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	enum pm_err e;

	pm_buf_addf(&path, "/api/flow_runs?limit=%zu",
		    limit ? (limit > 500 ? 500 : limit) : 100);
	if (state) {
		pm_buf_addstr(&path, "&state=");
		add_part(&path, state);
	}
	if (flow) {
		pm_buf_addstr(&path, "&flow=");
		add_part(&path, flow);
	}
	e = get_list(r, path.buf, "flow_runs", sizeof(**v), fill_run,
		     (void **)v, n, err);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_run_load(const struct remote *r, const char *id,
			    struct pm_run *run, struct pm_run_change **hist,
			    size_t *nhist, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	json_t *j;
	enum pm_err e;

	memset(run, 0, sizeof(*run));
	pm_buf_addstr(&path, "/api/flow_runs/");
	add_part(&path, id);
	e = call(r, "GET", path.buf, NULL, 0, NULL, &j, err);
	if (!e) {
		run_of(j, run);
		if (hist)
			*hist = records(j, "states", sizeof(**hist), nhist,
					fill_change);
	}
	json_decref(j);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_run_log(const struct remote *r, const char *id,
			   struct pm_log_line **v, size_t *n,
			   struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	enum pm_err e;

	pm_buf_addstr(&path, "/api/flow_runs/");
	add_part(&path, id);
	pm_buf_addstr(&path, "/logs");
	e = get_list(r, path.buf, "lines", sizeof(**v), fill_line, (void **)v,
		     n, err);
	pm_buf_release(&path);
	return e;
}

/* POST /api/flow_runs/ID/what; the state it answers in *to. */
static enum pm_err run_action(const struct remote *r, const char *id,
			      const char *what, enum pm_run_state *to,
			      struct pm_buf *err)
{
	static const char by[] = "{\"by\": \"the command line\"}";
	struct pm_buf path = PM_BUF_INIT;
	json_t *j;
	enum pm_err e;

	pm_buf_addstr(&path, "/api/flow_runs/");
	add_part(&path, id);
	pm_buf_addstr(&path, what);
	/* the run's reason says who asked, as it does without the server */
	e = call(r, "POST", path.buf, by, strlen(by), NULL, &j, err);
	if (!e && to)
		*to = state_of(j, "state");
	json_decref(j);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_run_cancel(const struct remote *r, const char *id,
			      enum pm_run_state *to, struct pm_buf *err)
{
	return run_action(r, id, "/cancel", to, err);
}

enum pm_err remote_run_retry(const struct remote *r, const char *id,
			     struct pm_buf *err)
{
	return run_action(r, id, "/retry", NULL, err);
}

enum pm_err remote_pool_list(const struct remote *r, struct pm_pool_info **v,
			     size_t *n, struct pm_buf *err)
{
	return get_list(r, "/api/work_pools", "work_pools", sizeof(**v),
			fill_pool, (void **)v, n, err);
}

enum pm_err remote_pool_pause(const struct remote *r, const char *name,
			      int paused, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	json_t *j;
	enum pm_err e;

	pm_buf_addstr(&path, "/api/work_pools/");
	add_part(&path, name);
	pm_buf_addstr(&path, paused ? "/pause" : "/resume");
	e = call(r, "POST", path.buf, NULL, 0, NULL, &j, err);
	json_decref(j);
	pm_buf_release(&path);
	return e;
}

enum pm_err remote_alert_list(const struct remote *r, const char *status,
			      size_t limit, struct pm_alert **v, size_t *n,
			      struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	enum pm_err e;

	pm_buf_addf(&path, "/api/alerts?limit=%zu",
		    limit > 1000 ? 1000 : limit);
	if (status) {
		pm_buf_addstr(&path, "&status=");
		add_part(&path, status);
	}
	e = get_list(r, path.buf, "alerts", sizeof(**v), fill_alert, (void **)v,
		     n, err);
	pm_buf_release(&path);
	return e;
}
