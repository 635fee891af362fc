/*
 * The lakeFS store: the lakeFS REST API v1 with basic authentication,
 * configured by LAKEFS_ENDPOINT (the server, with or without /api/v1),
 * LAKEFS_ACCESS_KEY and LAKEFS_SECRET_KEY; "where" is the repository.
 * Lists page with after/amount. Puts of unchanged bytes are skipped, so
 * commits only happen when something changed. A 412 from a merge is a
 * pre-merge hook refusing: a failed gate.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/http.h"
#include "pm25/strv.h"
#include "store-int.h"

#define PAGE 1000

struct lakefs {
	char *base;    /* http://host:port/api/v1/repositories/REPO */
	char *api;     /* http://host:port/api/v1 */
	char *userpwd; /* "key:secret" */
	char *repo;
	struct pm_strv dirty; /* branches with uploads since their commit */
};

static void escape(struct pm_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
			pm_buf_addch(b, c);
		} else {
			pm_buf_addch(b, '%');
			pm_buf_addch(b, hex[c >> 4]);
			pm_buf_addch(b, hex[c & 15]);
		}
	}
}

/* One request; *json gets the parsed body when it is JSON (or NULL). */
static enum pm_err call(struct lakefs *lf, const char *method,
			const char *url, const char *ctype, const void *body,
			size_t len, long *status, struct pm_buf *out,
			json_t **json, struct pm_buf *err)
{
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct pm_http_req rq;
	struct pm_buf hdr = PM_BUF_INIT, tmp = PM_BUF_INIT;
	const char *hv[3] = { NULL };
	enum pm_err ret;

	if (ctype) {
		pm_buf_addf(&hdr, "Content-Type: %s", ctype);
		hv[0] = hdr.buf;
	}
	rq.method = method;
	rq.url = url;
	rq.headers = hv;
	rq.body = body;
	rq.body_len = len;
	rq.userpwd = lf->userpwd;
	o.timeout_ms = 30000;
	o.max_tries = 3;
	o.backoff_ms = 200;
	if (!out)
		out = &tmp;
	ret = pm_http_request(&rq, &o, out, status, err);
	if (ret == PM_ERR_TIMEOUT)
		ret = PM_ERR_NET;
	if (!ret && json)
		*json = out->len ? json_loadb(out->buf, out->len, 0, NULL) :
				   NULL;
	if (!ret && *status == 401)
		ret = pm_errf(err, PM_ERR_NET,
			      "lakeFS refused the credentials "
			      "(LAKEFS_ACCESS_KEY, LAKEFS_SECRET_KEY)");
	else if (!ret && *status >= 500)
		ret = pm_errf(err, PM_ERR_NET, "%s %s: lakeFS answered %ld",
			      method, url, *status);
	pm_buf_release(&hdr);
	pm_buf_release(&tmp);
	return ret;
}

static const char *str_or(const char *s, const char *fallback)
{
	return s ? s : fallback;
}

/* The lakeFS error text of a reply, or a fallback. */
static const char *message(json_t *j, const char *fallback)
{
	json_t *m = json_object_get(j, "message");

	return json_is_string(m) ? json_string_value(m) : fallback;
}

/* POST body (taken: released here) as JSON to url. */
static enum pm_err post_json(struct lakefs *lf, const char *url, json_t *body,
			     long *status, json_t **json, struct pm_buf *err)
{
	char *text = json_dumps(body, JSON_COMPACT);
	enum pm_err ret;

	ret = call(lf, "POST", url, "application/json", text, strlen(text),
		   status, NULL, json, err);
	free(text);
	json_decref(body);
	return ret;
}

static int is_dirty(struct lakefs *lf, const char *branch)
{
	size_t i;

	for (i = 0; i < lf->dirty.nr; i++)
		if (!strcmp(lf->dirty.v[i], branch))
			return 1;
	return 0;
}

static void set_clean(struct lakefs *lf, const char *branch)
{
	size_t i, k = 0;

	for (i = 0; i < lf->dirty.nr; i++) {
		if (!strcmp(lf->dirty.v[i], branch))
			free(lf->dirty.v[i]);
		else
			lf->dirty.v[k++] = lf->dirty.v[i];
	}
	lf->dirty.nr = k;
}

