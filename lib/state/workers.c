/*
 * Workers you can see: each registers in the state database under its
 * name, heartbeats there and says when it stops; a list of them with
 * their status and the runs they hold (pm25/records.h).
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "db.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "state-int.h"

enum pm_err pm_state_worker_register(struct pm_state *st, const char *name,
				     const char *pool, const char *host,
				     long pid, const char *version,
				     int64_t interval_ms, struct pm_buf *err)
{
	char now[24], p[24], iv[24];

	pm_state_ms_text(now, pm_state_now_ms());
	snprintf(p, sizeof(p), "%ld", pid);
	pm_state_ms_text(iv, interval_ms);
	/* SQLite needs the WHERE to read ON CONFLICT as an upsert */
	return pm_db_query(
		st->db,
		"INSERT INTO workers (name, pool, host, pid, version, "
		"started_ms, heartbeat_ms, interval_ms) SELECT CAST(? AS TEXT), "
		"CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS "
		"TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT) "
		"WHERE 1 = 1 ON CONFLICT (name) DO UPDATE SET pool = "
		"excluded.pool, host = excluded.host, pid = excluded.pid, "
		"version = excluded.version, started_ms = excluded.started_ms, "
		"heartbeat_ms = excluded.heartbeat_ms, interval_ms = "
		"excluded.interval_ms, stopped_ms = NULL",
		(const char *const[]){ name, pool, host, p, version, now, now,
				       iv },
		8, NULL, NULL, err);
}

enum pm_err pm_state_worker_beat(struct pm_state *st, const char *name,
				 struct pm_buf *err)
{
	char now[24];

	pm_state_ms_text(now, pm_state_now_ms());
	return pm_db_query(st->db,
			   "UPDATE workers SET heartbeat_ms = ? WHERE name = ?",
			   (const char *const[]){ now, name }, 2, NULL, NULL,
			   err);
}

enum pm_err pm_state_worker_stop(struct pm_state *st, const char *name,
				 struct pm_buf *err)
{
	char now[24];

	pm_state_ms_text(now, pm_state_now_ms());
	return pm_db_query(st->db,
			   "UPDATE workers SET stopped_ms = ? WHERE name = ?",
			   (const char *const[]){ now, name }, 2, NULL, NULL,
			   err);
}

static int64_t ms(const char *s)
{
	return s ? (int64_t)strtoll(s, NULL, 10) : 0;
}

enum pm_err pm_state_worker_list(struct pm_state *st, const char *pool,
				 struct pm_worker_info **v, size_t *n,
				 struct pm_buf *err)
{
	struct pm_rows rs;
	char now[24];
	enum pm_err ret;
	size_t r;

	*v = NULL;
	*n = 0;
	pm_state_ms_text(now, pm_state_now_ms());
	ret = pm_db_query(
		st->db,
		"SELECT w.name, w.pool, w.host, w.pid, w.version, w.started_ms, "
		"w.heartbeat_ms, w.interval_ms, CASE WHEN w.stopped_ms IS NOT "
		"NULL THEN 'stopped' WHEN " PM_WORKER_ONLINE " THEN 'online' "
		"ELSE 'offline' END, (SELECT COUNT(*) FROM flow_runs r WHERE "
		"r.worker = w.name AND r.state IN ('Pending', 'Running', "
		"'Cancelling')) FROM workers w WHERE (CAST(? AS TEXT) IS NULL OR "
		"w.pool = ?) ORDER BY w.pool, w.name",
		(const char *const[]){ now, pool, pool }, 3, &rs, NULL, err);
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++) {
		struct pm_worker_info *w = &(*v)[r];
		const char *status = pm_rows_get(&rs, r, 8);

		w->name = pm_xstrdup(pm_rows_get(&rs, r, 0));
		w->pool = pm_xstrdup(pm_rows_get(&rs, r, 1));
		w->host = pm_state_dup(pm_rows_get(&rs, r, 2));
		w->pid = (long)ms(pm_rows_get(&rs, r, 3));
		w->version = pm_state_dup(pm_rows_get(&rs, r, 4));
		w->started_ms = ms(pm_rows_get(&rs, r, 5));
		w->heartbeat_ms = ms(pm_rows_get(&rs, r, 6));
		w->interval_ms = ms(pm_rows_get(&rs, r, 7));
		w->status = !strcmp(status, "online")	 ? "online" :
			    !strcmp(status, "stopped") ? "stopped" :
							 "offline";
		w->runs = (long)ms(pm_rows_get(&rs, r, 9));
	}
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

void pm_workers_free(struct pm_worker_info *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].name);
		free(v[i].pool);
		free(v[i].host);
		free(v[i].version);
	}
	free(v);
}
