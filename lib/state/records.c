/*
 * The state database's records as structs (pm25/records.h): the rows of
 * each query, turned into their record once, here.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "db.h"
#include "pm25/deployment.h"
#include "pm25/records.h"
#include "state-int.h"

static int64_t ms_of(const char *s)
{
	return s ? (int64_t)strtoll(s, NULL, 10) : PM_MS_NONE;
}

static enum pm_run_state state_of(const char *s)
{
	int v = s ? pm_run_state_parse(s) : -1;

	return v < 0 ? PM_RUN_CRASHED : (enum pm_run_state)v;
}

/* Row r of rs (PM_RUN_COLUMNS) into run. */
static void take_run(const struct pm_rows *rs, size_t r, struct pm_run *run)
{
	memset(run, 0, sizeof(*run));
	snprintf(run->id, sizeof(run->id), "%s", pm_rows_get(rs, r, 0));
	run->flow =
		pm_xstrdup(pm_rows_get(rs, r, 1) ? pm_rows_get(rs, r, 1) : "");
	run->deployment = pm_state_dup(pm_rows_get(rs, r, 2));
	run->pool = pm_state_dup(pm_rows_get(rs, r, 3));
	run->state = state_of(pm_rows_get(rs, r, 4));
	run->reason = pm_state_dup(pm_rows_get(rs, r, 5));
	run->parameters = pm_state_dup(pm_rows_get(rs, r, 6));
	run->created_ms = ms_of(pm_rows_get(rs, r, 7));
	run->scheduled_ms = ms_of(pm_rows_get(rs, r, 8));
	run->started_ms = ms_of(pm_rows_get(rs, r, 9));
	run->ended_ms = ms_of(pm_rows_get(rs, r, 10));
	run->attempt = pm_rows_get(rs, r, 11) ?
			       strtol(pm_rows_get(rs, r, 11), NULL, 10) :
			       0;
	run->slot_ms = ms_of(pm_rows_get(rs, r, 12));
}

void pm_run_release(struct pm_run *r)
{
	free(r->flow);
	free(r->deployment);
	free(r->pool);
	free(r->reason);
	free(r->parameters);
	memset(r, 0, sizeof(*r));
}

void pm_runs_free(struct pm_run *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		pm_run_release(&v[i]);
	free(v);
}

void pm_run_changes_free(struct pm_run_change *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].reason);
	free(v);
}

void pm_log_lines_free(struct pm_log_line *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].level);
		free(v[i].task);
		free(v[i].message);
	}
	free(v);
}

void pm_pools_free(struct pm_pool_info *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].type);
	}
	free(v);
}

void pm_deployment_versions_free(struct pm_deployment_version *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].change);
		free(v[i].work_pool);
		free(v[i].image);
		free(v[i].parameters);
		free(v[i].cron);
	}
	free(v);
}

enum pm_err pm_state_run_list(struct pm_state *st, const char *state,
			      const char *flow, size_t limit, struct pm_run **v,
			      size_t *n, struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;
	char lim[24];
	size_t r;

	*v = NULL;
	*n = 0;
	snprintf(lim, sizeof(lim), "%zu", limit ? limit : 100);
	ret = pm_db_query(
		st->db,
		"SELECT " PM_RUN_COLUMNS " FROM flow_runs "
		"WHERE (CAST(? AS TEXT) IS NULL OR state = ?) AND "
		"(CAST(? AS TEXT) IS NULL OR flow = ?) "
		"ORDER BY created_ms DESC, id LIMIT CAST(? AS INTEGER)",
		(const char *const[]){ state, state, flow, flow, lim }, 5, &rs,
		NULL, err);
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++)
		take_run(&rs, r, &(*v)[r]);
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

/* " AND col = ?" for each filter given, its value into args. */
static void page_where(const struct pm_run_filter *f, struct pm_buf *sql,
		       const char **args, size_t *nargs, char since[24],
		       char until[24])
{
	const struct {
		const char *col, *v;
	} eq[] = { { "state", f->state },
		   { "flow", f->flow },
		   { "deployment", f->deployment },
		   { "pool", f->pool } };
	size_t i;

	pm_buf_addstr(sql, " FROM flow_runs WHERE 1 = 1");
	for (i = 0; i < PM_ARRAY_SIZE(eq); i++)
		if (eq[i].v) {
			pm_buf_addf(sql, " AND %s = ?", eq[i].col);
			args[(*nargs)++] = eq[i].v;
		}
	if (f->since_ms) {
		pm_state_ms_text(since, f->since_ms);
		pm_buf_addstr(sql, " AND created_ms >= CAST(? AS BIGINT)");
		args[(*nargs)++] = since;
	}
	if (f->until_ms) {
		pm_state_ms_text(until, f->until_ms);
		pm_buf_addstr(sql, " AND created_ms < CAST(? AS BIGINT)");
		args[(*nargs)++] = until;
	}
}