/* ------------------------------------------------------------ open */

static enum pm_err lf_open(struct pm_store *s, const char *where, int create,
			   struct pm_buf *err)
{
	const char *ep = pm_config_str(PM_CFG_LAKEFS_ENDPOINT);
	const char *key = pm_config_str(PM_CFG_LAKEFS_ACCESS_KEY);
	const char *secret = pm_config_str(PM_CFG_LAKEFS_SECRET_KEY);
	struct lakefs *lf;
	struct pm_buf b = PM_BUF_INIT, url = PM_BUF_INIT;
	json_t *j = NULL;
	enum pm_err ret;
	long st;

	if (!ep || !key || !secret)
		return pm_errf(err, PM_ERR_USAGE,
			       "the lakefs store needs LAKEFS_ENDPOINT, "
			       "LAKEFS_ACCESS_KEY and LAKEFS_SECRET_KEY");
	lf = pm_xcalloc(1, sizeof(*lf));
	s->priv = lf;
	pm_buf_addstr(&b, ep);
	while (b.len && b.buf[b.len - 1] == '/')
		pm_buf_setlen(&b, b.len - 1);
	if (b.len < 7 || strcmp(b.buf + b.len - 7, "/api/v1"))
		pm_buf_addstr(&b, "/api/v1");
	lf->api = pm_xstrdup(b.buf);
	pm_buf_addstr(&b, "/repositories/");
	escape(&b, where);
	lf->base = pm_buf_detach(&b, NULL);
	pm_buf_addf(&b, "%s:%s", key, secret);
	lf->userpwd = pm_buf_detach(&b, NULL);
	lf->repo = pm_xstrdup(where);
	ret = call(lf, "GET", lf->base, NULL, NULL, 0, &st, NULL, &j, err);
	if (!ret && st == 404 && create) {
		const char *ns =
			pm_config_str_or_default(PM_CFG_LAKEFS_NAMESPACE);
		size_t n = strlen(ns);
		json_t *body = json_pack("{s:s, s:s}", "name", where,
					 "default_branch", "main");

		json_object_set_new(
			body, "storage_namespace",
			json_sprintf("%.*s/%s",
				     (int)(n && ns[n - 1] == '/' ? n - 1 : n),
				     ns, where));
		pm_buf_addf(&url, "%s/repositories", lf->api);
		json_decref(j);
		j = NULL;
		ret = post_json(lf, url.buf, body, &st, &j, err);
		if (!ret && st != 201)
			ret = pm_errf(err, PM_ERR_IO,
				      "lakeFS: creating repository %s: %s",
				      where, message(j, "refused"));
	} else if (!ret && st == 404) {
		ret = pm_errf(err, PM_ERR_NOTFOUND,
			      "lakeFS has no repository %s (run pm25 init)",
			      where);
	} else if (!ret && st != 200) {
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: repository %s: %s",
			      where, message(j, "unexpected answer"));
	}
	json_decref(j);
	pm_buf_release(&url);
	if (ret) {
		free(lf->base);
		free(lf->api);
		free(lf->userpwd);
		free(lf->repo);
		free(lf);
		s->priv = NULL;
	}
	return ret;
}

static void lf_close(struct pm_store *s)
{
	struct lakefs *lf = s->priv;

	free(lf->base);
	free(lf->api);
	free(lf->userpwd);
	free(lf->repo);
	pm_strv_release(&lf->dirty);
	free(lf);
}

/* ------------------------------------------------------------ reads */

static enum pm_err lf_resolve(struct pm_store *s, const char *ref,
			      char id[PM_ID_MAX], struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	json_t *j = NULL, *first;
	enum pm_err ret;
	long st;

	pm_buf_addf(&url, "%s/refs/", lf->base);
	escape(&url, ref);
	pm_buf_addstr(&url, "/commits?amount=1");
	ret = call(lf, "GET", url.buf, NULL, NULL, 0, &st, NULL, &j, err);
	first = json_array_get(json_object_get(j, "results"), 0);
	if (!ret && (st == 404 || (st == 200 && !first)))
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such ref: %s", ref);
	else if (!ret && st != 200)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: %s: %s", ref,
			      message(j, "unexpected answer"));
	else if (!ret)
		snprintf(id, PM_ID_MAX, "%s",
			 json_string_value(json_object_get(first, "id")));
	json_decref(j);
	pm_buf_release(&url);
	return ret;
}

