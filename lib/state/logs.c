/*
 * Searching the log lines of every run (pm25/records.h): the query that
 * users of the stack pm25 replaces run in Loki, here on the state
 * database's run_logs, newest first.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "db.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "state-int.h"

enum pm_err pm_state_log_search(struct pm_state *st, const char *text,
				int64_t since_ms, const char *deployment,
				size_t limit, struct pm_log_hit **v, size_t *n,
				struct pm_buf *err)
{
	struct pm_buf sql = PM_BUF_INIT;
	struct pm_rows rs;
	char since[24], lim[24];
	enum pm_err ret;
	size_t r;

	*v = NULL;
	*n = 0;
	pm_state_ms_text(since, since_ms);
	snprintf(lim, sizeof(lim), "%zu", limit ? limit : 100);
	/* a substring, case as given, on both databases */
	pm_buf_addf(&sql,
		    "SELECT l.run_id, r.flow, r.deployment, l.at_ms, l.level, "
		    "l.task, l.message FROM run_logs l JOIN flow_runs r ON r.id "
		    "= l.run_id WHERE %s(l.message, ?) > 0 AND l.at_ms >= "
		    "CAST(? AS BIGINT) AND (CAST(? AS TEXT) IS NULL OR "
		    "r.deployment = ?) ORDER BY l.at_ms DESC, l.run_id, l.seq "
		    "LIMIT CAST(? AS INTEGER)",
		    pm_db_kind(st->db) == PM_DB_POSTGRES ? "strpos" : "instr");
	ret = pm_db_query(st->db, sql.buf,
			  (const char *const[]){ text, since, deployment,
						 deployment, lim },
			  5, &rs, NULL, err);
	pm_buf_release(&sql);
	if (ret)
		return ret;
	*v = pm_xcalloc(rs.nr + 1, sizeof(**v));
	for (r = 0; r < rs.nr; r++) {
		struct pm_log_hit *h = &(*v)[r];
		const char *at = pm_rows_get(&rs, r, 3);

		snprintf(h->run, sizeof(h->run), "%s", pm_rows_get(&rs, r, 0));
		h->flow = pm_state_dup(pm_rows_get(&rs, r, 1));
		h->deployment = pm_state_dup(pm_rows_get(&rs, r, 2));
		h->line.at_ms = at ? strtoll(at, NULL, 10) : 0;
		h->line.level = pm_state_dup(pm_rows_get(&rs, r, 4));
		h->line.task = pm_state_dup(pm_rows_get(&rs, r, 5));
		h->line.message = pm_state_dup(pm_rows_get(&rs, r, 6));
	}
	*n = rs.nr;
	pm_rows_release(&rs);
	return PM_OK;
}

void pm_log_hits_free(struct pm_log_hit *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].flow);
		free(v[i].deployment);
		free(v[i].line.level);
		free(v[i].line.task);
		free(v[i].line.message);
	}
	free(v);
}