enum pm_err pm_state_run_page(struct pm_state *st,
			      const struct pm_run_filter *f, struct pm_run **v,
			      size_t *n, size_t *count, char next[64],
			      struct pm_buf *err)
{
	struct pm_buf sql = PM_BUF_INIT, where = PM_BUF_INIT;
	struct pm_rows rs;
	char since[24], until[24], lim[24], cms[24] = "",
		cid[PM_RUN_ID_MAX] = "";
	const char *args[12];
	enum pm_err ret;
	size_t r, nargs = 0, limit = f->limit ? f->limit : 50;

	*v = NULL;
	*n = *count = 0;
	next[0] = '\0';
	if (f->cursor &&
	    (sscanf(f->cursor, "%23[0-9]_%47[0-9A-Za-z-]", cms, cid) != 2 ||
	     strlen(f->cursor) != strlen(cms) + 1 + strlen(cid)))
		return pm_errf(err, PM_ERR_USAGE, "cursor '%s' is not one",
			       f->cursor);
	/* only the filters given: each query can use its index */
	page_where(f, &where, args, &nargs, since, until);
	pm_buf_addf(&sql, "SELECT COUNT(*)%s", where.buf);
	ret = pm_db_query(st->db, sql.buf, args, nargs, &rs, NULL, err);
	if (ret)
		goto out;
	*count = rs.nr ? (size_t)strtoull(pm_rows_get(&rs, 0, 0), NULL, 10) : 0;
	pm_rows_release(&rs);
	pm_buf_setf(&sql, "SELECT " PM_RUN_COLUMNS "%s", where.buf);
	if (f->cursor) {
		/* after the cursor: older, or as old with a smaller id */
		pm_buf_addstr(&sql, " AND (created_ms < CAST(? AS BIGINT) OR "
				    "(created_ms = CAST(? AS BIGINT) AND id < "
				    "?))");
		args[nargs++] = cms;
		args[nargs++] = cms;
		args[nargs++] = cid;
	}
	pm_buf_addstr(&sql, " ORDER BY created_ms DESC, id DESC LIMIT CAST(? "
			    "AS INTEGER)");
	snprintf(lim, sizeof(lim), "%zu", limit + 1);
	args[nargs++] = lim;
	ret = pm_db_query(st->db, sql.buf, args, nargs, &rs, NULL, err);
	if (ret)
		goto out;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr && r < limit; r++)
		take_run(&rs, r, &(*v)[r]);
	*n = r;
	if (rs.nr > limit)
		snprintf(next, 64, "%lld_%s", (long long)(*v)[r - 1].created_ms,
			 (*v)[r - 1].id);
	pm_rows_release(&rs);
out:
	pm_buf_release(&sql);
	pm_buf_release(&where);
	return ret;
}

enum pm_err pm_state_run_load(struct pm_state *st, const char *id,
			      struct pm_run *run, struct pm_run_change **hist,
			      size_t *nhist, struct pm_buf *err)
{
	struct pm_rows rs, hs;
	enum pm_err ret;
	size_t r;

	memset(run, 0, sizeof(*run));
	if (hist) {
		*hist = NULL;
		*nhist = 0;
	}
	ret = pm_db_query(
		st->db, "SELECT " PM_RUN_COLUMNS " FROM flow_runs WHERE id = ?",
		(const char *const[]){ id }, 1, &rs, NULL, err);
	if (ret)
		return ret;
	if (!rs.nr) {
		pm_rows_release(&rs);
		return pm_errf(err, PM_ERR_NOTFOUND, "no flow run %s", id);
	}
	take_run(&rs, 0, run);
	pm_rows_release(&rs);
	if (!hist)
		return PM_OK;
	ret = pm_db_query(st->db,
			  "SELECT state, reason, at_ms FROM run_states "
			  "WHERE run_id = ? ORDER BY seq",
			  (const char *const[]){ id }, 1, &hs, NULL, err);
	if (ret) {
		pm_run_release(run);
		return ret;
	}
	*hist = pm_xcalloc(hs.nr + 1, sizeof(**hist));
	for (r = 0; r < hs.nr; r++) {
		(*hist)[r].state = state_of(pm_rows_get(&hs, r, 0));
		(*hist)[r].reason = pm_state_dup(pm_rows_get(&hs, r, 1));
		(*hist)[r].at_ms = ms_of(pm_rows_get(&hs, r, 2));
	}
	*nhist = hs.nr;
	pm_rows_release(&hs);
	return PM_OK;
}