static enum pm_err lf_get(struct pm_store *s, const char *ref,
			  const char *path, struct pm_buf *out,
			  struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT, body = PM_BUF_INIT;
	enum pm_err ret;
	long st;

	pm_buf_addf(&url, "%s/refs/", lf->base);
	escape(&url, ref);
	pm_buf_addstr(&url, "/objects?path=");
	escape(&url, path);
	ret = call(lf, "GET", url.buf, NULL, NULL, 0, &st, &body, NULL, err);
	if (!ret && st == 404) {
		char id[PM_ID_MAX];

		/* a missing ref, or a missing file in it */
		ret = lf_resolve(s, ref, id, err);
		if (!ret)
			ret = pm_errf(err, PM_ERR_NOTFOUND,
				      "%s: no such file in %s", path, ref);
	}
	else if (!ret && st != 200)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: get %s: status %ld",
			      path, st);
	else if (!ret)
		pm_buf_add(out, body.buf, body.len);
	pm_buf_release(&url);
	pm_buf_release(&body);
	return ret;
}

/*
 * Walk a paged list: each page's "results" go to fn; pages follow
 * pagination.next_offset while has_more.
 */
static enum pm_err paged(struct lakefs *lf, const char *url_base,
			 void (*fn)(json_t *item, void *arg), void *arg,
			 const char *what, struct pm_buf *err)
{
	struct pm_buf url = PM_BUF_INIT, after = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	int pages;

	for (pages = 0; pages < 10000 && !ret; pages++) {
		json_t *j = NULL, *pg, *item;
		size_t i;
		long st;

		pm_buf_reset(&url);
		pm_buf_addf(&url, "%s%camount=%d&after=", url_base,
			    strchr(url_base, '?') ? '&' : '?', PAGE);
		escape(&url, after.buf);
		ret = call(lf, "GET", url.buf, NULL, NULL, 0, &st, NULL, &j,
			   err);
		if (!ret && st == 404)
			ret = pm_errf(err, PM_ERR_NOTFOUND, "no such ref: %s",
				      what);
		else if (!ret && st != 200)
			ret = pm_errf(err, PM_ERR_IO, "lakeFS: %s: %s", what,
				      message(j, "unexpected answer"));
		if (!ret)
			json_array_foreach(json_object_get(j, "results"), i,
					   item)
				fn(item, arg);
		pg = json_object_get(j, "pagination");
		if (!ret && json_is_true(json_object_get(pg, "has_more"))) {
			pm_buf_reset(&after);
			pm_buf_addstr(&after,
				      str_or(json_string_value(json_object_get(
						     pg, "next_offset")),
					     ""));
			json_decref(j);
			continue;
		}
		json_decref(j);
		break;
	}
	pm_buf_release(&url);
	pm_buf_release(&after);
	return ret;
}

static void take_path(json_t *item, void *arg)
{
	const char *p = json_string_value(json_object_get(item, "path"));

	if (p && !strcmp(str_or(json_string_value(
					    json_object_get(item, "path_type")),
				    "object"),
			 "object"))
		pm_strv_push(arg, p);
}

static enum pm_err lf_list(struct pm_store *s, const char *ref,
			   const char *prefix, struct pm_strv *out,
			   struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	enum pm_err ret;

	pm_buf_addf(&url, "%s/refs/", lf->base);
	escape(&url, ref);
	pm_buf_addstr(&url, "/objects/ls?prefix=");
	escape(&url, prefix);
	ret = paged(lf, url.buf, take_path, out, ref, err);
	pm_buf_release(&url);
	return ret;
}

static void take_id(json_t *item, void *arg)
{
	const char *id = json_string_value(json_object_get(item, "id"));

	if (id)
		pm_strv_push(arg, id);
}

