/*
 * What the state database says for /metrics (pm25/records.h): runs by
 * deployment and state, Late runs and workers by pool, alerts by
 * status, histograms of run duration and schedule delay, and the last
 * publish. Labels are deployments, pools and states: never run ids.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "db.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "state-int.h"

static const double bounds[PM_METRICS_NBUCKETS] = { 1,	 5,    15,   60,
						    300, 900,  1800, 3600,
						    7200, 21600 };

/* Rows of (a[, b], n) into *v. */
static enum pm_err counts(struct pm_state *st, const char *sql,
			  const char *const *args, size_t nargs, int two,
			  struct pm_metric_count **v, size_t *n,
			  struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret = pm_db_query(st->db, sql, args, nargs, &rs, NULL, err);
	size_t r;

	*v = NULL;
	*n = 0;
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++) {
		const char *a = pm_rows_get(&rs, r, 0);

		(*v)[r].a = pm_xstrdup(a ? a : "");
		(*v)[r].b = two ? pm_state_dup(pm_rows_get(&rs, r, 1)) : NULL;
		(*v)[r].n = strtol(pm_rows_get(&rs, r, two ? 2 : 1), NULL, 10);
	}
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

/* A histogram of the seconds that expr (in ms) gives over where. */
static enum pm_err histogram(struct pm_state *st, const char *expr,
			     const char *where, struct pm_histogram *h,
			     struct pm_buf *err)
{
	struct pm_buf sql = PM_BUF_INIT;
	struct pm_rows rs;
	enum pm_err ret;
	size_t i;

	memset(h, 0, sizeof(*h));
	pm_buf_addstr(&sql, "SELECT COUNT(*), COALESCE(SUM(");
	pm_buf_addf(&sql, "%s), 0)", expr);
	for (i = 0; i < PM_METRICS_NBUCKETS; i++) {
		h->le[i] = bounds[i];
		pm_buf_addf(&sql, ", SUM(CASE WHEN %s <= %.0f THEN 1 ELSE 0 END)",
			    expr, bounds[i] * 1000);
	}
	pm_buf_addf(&sql, " FROM flow_runs WHERE %s", where);
	ret = pm_db_query(st->db, sql.buf, NULL, 0, &rs, NULL, err);
	if (!ret) {
		const char *c;

		h->total = strtol(pm_rows_get(&rs, 0, 0), NULL, 10);
		h->sum = strtod(pm_rows_get(&rs, 0, 1), NULL) / 1000;
		for (i = 0; i < PM_METRICS_NBUCKETS; i++) {
			c = pm_rows_get(&rs, 0, 2 + i);
			h->count[i] = c ? strtol(c, NULL, 10) : 0;
		}
		pm_rows_release(&rs);
	}
	pm_buf_release(&sql);
	return ret;
}

enum pm_err pm_state_metrics_read(struct pm_state *st,
				  struct pm_state_metrics *m,
				  struct pm_buf *err)
{
	struct pm_rows rs;
	char now[24];
	enum pm_err ret;

	memset(m, 0, sizeof(*m));
	pm_state_ms_text(now, pm_state_now_ms());
	ret = counts(st,
		     "SELECT COALESCE(deployment, ''), state, COUNT(*) FROM "
		     "flow_runs GROUP BY COALESCE(deployment, ''), state ORDER "
		     "BY 1, 2",
		     NULL, 0, 1, &m->runs, &m->nr_runs, err);
	if (!ret)
		ret = counts(st,
			     "SELECT p.name, (SELECT COUNT(*) FROM flow_runs r "
			     "WHERE r.pool = p.name AND r.state = 'Late') FROM "
			     "pools p ORDER BY p.name",
			     NULL, 0, 0, &m->late, &m->nr_late, err);
	if (!ret)
		ret = counts(st,
			     "SELECT w.pool, CASE WHEN w.stopped_ms IS NOT NULL "
			     "THEN 'stopped' WHEN " PM_WORKER_ONLINE " THEN "
			     "'online' ELSE 'offline' END, COUNT(*) FROM workers "
			     "w GROUP BY 1, 2 ORDER BY 1, 2",
			     (const char *const[]){ now }, 1, 1, &m->workers,
			     &m->nr_workers, err);
	if (!ret)
		ret = counts(st,
			     "SELECT status, COUNT(*) FROM alerts GROUP BY status "
			     "ORDER BY status",
			     NULL, 0, 0, &m->alerts, &m->nr_alerts, err);
	if (!ret)
		ret = histogram(st, "(ended_ms - started_ms)",
				"ended_ms IS NOT NULL AND started_ms IS NOT NULL",
				&m->duration, err);
	if (!ret)
		ret = histogram(st, "(started_ms - slot_ms)",
				"slot_ms IS NOT NULL AND started_ms IS NOT NULL "
				"AND started_ms >= slot_ms",
				&m->delay, err);
	if (!ret)
		ret = pm_db_query(st->db,
				  "SELECT MAX(ended_ms) FROM flow_runs WHERE state "
				  "= 'Completed' AND flow IN ('ingest-clean', "
				  "'backfill')",
				  NULL, 0, &rs, NULL, err);
	if (!ret) {
		const char *v = rs.nr ? pm_rows_get(&rs, 0, 0) : NULL;

		m->last_publish_ms = v ? strtoll(v, NULL, 10) : 0;
		pm_rows_release(&rs);
	}
	if (ret)
		pm_state_metrics_release(m);
	return ret;
}

void pm_metric_counts_free(struct pm_metric_count *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].a);
		free(v[i].b);
	}
	free(v);
}

void pm_state_metrics_release(struct pm_state_metrics *m)
{
	pm_metric_counts_free(m->runs, m->nr_runs);
	pm_metric_counts_free(m->late, m->nr_late);
	pm_metric_counts_free(m->workers, m->nr_workers);
	pm_metric_counts_free(m->alerts, m->nr_alerts);
	memset(m, 0, sizeof(*m));
}

enum pm_err pm_state_run_buckets(struct pm_state *st, int64_t since_ms,
				 int64_t bucket_ms, struct pm_metric_count **v,
				 size_t *n, struct pm_buf *err)
{
	struct pm_buf sql = PM_BUF_INIT;
	enum pm_err ret;

	/* two integers of ours, not the user's: written into the query */
	pm_buf_addf(&sql,
		    "SELECT (created_ms - %lld) / %lld, state, COUNT(*) FROM "
		    "flow_runs WHERE created_ms >= %lld GROUP BY 1, 2 ORDER BY "
		    "1, 2",
		    (long long)since_ms, (long long)(bucket_ms > 0 ? bucket_ms : 1),
		    (long long)since_ms);
	ret = counts(st, sql.buf, NULL, 0, 1, v, n, err);
	pm_buf_release(&sql);
	return ret;
}
