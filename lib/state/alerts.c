/*
 * The alert outbox: alerts are rows, written in the same transaction as
 * the state change they are about, and sent later by pm25/notify.h. A
 * key makes each one unique, so that a run alerts once.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "db.h"
#include "pm25/state.h"
#include "pm25/strv.h"
#include "state-int.h"

#define ALERT_COLUMNS                                                     \
	"key, kind, grp, run_id, flow, deployment, pool, attempt, text, " \
	"created_ms, status, next_ms, tries, sent_ms, error"

enum pm_err pm_state_alert_tx(struct pm_state *st, const char *id,
			      const char *kind, const char *key_prefix,
			      const char *text, const char *now,
			      struct pm_buf *err)
{
	/* SQLite needs the WHERE to read ON CONFLICT as an upsert */
	return pm_db_query(
		st->db,
		"INSERT INTO alerts (key, kind, grp, run_id, flow, deployment, "
		"pool, attempt, text, created_ms, next_ms) SELECT CAST(? AS "
		"TEXT) || id, CAST(? AS TEXT), CAST(? AS TEXT) || ':' || "
		"COALESCE(deployment, flow), id, flow, deployment, pool, "
		"attempt, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS "
		"BIGINT) "
		"FROM flow_runs WHERE id = ? ON CONFLICT (key) DO NOTHING",
		(const char *const[]){ key_prefix, kind, kind,
				       text && *text ? text : kind, now, now,
				       id },
		7, NULL, NULL, err);
}

enum pm_err pm_state_alert_run(struct pm_state *st, const char *id,
			       const char *kind, const char *text,
			       struct pm_buf *err)
{
	char now[24];

	pm_state_ms_text(now, pm_state_now_ms());
	return pm_state_alert_tx(st, id, kind, "run:", text, now, err);
}

enum pm_err pm_state_alert_add(struct pm_state *st, const char *key,
			       const char *kind, const char *text,
			       struct pm_buf *err)
{
	char now[24];

	pm_state_ms_text(now, pm_state_now_ms());
	return pm_db_query(
		st->db,
		"INSERT INTO alerts (key, kind, grp, text, "
		"created_ms, next_ms) VALUES (?, ?, ?, ?, ?, ?) ON "
		"CONFLICT (key) DO NOTHING",
		(const char *const[]){ key, kind, key, text, now, now }, 6,
		NULL, NULL, err);
}

enum pm_err pm_state_alerts_due(struct pm_state *st, int64_t now_ms,
				size_t limit, struct pm_rows *out,
				struct pm_buf *err)
{
	char now[24], lim[24];

	pm_state_ms_text(now, now_ms);
	snprintf(lim, sizeof(lim), "%zu", limit);
	return pm_db_query(st->db,
			   "SELECT " ALERT_COLUMNS " FROM alerts WHERE status "
			   "= 'pending' AND next_ms <= ? ORDER BY grp, "
			   "created_ms, key LIMIT CAST(? AS INTEGER)",
			   (const char *const[]){ now, lim }, 2, out, NULL,
			   err);
}

enum pm_err pm_state_alerts(struct pm_state *st, const char *status,
			    size_t limit, struct pm_rows *out,
			    struct pm_buf *err)
{
	char lim[24];

	snprintf(lim, sizeof(lim), "%zu", limit ? limit : 100);
	return pm_db_query(st->db,
			   "SELECT " ALERT_COLUMNS " FROM alerts WHERE "
			   "(CAST(? AS TEXT) IS NULL OR status = ?) ORDER BY "
			   "created_ms DESC, key LIMIT CAST(? AS INTEGER)",
			   (const char *const[]){ status, status, lim }, 3, out,
			   NULL, err);
}

enum pm_err pm_state_alert_move(struct pm_state *st, const char *key,
				int64_t old_next, int64_t next_ms, int try,
				struct pm_buf *err)
{
	char o[24], n[24];
	size_t changed = 0;
	enum pm_err ret;

	pm_state_ms_text(o, old_next);
	pm_state_ms_text(n, next_ms);
	ret = pm_db_query(st->db,
			  "UPDATE alerts SET next_ms = ?, tries = tries + "
			  "CAST(? AS INTEGER) WHERE key = ? AND status = "
			  "'pending' AND next_ms = ?",
			  (const char *const[]){ n, try ? "1" : "0", key, o },
			  4, NULL, &changed, err);
	if (!ret && !changed)
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "alert %s was taken meanwhile", key);
	return ret;
}

enum pm_err pm_state_alert_end(struct pm_state *st, const char *key,
			       const char *status, const char *error,
			       int64_t next_ms, struct pm_buf *err)
{
	char now[24], n[24];

	pm_state_ms_text(now, pm_state_now_ms());
	pm_state_ms_text(n, next_ms);
	return pm_db_query(
		st->db,
		"UPDATE alerts SET status = ?, error = ?, next_ms = "
		"?, sent_ms = CASE WHEN CAST(? AS TEXT) = 'sent' "
		"THEN CAST(? AS BIGINT) ELSE sent_ms END WHERE key "
		"= ?",
		(const char *const[]){ status, error, n, status, now, key }, 6,
		NULL, NULL, err);
}

enum pm_err pm_state_alert_last_sent(struct pm_state *st, const char *grp,
				     int64_t *ms, struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;

	*ms = 0;
	ret = pm_db_query(st->db,
			  "SELECT MAX(sent_ms) FROM alerts WHERE grp = ?",
			  (const char *const[]){ grp }, 1, &rs, NULL, err);
	if (!ret) {
		if (rs.nr && pm_rows_get(&rs, 0, 0))
			*ms = strtoll(pm_rows_get(&rs, 0, 0), NULL, 10);
		pm_rows_release(&rs);
	}
	return ret;
}

enum pm_err pm_state_alert_close(struct pm_state *st, const char *key,
				 struct pm_buf *err)
{
	return pm_db_query(st->db,
			   "UPDATE alerts SET key = key || '@' || "
			   "CAST(created_ms AS TEXT) WHERE key = ?",
			   (const char *const[]){ key }, 1, NULL, NULL, err);
}

enum pm_err pm_state_alert_open(struct pm_state *st, const char *prefix,
				struct pm_strv *out, struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;
	size_t i;

	ret = pm_db_query(st->db,
			  "SELECT key FROM alerts WHERE substr(key, 1, "
			  "length(CAST(? AS TEXT))) = ? AND key NOT LIKE "
			  "'%@%' ORDER BY key",
			  (const char *const[]){ prefix, prefix }, 2, &rs, NULL,
			  err);
	if (ret)
		return ret;
	for (i = 0; i < rs.nr; i++)
		pm_strv_push(out, pm_rows_get(&rs, i, 0));
	pm_rows_release(&rs);
	return PM_OK;
}

enum pm_err pm_state_alert_fold(struct pm_state *st, const char *id,
				const char *about, struct pm_buf *err)
{
	char now[24];

	pm_state_ms_text(now, pm_state_now_ms());
	return pm_db_query(
		st->db,
		"INSERT INTO alerts (key, kind, grp, run_id, flow, deployment, "
		"pool, attempt, text, created_ms, next_ms, status) SELECT "
		"'run:' || id, 'folded', 'folded:' || COALESCE(deployment, "
		"flow), id, flow, deployment, pool, attempt, 'folded into ' "
		"|| CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT), "
		"'folded' FROM flow_runs WHERE id = ? ON CONFLICT (key) DO "
		"NOTHING",
		(const char *const[]){ about, now, now, id }, 4, NULL, NULL,
		err);
}