static enum pm_err lf_branches(struct pm_store *s, struct pm_strv *out,
			       struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	enum pm_err ret;

	pm_buf_addf(&url, "%s/branches", lf->base);
	ret = paged(lf, url.buf, take_id, out, "branches", err);
	pm_buf_release(&url);
	return ret;
}

struct same {
	size_t len;
	struct pm_strv paths;
};

static void take_same_size(json_t *item, void *arg)
{
	struct same *sm = arg;
	json_t *size = json_object_get(item, "size_bytes");

	if (json_is_integer(size) && (size_t)json_integer_value(size) == sm->len)
		take_path(item, &sm->paths);
}

static enum pm_err lf_find_same(struct pm_store *s, const char *ref,
				const char *prefix, const void *data,
				size_t len, char **path_out,
				struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT, b = PM_BUF_INIT;
	struct same sm = { len, PM_STRV_INIT };
	enum pm_err ret;
	size_t i;

	pm_buf_addf(&url, "%s/refs/", lf->base);
	escape(&url, ref);
	pm_buf_addstr(&url, "/objects/ls?prefix=");
	escape(&url, prefix);
	/* sizes filter; only same-size candidates are fetched */
	ret = paged(lf, url.buf, take_same_size, &sm, ref, err);
	for (i = 0; !ret && i < sm.paths.nr && !*path_out; i++) {
		pm_buf_reset(&b);
		if (!lf_get(s, ref, sm.paths.v[i], &b, NULL) && b.len == len &&
		    !memcmp(b.buf, data, len))
			*path_out = pm_xstrdup(sm.paths.v[i]);
	}
	pm_strv_release(&sm.paths);
	pm_buf_release(&url);
	pm_buf_release(&b);
	return ret;
}

/* ------------------------------------------------------------ writes */

static enum pm_err lf_branch_create(struct pm_store *s, const char *name,
				    const char *from, struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	json_t *body = json_pack("{s:s, s:s}", "name", name, "source", from);
	json_t *j = NULL;
	enum pm_err ret;
	long st;

	pm_buf_addf(&url, "%s/branches", lf->base);
	ret = post_json(lf, url.buf, body, &st, &j, err);
	if (!ret && st == 409)
		ret = pm_errf(err, PM_ERR_CONFLICT, "branch %s exists", name);
	else if (!ret && st == 404)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such ref: %s", from);
	else if (!ret && st != 201)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: branch %s: %s", name,
			      message(j, "refused"));
	json_decref(j);
	pm_buf_release(&url);
	return ret;
}

static enum pm_err lf_branch_delete(struct pm_store *s, const char *name,
				    struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	enum pm_err ret;
	long st;

	pm_buf_addf(&url, "%s/branches/", lf->base);
	escape(&url, name);
	ret = call(lf, "DELETE", url.buf, NULL, NULL, 0, &st, NULL, NULL, err);
	if (!ret && st == 404)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such branch: %s", name);
	else if (!ret && st != 204)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: deleting %s: status %ld",
			      name, st);
	set_clean(lf, name);
	pm_buf_release(&url);
	return ret;
}

static enum pm_err lf_put(struct pm_store *s, const char *branch,
			  const char *path, const void *data, size_t len,
			  struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT, old = PM_BUF_INIT;
	json_t *j = NULL;
	enum pm_err ret;
	long st;

	/* the same bytes are already there: nothing to stage */
	if (!lf_get(s, branch, path, &old, NULL) && old.len == len &&
	    (!len || !memcmp(old.buf, data, len))) {
		pm_buf_release(&old);
		return PM_OK;
	}
	pm_buf_addf(&url, "%s/branches/", lf->base);
	escape(&url, branch);
	pm_buf_addstr(&url, "/objects?path=");
	escape(&url, path);
	ret = call(lf, "POST", url.buf, "application/octet-stream",
		   len ? data : "", len, &st, NULL, &j, err);
	if (!ret && st == 404)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such branch: %s",
			      branch);
	else if (!ret && st != 201)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: upload %s: %s", path,
			      message(j, "refused"));
	if (!ret && !is_dirty(lf, branch))
		pm_strv_push(&lf->dirty, branch);
	json_decref(j);
	pm_buf_release(&url);
	pm_buf_release(&old);
	return ret;
}