enum pm_err pm_state_run_log(struct pm_state *st, const char *id,
			     struct pm_log_line **v, size_t *n,
			     struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;
	size_t r;

	*v = NULL;
	*n = 0;
	ret = pm_db_query(st->db,
			  "SELECT at_ms, level, task, message FROM run_logs "
			  "WHERE run_id = ? ORDER BY seq",
			  (const char *const[]){ id }, 1, &rs, NULL, err);
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++) {
		(*v)[r].at_ms = ms_of(pm_rows_get(&rs, r, 0));
		(*v)[r].level = pm_state_dup(pm_rows_get(&rs, r, 1));
		(*v)[r].task = pm_state_dup(pm_rows_get(&rs, r, 2));
		(*v)[r].message = pm_state_dup(pm_rows_get(&rs, r, 3));
	}
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

enum pm_err pm_state_pool_list(struct pm_state *st, struct pm_pool_info **v,
			       size_t *n, struct pm_buf *err)
{
	char now[24];
	struct pm_rows rs;
	enum pm_err ret;
	size_t r;

	*v = NULL;
	*n = 0;
	pm_state_ms_text(now, pm_state_now_ms());
	ret = pm_db_query(st->db,
			  "SELECT p.name, p.type, p.paused, (SELECT COUNT(*) "
			  "FROM workers w WHERE w.pool = p.name AND "
			  PM_WORKER_ONLINE ") FROM pools p ORDER BY p.name",
			  (const char *const[]){ now }, 1, &rs, NULL, err);
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++) {
		struct pm_pool_info *p = &(*v)[r];

		p->name = pm_xstrdup(pm_rows_get(&rs, r, 0));
		p->type = pm_xstrdup(pm_rows_get(&rs, r, 1));
		p->paused = strcmp(pm_rows_get(&rs, r, 2), "0") != 0;
		p->online = strtol(pm_rows_get(&rs, r, 3), NULL, 10);
		p->status = p->paused ? "paused" :
			    p->online ? "ready" :
					"not_ready";
	}
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

enum pm_err pm_state_pool_get(struct pm_state *st, const char *name,
			      struct pm_pool_info *p, struct pm_buf *err)
{
	struct pm_pool_info *v;
	size_t n, i;
	enum pm_err ret = pm_state_pool_list(st, &v, &n, err);

	memset(p, 0, sizeof(*p));
	if (ret)
		return ret;
	for (i = 0; i < n && strcmp(v[i].name, name); i++)
		;
	if (i < n) {
		*p = v[i];
		v[i].name = v[i].type = NULL;
	} else {
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no work pool %s", name);
	}
	pm_pools_free(v, n);
	return ret;
}

enum pm_err pm_state_deployment_list(struct pm_state *st,
				     struct pm_deployment **v, size_t *n,
				     struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;
	size_t r;

	*v = NULL;
	*n = 0;
	ret = pm_db_query(st->db,
			  "SELECT d.name, d.flow, d.version, d.paused, v.cron, "
			  "v.timezone, v.work_pool, v.image FROM deployments d "
			  "JOIN deployment_versions v ON v.name = d.name AND "
			  "v.version = d.version ORDER BY d.name",
			  NULL, 0, &rs, NULL, err);
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++) {
		struct pm_deployment *d = &(*v)[r];

		d->name = pm_xstrdup(pm_rows_get(&rs, r, 0));
		d->flow = pm_xstrdup(pm_rows_get(&rs, r, 1));
		d->version = strtol(pm_rows_get(&rs, r, 2), NULL, 10);
		d->paused = strcmp(pm_rows_get(&rs, r, 3), "0") != 0;
		d->cron = pm_state_dup(pm_rows_get(&rs, r, 4));
		d->timezone = pm_state_dup(pm_rows_get(&rs, r, 5));
		d->work_pool = pm_state_dup(pm_rows_get(&rs, r, 6));
		d->image = pm_state_dup(pm_rows_get(&rs, r, 7));
	}
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

