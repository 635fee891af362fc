/*
 * /api/data: the data repository as the CLI's pm25 data shows it:
 * commits of a ref, branches, the paths under a prefix, a file's bytes;
 * and the stations now (their newest PM2.5 and Thai AQI).
 * Each request opens the store from the home.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/state.h"
#include "pm25/stations.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "server-int.h"

static const char *ref_arg(const struct srv_req *rq)
{
	const char *r = rq->query(rq->conn, "ref");

	return r && *r ? r : "main";
}

void api_data_commits(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_commit_list l = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s;
	long limit;
	size_t i;
	enum pm_err e;

	if (srv_query_long(rq, "limit", 1, 1000, 50, &limit)) {
		srv_error(out, 400, "bad_request", "limit is 1 to 1000");
		return;
	}
	s = srv_store(rq, "data", out);
	if (!s)
		return;
	e = pm_store_log(s, ref_arg(rq), (size_t)limit, &l, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"commits\": [");
		for (i = 0; i < l.nr; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_commit_json(&out->body, &l.c[i]);
		}
		pm_buf_addstr(&out->body, "]}\n");
	}
	pm_commit_list_release(&l);
	pm_store_close(s);
	pm_buf_release(&err);
}

/* {"key": [strings]} of l. */
static void strings(struct pm_buf *b, const char *key, const struct pm_strv *l)
{
	size_t i;

	pm_buf_addf(b, "{\"%s\": [", key);
	for (i = 0; i < l->nr; i++) {
		pm_buf_addstr(b, i ? ", " : "");
		pm_buf_add_json_str(b, l->v[i], strlen(l->v[i]));
	}
	pm_buf_addstr(b, "]}\n");
}

void api_data_branches(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_strv l = PM_STRV_INIT;
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s = srv_store(rq, "data", out);
	enum pm_err e;

	if (!s)
		return;
	e = pm_store_branches(s, &l, &err);
	if (e)
		srv_fail(out, e, err.buf);
	else
		strings(&out->body, "branches", &l);
	pm_strv_release(&l);
	pm_store_close(s);
	pm_buf_release(&err);
}

void api_data_tree(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_strv l = PM_STRV_INIT;
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s = srv_store(rq, "data", out);
	const char *prefix = rq->query(rq->conn, "prefix");
	enum pm_err e;

	if (!s)
		return;
	e = pm_store_list(s, ref_arg(rq), prefix ? prefix : "", &l, &err);
	if (e)
		srv_fail(out, e, err.buf);
	else
		strings(&out->body, "paths", &l);
	pm_strv_release(&l);
	pm_store_close(s);
	pm_buf_release(&err);
}

void api_data_object(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	const char *path = rq->query(rq->conn, "path");
	struct pm_store *s;
	size_t n;
	enum pm_err e;

	if (!path || !*path) {
		srv_error(out, 400, "bad_request", "path= is needed");
		return;
	}
	s = srv_store(rq, "data", out);
	if (!s)
		return;
	e = pm_store_get(s, ref_arg(rq), path, &out->body, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		n = strlen(path);
		out->type = n > 4 && !strcmp(path + n - 4, ".csv") ?
				    "text/csv; charset=utf-8" :
			    n > 5 && !strcmp(path + n - 5, ".json") ?
				    "application/json" :
				    "application/octet-stream";
	}
	pm_store_close(s);
	pm_buf_release(&err);
}

void api_stations(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_station_now *v = NULL;
	struct pm_store *s = srv_store(rq, "data", out);
	int64_t now = pm_state_now_ms() / 1000;
	size_t n = 0, i;
	enum pm_err e;

	if (!s)
		return;
	e = pm_stations_now(s, &v, &n, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"stations\": [");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_station_now_json(&out->body, &v[i], now);
		}
		pm_buf_addstr(&out->body, "]}\n");
	}
	pm_stations_now_free(v, n);
	pm_store_close(s);
	pm_buf_release(&err);
}

/* ------------------------------------------------------------ diff */

enum pm_err srv_diff_read(struct pm_store *s, const char *from, const char *to,
			  struct srv_diff *d, struct pm_buf *err)
{
	struct pm_commit_list l = { 0 };
	enum pm_err e;
	size_t i, rows = 0;

	memset(d, 0, sizeof(*d));
	e = pm_store_resolve(s, to && *to ? to : "main", d->to, err);
	if (!e && from && *from) {
		e = pm_store_resolve(s, from, d->from, err);
	} else if (!e) {
		/* the commit before to */
		e = pm_store_log(s, d->to, 2, &l, err);
		snprintf(d->from, sizeof(d->from), "%s",
			 !e && l.nr > 1 ? l.c[1].id : d->to);
	}
	if (!e)
		e = pm_store_diff(s, d->from, d->to, &d->files, err);
	pm_commit_list_release(&l);
	if (e)
		return e;
	d->rows = pm_xcalloc(d->files.nr + 1, sizeof(*d->rows));
	d->has_rows = pm_xcalloc(d->files.nr + 1, sizeof(*d->has_rows));
	for (i = 0; i < d->files.nr && rows < SRV_DIFF_ROW_FILES; i++)
		if (d->files.e[i].kind == PM_DIFF_CHANGED &&
		    pm_store_row_diff(s, d->from, d->to, d->files.e[i].path,
				      &d->rows[i]))
			d->has_rows[i] = 1, rows++;
	return PM_OK;
}

void srv_diff_release(struct srv_diff *d)
{
	size_t i;

	for (i = 0; d->has_rows && i < d->files.nr; i++)
		if (d->has_rows[i])
			pm_row_diff_release(&d->rows[i]);
	free(d->rows);
	free(d->has_rows);
	pm_diff_release(&d->files);
	memset(d, 0, sizeof(*d));
}

void api_data_diff(const struct srv_req *rq, struct srv_resp *out)
{
	static const char *const kinds[] = { "added", "removed", "changed" };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_store *s = srv_store(rq, "data", out);
	struct srv_diff d;
	size_t i;
	enum pm_err e;

	if (!s)
		return;
	e = srv_diff_read(s, rq->query(rq->conn, "from"),
			  rq->query(rq->conn, "to"), &d, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addf(&out->body,
			    "{\"from\": \"%s\", \"to\": \"%s\", "
			    "\"files\": [",
			    d.from, d.to);
		for (i = 0; i < d.files.nr; i++) {
			const char *p = d.files.e[i].path;

			pm_buf_addstr(&out->body,
				      i ? ",\n {\"path\": " : "\n {\"path\": ");
			pm_buf_add_json_str(&out->body, p, strlen(p));
			pm_buf_addf(&out->body, ", \"change\": \"%s\"",
				    kinds[d.files.e[i].kind]);
			if (d.has_rows[i])
				pm_row_diff_json(&d.rows[i], &out->body);
			pm_buf_addch(&out->body, '}');
		}
		pm_buf_addstr(&out->body, "]}\n");
		srv_diff_release(&d);
	}
	pm_store_close(s);
	pm_buf_release(&err);
}