static json_t *meta_object(const struct pm_kv *meta, size_t n)
{
	json_t *m = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(m, meta[i].key, json_string(meta[i].value));
	return m;
}

static enum pm_err lf_commit(struct pm_store *s, const char *branch,
			     const char *message_text,
			     const struct pm_kv *meta, size_t nr_meta,
			     char id[PM_ID_MAX], struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	json_t *body, *j = NULL;
	enum pm_err ret;
	long st;

	id[0] = '\0';
	if (!is_dirty(lf, branch))
		return PM_OK;
	body = json_pack("{s:s, s:o}", "message", message_text, "metadata",
			 meta_object(meta, nr_meta));
	pm_buf_addf(&url, "%s/branches/", lf->base);
	escape(&url, branch);
	pm_buf_addstr(&url, "/commits");
	ret = post_json(lf, url.buf, body, &st, &j, err);
	if (!ret && st == 201)
		snprintf(id, PM_ID_MAX, "%s",
			 str_or(json_string_value(json_object_get(j, "id")),
				""));
	else if (!ret && st == 400 && strstr(message(j, ""), "no changes"))
		id[0] = '\0';
	else if (!ret && st == 404)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such branch: %s",
			      branch);
	else if (!ret)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: commit on %s: %s",
			      branch, message(j, "refused"));
	if (!ret)
		set_clean(lf, branch);
	json_decref(j);
	pm_buf_release(&url);
	return ret;
}

static enum pm_err lf_merge(struct pm_store *s, const char *src,
			    const char *dst, const char *message_text,
			    const struct pm_kv *meta, size_t nr_meta,
			    char id[PM_ID_MAX], struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	char before[PM_ID_MAX] = "";
	json_t *body, *j = NULL;
	enum pm_err ret;
	long st;

	ret = lf_resolve(s, dst, before, err);
	if (ret)
		return ret;
	body = json_pack("{s:s, s:o}", "message", message_text, "metadata",
			 meta_object(meta, nr_meta));
	pm_buf_addf(&url, "%s/refs/", lf->base);
	escape(&url, src);
	pm_buf_addstr(&url, "/merge/");
	escape(&url, dst);
	ret = post_json(lf, url.buf, body, &st, &j, err);
	if (!ret && st == 200) {
		const char *ref = json_string_value(
			json_object_get(j, "reference"));

		snprintf(id, PM_ID_MAX, "%s",
			 ref && strcmp(ref, before) ? ref : "");
	} else if (!ret && st == 409) {
		ret = pm_errf(err, PM_ERR_CONFLICT, "merging %s into %s: %s",
			      src, dst, message(j, "conflict"));
	} else if (!ret && st == 412) {
		ret = pm_errf(err, PM_ERR_GATE,
			      "merging %s into %s: a pre-merge hook refused: %s",
			      src, dst, message(j, "failed"));
	} else if (!ret && st == 404) {
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such ref: %s", src);
	} else if (!ret) {
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: merge %s: %s", src,
			      message(j, "refused"));
	}
	json_decref(j);
	pm_buf_release(&url);
	return ret;
}

static enum pm_err lf_revert(struct pm_store *s, const char *branch,
			     const char *commit, char id[PM_ID_MAX],
			     struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	json_t *body = json_pack("{s:s, s:i}", "ref", commit, "parent_number",
				 1);
	json_t *j = NULL;
	enum pm_err ret;
	long st;

	pm_buf_addf(&url, "%s/branches/", lf->base);
	escape(&url, branch);
	pm_buf_addstr(&url, "/revert");
	ret = post_json(lf, url.buf, body, &st, &j, err);
	if (!ret && st == 409)
		ret = pm_errf(err, PM_ERR_CONFLICT, "reverting %s: %s", commit,
			      message(j, "conflict"));
	else if (!ret && st == 404)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such ref: %s", commit);
	else if (!ret && st != 204)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: revert: %s",
			      message(j, "refused"));
	if (!ret)
		ret = lf_resolve(s, branch, id, err);
	json_decref(j);
	pm_buf_release(&url);
	return ret;
}