enum pm_err pm_state_deployment_history(struct pm_state *st, const char *name,
					struct pm_deployment_version **v,
					size_t *n, struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;
	size_t r;

	*v = NULL;
	*n = 0;
	ret = pm_db_query(
		st->db,
		"SELECT version, change, created_ms, work_pool, image, "
		"parameters, cron FROM deployment_versions WHERE "
		"name = ? ORDER BY version",
		(const char *const[]){ name }, 1, &rs, NULL, err);
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++) {
		struct pm_deployment_version *x = &(*v)[r];

		x->version = strtol(pm_rows_get(&rs, r, 0), NULL, 10);
		x->change = pm_state_dup(pm_rows_get(&rs, r, 1));
		x->created_ms = ms_of(pm_rows_get(&rs, r, 2));
		x->work_pool = pm_state_dup(pm_rows_get(&rs, r, 3));
		x->image = pm_state_dup(pm_rows_get(&rs, r, 4));
		x->parameters = pm_state_dup(pm_rows_get(&rs, r, 5));
		x->cron = pm_state_dup(pm_rows_get(&rs, r, 6));
	}
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

void pm_alerts_free(struct pm_alert *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].key);
		free(v[i].kind);
		free(v[i].grp);
		free(v[i].run);
		free(v[i].flow);
		free(v[i].deployment);
		free(v[i].pool);
		free(v[i].text);
		free(v[i].status);
		free(v[i].error);
	}
	free(v);
}

/* The outbox's rows as alerts. */
static void take_alerts(const struct pm_rows *rs, struct pm_alert **v,
			size_t *n)
{
	size_t r;

	*v = pm_xcalloc(rs->nr + 1, sizeof(**v));
	for (r = 0; r < rs->nr; r++) {
		struct pm_alert *a = &(*v)[r];

		a->key = pm_xstrdup(pm_rows_get(rs, r, 0));
		a->kind = pm_xstrdup(pm_rows_get(rs, r, 1));
		a->grp = pm_xstrdup(pm_rows_get(rs, r, 2));
		a->run = pm_state_dup(pm_rows_get(rs, r, 3));
		a->flow = pm_state_dup(pm_rows_get(rs, r, 4));
		a->deployment = pm_state_dup(pm_rows_get(rs, r, 5));
		a->pool = pm_state_dup(pm_rows_get(rs, r, 6));
		a->attempt = pm_rows_get(rs, r, 7) ?
				     strtol(pm_rows_get(rs, r, 7), NULL, 10) :
				     0;
		a->text = pm_xstrdup(
			pm_rows_get(rs, r, 8) ? pm_rows_get(rs, r, 8) : "");
		a->created_ms = ms_of(pm_rows_get(rs, r, 9));
		a->status = pm_xstrdup(pm_rows_get(rs, r, 10));
		a->next_ms = ms_of(pm_rows_get(rs, r, 11));
		a->tries = pm_rows_get(rs, r, 12) ?
				   strtol(pm_rows_get(rs, r, 12), NULL, 10) :
				   0;
		a->sent_ms = ms_of(pm_rows_get(rs, r, 13));
		a->error = pm_state_dup(pm_rows_get(rs, r, 14));
	}
	*n = rs->nr;
}

enum pm_err pm_state_alert_list(struct pm_state *st, const char *status,
				size_t limit, struct pm_alert **v, size_t *n,
				struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret = pm_state_alerts(st, status, limit, &rs, err);

	*v = NULL;
	*n = 0;
	if (ret)
		return ret;
	take_alerts(&rs, v, n);
	pm_rows_release(&rs);
	return PM_OK;
}

enum pm_err pm_state_alert_due(struct pm_state *st, int64_t now_ms,
			       size_t limit, struct pm_alert **v, size_t *n,
			       struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret = pm_state_alerts_due(st, now_ms, limit, &rs, err);

	*v = NULL;
	*n = 0;
	if (ret)
		return ret;
	take_alerts(&rs, v, n);
	pm_rows_release(&rs);
	return PM_OK;
}