static enum pm_err lf_tag(struct pm_store *s, const char *name,
			  const char *ref, struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	json_t *body = json_pack("{s:s, s:s}", "id", name, "ref", ref);
	json_t *j = NULL;
	enum pm_err ret;
	long st;

	pm_buf_addf(&url, "%s/tags", lf->base);
	ret = post_json(lf, url.buf, body, &st, &j, err);
	if (!ret && st == 409)
		ret = pm_errf(err, PM_ERR_CONFLICT, "tag %s exists", name);
	else if (!ret && st == 404)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such ref: %s", ref);
	else if (!ret && st != 201)
		ret = pm_errf(err, PM_ERR_IO, "lakeFS: tag: %s",
			      message(j, "refused"));
	json_decref(j);
	pm_buf_release(&url);
	return ret;
}

/* ------------------------------------------------------------ history */

static void take_diff(json_t *item, void *arg)
{
	const char *type = json_string_value(json_object_get(item, "type"));
	const char *path = json_string_value(json_object_get(item, "path"));

	if (!type || !path)
		return;
	pm_diff_add(arg, path,
		    !strcmp(type, "added")	 ? PM_DIFF_ADDED :
		    !strcmp(type, "removed") ? PM_DIFF_REMOVED :
					       PM_DIFF_CHANGED);
}

static enum pm_err lf_diff(struct pm_store *s, const char *a, const char *b,
			   struct pm_diff *out, struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	char id[PM_ID_MAX];
	enum pm_err ret;

	/* both refs must exist; lakeFS says 404 for either */
	ret = lf_resolve(s, a, id, err);
	if (!ret)
		ret = lf_resolve(s, b, id, err);
	pm_buf_addf(&url, "%s/refs/", lf->base);
	escape(&url, a);
	pm_buf_addstr(&url, "/diff/");
	escape(&url, b);
	if (!ret)
		ret = paged(lf, url.buf, take_diff, out, a, err);
	pm_buf_release(&url);
	return ret;
}

struct log_ctx {
	struct pm_commit_list *out;
	size_t max;
};

static void take_commit(json_t *item, void *arg)
{
	struct log_ctx *lc = arg;
	struct pm_commit_info *c;
	const char *key, *msg;
	json_t *v;

	if (lc->out->nr >= lc->max)
		return;
	c = pm_commit_list_add(lc->out);
	snprintf(c->id, PM_ID_MAX, "%s",
		 str_or(json_string_value(json_object_get(item, "id")), ""));
	msg = str_or(json_string_value(json_object_get(item, "message")), "");
	c->message = pm_xmemdupz(msg, strcspn(msg, "\n"));
	c->time = (int64_t)json_integer_value(
		json_object_get(item, "creation_date"));
	c->nr_parents = json_array_size(json_object_get(item, "parents"));
	json_object_foreach(json_object_get(item, "metadata"), key, v)
		if (json_is_string(v))
			pm_commit_info_add_meta(c, key, json_string_value(v));
}

static enum pm_err lf_log(struct pm_store *s, const char *ref, size_t max,
			  struct pm_commit_list *out, struct pm_buf *err)
{
	struct lakefs *lf = s->priv;
	struct pm_buf url = PM_BUF_INIT;
	struct log_ctx lc = { out, max };
	enum pm_err ret;

	pm_buf_addf(&url, "%s/refs/", lf->base);
	escape(&url, ref);
	pm_buf_addstr(&url, "/commits");
	ret = paged(lf, url.buf, take_commit, &lc, ref, err);
	pm_buf_release(&url);
	return ret;
}

const struct pm_store_ops pm_store_lakefs = {
	.name = "lakefs",
	.open = lf_open,
	.close = lf_close,
	.resolve = lf_resolve,
	.branch_create = lf_branch_create,
	.branch_delete = lf_branch_delete,
	.branches = lf_branches,
	.put = lf_put,
	.get = lf_get,
	.list = lf_list,
	.find_same = lf_find_same,
	.commit = lf_commit,
	.diff = lf_diff,
	.merge = lf_merge,
	.revert = lf_revert,
	.log = lf_log,
	.tag = lf_tag,
};
