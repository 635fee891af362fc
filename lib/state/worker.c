/*
 * Claims, leases, retries and the sweep of expired leases. Every change
 * is a compare-and-set on the run's state (UPDATE ... WHERE state = the
 * state read), so two workers or sweepers racing on one run cannot both
 * win. On PostgreSQL the claim skips rows another worker has locked; on
 * SQLite the claim's transaction holds the write lock.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include <unistd.h>
#include "db.h"
#include "pm25/proc.h"
#include "pm25/worker.h"
#include "state-int.h"

void pm_claim_release(struct pm_claim *c)
{
	free(c->flow);
	free(c->parameters);
	free(c->deployment);
	free(c->image);
	memset(c, 0, sizeof(*c));
}

/* Whether deployment dep may start one more run (its limit). */
static enum pm_err under_limit(struct pm_state *st, const char *dep, int *ok,
			       struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;
	long limit, active;

	*ok = 1;
	if (!dep)
		return PM_OK;
	if (pm_db_kind(st->db) == PM_DB_POSTGRES) {
		/* one claim at a time per deployment: its row is the lock */
		ret = pm_db_query(st->db,
				  "SELECT name FROM deployments WHERE name = ? "
				  "FOR UPDATE",
				  (const char *const[]){ dep }, 1, NULL, NULL,
				  err);
		if (ret)
			return ret;
	}
	ret = pm_db_query(st->db,
			  "SELECT v.concurrency_limit, (SELECT COUNT(*) FROM "
			  "flow_runs r WHERE r.deployment = d.name AND r.state IN "
			  "('Pending', 'Running', 'Cancelling')) FROM deployments "
			  "d JOIN deployment_versions v ON v.name = d.name AND "
			  "v.version = d.version WHERE d.name = ?",
			  (const char *const[]){ dep }, 1, &rs, NULL, err);
	if (ret)
		return ret;
	if (rs.nr) {
		limit = strtol(pm_rows_get(&rs, 0, 0), NULL, 10);
		active = strtol(pm_rows_get(&rs, 0, 1), NULL, 10);
		*ok = limit <= 0 || active < limit;
	}
	pm_rows_release(&rs);
	return PM_OK;
}

enum pm_err pm_state_claim(struct pm_state *st, const char *pool,
			   const char *worker, int64_t lease_ms,
			   struct pm_claim *c, struct pm_buf *err)
{
	static const char *const pick_sqlite =
		"SELECT r.id, r.deployment, r.state FROM flow_runs r JOIN pools "
		"p ON p.name = r.pool LEFT JOIN deployments d ON d.name = "
		"r.deployment WHERE r.pool = ? AND r.state IN ('Scheduled', "
		"'Late') AND r.scheduled_ms <= ? AND p.paused = 0 AND "
		"(d.paused IS NULL OR d.paused = 0) ORDER BY r.scheduled_ms, "
		"r.id LIMIT 8";
	static const char *const pick_postgres =
		"SELECT r.id, r.deployment, r.state FROM flow_runs r JOIN pools "
		"p ON p.name = r.pool LEFT JOIN deployments d ON d.name = "
		"r.deployment WHERE r.pool = ? AND r.state IN ('Scheduled', "
		"'Late') AND r.scheduled_ms <= CAST(? AS BIGINT) AND p.paused = "
		"0 AND (d.paused IS NULL OR d.paused = 0) ORDER BY "
		"r.scheduled_ms, r.id LIMIT 8 FOR UPDATE OF r SKIP LOCKED";
	struct pm_rows rs = { 0 }, got = { 0 };
	char now[24], lease[24], why[160];
	enum pm_err ret;
	size_t i, changed;
	int ok;

	memset(c, 0, sizeof(*c));
	pm_state_ms_text(now, pm_state_now_ms());
	pm_state_ms_text(lease, pm_state_now_ms() + lease_ms);
	snprintf(why, sizeof(why), "claimed by worker %s", worker);
	ret = pm_db_begin(st->db, err);
	if (ret)
		return ret;
	ret = pm_db_query(st->db,
			  pm_db_kind(st->db) == PM_DB_POSTGRES ? pick_postgres :
								 pick_sqlite,
			  (const char *const[]){ pool, now }, 2, &rs, NULL, err);
	for (i = 0; !ret && i < rs.nr; i++) {
		const char *id = pm_rows_get(&rs, i, 0);

		ret = under_limit(st, pm_rows_get(&rs, i, 1), &ok, err);
		if (ret || !ok)
			continue;
		ret = pm_db_query(st->db,
				  "UPDATE flow_runs SET state = 'Pending', "
				  "state_reason = ?, worker = ?, lease_ms = ?, "
				  "heartbeat_ms = ?, updated_ms = ? WHERE id = ? "
				  "AND state = ?",
				  (const char *const[]){ why, worker, lease, now,
							 now, id,
							 pm_rows_get(&rs, i, 2) },
				  7, NULL, &changed, err);
		if (ret || !changed)
			continue;
		ret = pm_state_add_history(st, id, "Pending", why, now, err);
		if (!ret)
			ret = pm_db_query(st->db,
					  "SELECT r.flow, r.parameters, "
					  "r.deployment, r.attempt, v.image FROM "
					  "flow_runs r LEFT JOIN "
					  "deployment_versions v ON v.name = "
					  "r.deployment AND v.version = "
					  "r.deployment_version WHERE r.id = ?",
					  (const char *const[]){ id }, 1, &got,
					  NULL, err);
		if (!ret) {
			snprintf(c->id, sizeof(c->id), "%s", id);
			c->flow = pm_xstrdup(pm_rows_get(&got, 0, 0));
			c->parameters = pm_xstrdup(pm_rows_get(&got, 0, 1) ?
							   pm_rows_get(&got, 0, 1) :
							   "{}");
			c->deployment = pm_rows_get(&got, 0, 2) ?
						pm_xstrdup(pm_rows_get(&got, 0, 2)) :
						NULL;
			c->attempt = strtol(pm_rows_get(&got, 0, 3), NULL, 10);
			c->image = pm_rows_get(&got, 0, 4) ?
					   pm_xstrdup(pm_rows_get(&got, 0, 4)) :
					   NULL;
			pm_rows_release(&got);
		}
		break;
	}
	pm_rows_release(&rs);
	if (!ret)
		ret = pm_db_commit(st->db, err);
	if (ret) {
		pm_db_rollback(st->db);
		pm_claim_release(c);
		return ret;
	}
	return *c->id ? PM_OK : PM_ERR_NOTFOUND;
}

enum pm_err pm_state_heartbeat(struct pm_state *st, const char *id,
			       const char *worker, int64_t lease_ms,
			       int *cancel, struct pm_buf *err)
{
	char now[24], lease[24];
	size_t changed = 0;
	struct pm_rows rs;
	enum pm_err ret;

	*cancel = 0;
	pm_state_ms_text(now, pm_state_now_ms());
	pm_state_ms_text(lease, pm_state_now_ms() + lease_ms);
	ret = pm_db_query(st->db,
			  "UPDATE flow_runs SET lease_ms = ?, heartbeat_ms = ? "
			  "WHERE id = ? AND worker = ? AND state IN ('Pending', "
			  "'Running', 'Cancelling')",
			  (const char *const[]){ lease, now, id, worker }, 4,
			  NULL, &changed, err);
	if (!ret && !changed)
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "flow run %s is no longer held by %s", id,
			      worker);
	if (!ret)
		ret = pm_db_query(st->db,
				  "SELECT state FROM flow_runs WHERE id = ?",
				  (const char *const[]){ id }, 1, &rs, NULL,
				  err);
	if (!ret) {
		*cancel = rs.nr && !strcmp(pm_rows_get(&rs, 0, 0), "Cancelling");
		pm_rows_release(&rs);
	}
	return ret;
}

enum pm_err pm_state_run_fail(struct pm_state *st, const char *id,
			      long of_attempt, enum pm_run_state how,
			      const char *reason, int64_t delay_ms, int *retried,
			      struct pm_buf *err)
{
	struct pm_rows rs = { 0 };
	char now[24], when[24], why[200];
	const char *state = pm_run_state_name(how), *cur;
	enum pm_err ret;
	size_t changed = 0;
	long attempt, max;
	char *shown;

	*retried = 0;
	reason = shown = pm_state_reason_text(reason);
	pm_state_ms_text(now, pm_state_now_ms());
	pm_state_ms_text(when, pm_state_now_ms() + delay_ms);
	ret = pm_db_begin(st->db, err);
	if (!ret)
		ret = pm_db_query(st->db,
				  "SELECT state, attempt, max_attempts FROM "
				  "flow_runs WHERE id = ?",
				  (const char *const[]){ id }, 1, &rs, NULL,
				  err);
	if (ret)
		goto out;
	if (!rs.nr) {
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no flow run %s", id);
		goto out;
	}
	cur = pm_rows_get(&rs, 0, 0);
	attempt = strtol(pm_rows_get(&rs, 0, 1), NULL, 10);
	max = strtol(pm_rows_get(&rs, 0, 2), NULL, 10);
	if (of_attempt && attempt != of_attempt) {
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "flow run %s is on attempt %ld, not %ld", id,
			      attempt, of_attempt);
		goto out;
	}
	if (pm_run_state_final((enum pm_run_state)pm_run_state_parse(cur))) {
		ret = pm_errf(err, PM_ERR_CONFLICT, "flow run %s is already %s",
			      id, cur);
		goto out;
	}
	ret = pm_db_query(st->db,
			  "UPDATE flow_runs SET state = ?, state_reason = ?, "
			  "ended_ms = ?, updated_ms = ?, lease_ms = NULL WHERE "
			  "id = ? AND state = ? AND attempt = CAST(? AS "
			  "INTEGER)",
			  (const char *const[]){ state, reason, now, now, id, cur,
						 pm_rows_get(&rs, 0, 1) },
			  7, NULL, &changed, err);
	if (!ret && !changed)
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "flow run %s changed state meanwhile", id);
	if (!ret)
		ret = pm_state_add_history(st, id, state, reason, now, err);
	if (!ret && attempt < max && delay_ms >= 0) {
		/* the retry policy: the same run, its next attempt */
		snprintf(why, sizeof(why), "retry %ld of %ld after %s",
			 attempt, max - 1, state);
		ret = pm_db_query(st->db,
				  "UPDATE flow_runs SET state = 'Scheduled', "
				  "state_reason = ?, attempt = attempt + 1, "
				  "scheduled_ms = ?, ended_ms = NULL, worker = "
				  "NULL, updated_ms = ? WHERE id = ?",
				  (const char *const[]){ why, when, now, id }, 4,
				  NULL, NULL, err);
		if (!ret)
			ret = pm_state_add_history(st, id, "Scheduled", why, now,
						   err);
		*retried = !ret;
	} else if (!ret) {
		ret = pm_state_alert_tx(st, id, state, "run:", reason, now,
					err);
	}
	if (!ret)
		ret = pm_db_commit(st->db, err);
out:
	if (ret)
		pm_db_rollback(st->db);
	pm_rows_release(&rs);
	free(shown);
	return ret;
}

enum pm_err pm_state_release(struct pm_state *st, const char *id,
			     const char *worker, const char *reason,
			     struct pm_buf *err)
{
	char now[24];
	size_t changed = 0;
	enum pm_err ret;

	pm_state_ms_text(now, pm_state_now_ms());
	ret = pm_db_begin(st->db, err);
	if (!ret)
		ret = pm_db_query(st->db,
				  "UPDATE flow_runs SET state = 'Scheduled', "
				  "state_reason = ?, worker = NULL, lease_ms = "
				  "NULL, started_ms = NULL, updated_ms = ? WHERE "
				  "id = ? AND worker = ? AND state IN ('Pending', "
				  "'Running')",
				  (const char *const[]){ reason, now, id, worker },
				  4, NULL, &changed, err);
	if (!ret && changed)
		ret = pm_state_add_history(st, id, "Scheduled", reason, now,
					   err);
	if (!ret)
		ret = pm_db_commit(st->db, err);
	if (ret)
		pm_db_rollback(st->db);
	return ret;
}

void pm_state_owner_self(char *out, size_t size)
{
	char host[128];
	long pid = (long)getpid();

	pm_proc_host(host, sizeof(host));
	snprintf(out, size, "run@%s/%ld/%llu", host, pid,
		 pm_proc_start_time(pid));
}

/* The host, pid and start of a foreground run's owner; 0 if not one. */
static int owner_parse(const char *owner, char *host, size_t size, long *pid,
		       unsigned long long *start)
{
	const char *p;
	size_t n;

	if (!owner || strncmp(owner, "run@", 4))
		return 0;
	p = strchr(owner + 4, '/');
	n = p ? (size_t)(p - owner - 4) : 0;
	if (!p || n >= size || sscanf(p, "/%ld/%llu", pid, start) != 2)
		return 0;
	memcpy(host, owner + 4, n);
	host[n] = '\0';
	return 1;
}

/*
 * Whether owner is a foreground run's process on this host that is
 * gone; why says so. Its lease would tell the same, later.
 */
static int owner_gone(const char *owner, char *why, size_t size)
{
	char host[128], mine[128];
	unsigned long long start;
	long pid;

	if (!owner_parse(owner, host, sizeof(host), &pid, &start))
		return 0;
	pm_proc_host(mine, sizeof(mine));
	if (strcmp(host, mine) || pm_proc_alive(pid, start))
		return 0;
	snprintf(why, size,
		 "its process (pid %ld on %s) ended without recording an "
		 "outcome (killed, or out of memory)",
		 pid, host);
	return 1;
}

enum pm_err pm_state_sweep(struct pm_state *st, size_t *crashed,
			   struct pm_buf *err)
{
	struct pm_rows rs;
	char now[24];
	enum pm_err ret;
	size_t i;

	*crashed = 0;
	pm_state_ms_text(now, pm_state_now_ms());
	ret = pm_db_query(st->db,
			  "SELECT id, worker, CASE WHEN lease_ms < ? THEN 1 "
			  "ELSE 0 END FROM flow_runs WHERE state IN "
			  "('Pending', 'Running', 'Cancelling') AND (lease_ms "
			  "< ? OR worker LIKE 'run@%')",
			  (const char *const[]){ now, now }, 2, &rs, NULL, err);
	for (i = 0; !ret && i < rs.nr; i++) {
		const char *owner = pm_rows_get(&rs, i, 1);
		char why[300], host[128];
		unsigned long long start;
		long pid;
		int retried;
		enum pm_err e;

		if (owner_gone(owner, why, sizeof(why)))
			;
		else if (strcmp(pm_rows_get(&rs, i, 2), "1"))
			continue; /* alive, and its lease holds */
		else if (owner_parse(owner, host, sizeof(host), &pid, &start))
			snprintf(why, sizeof(why),
				 "the lease ran out: its process (pid %ld on "
				 "%s) stopped heartbeating",
				 pid, host);
		else
			snprintf(why, sizeof(why),
				 "the lease ran out: worker %s stopped "
				 "heartbeating",
				 owner ? owner : "?");
		e = pm_state_run_fail(st, pm_rows_get(&rs, i, 0), 0,
				      PM_RUN_CRASHED, why, 0, &retried, err);
		if (!e)
			(*crashed)++;
		else if (e != PM_ERR_CONFLICT) /* another sweeper won */
			ret = e;
	}
	pm_rows_release(&rs);
	return ret;
}

enum pm_err pm_state_run_retry(struct pm_state *st, const char *id,
			       const char *reason, struct pm_buf *err)
{
	char now[24];
	size_t changed = 0;
	enum pm_err ret;

	pm_state_ms_text(now, pm_state_now_ms());
	ret = pm_db_begin(st->db, err);
	if (ret)
		return ret;
	/* the same run, its next attempt: it keeps its slot and window */
	ret = pm_db_query(st->db,
			  "UPDATE flow_runs SET state = 'Scheduled', "
			  "state_reason = ?, attempt = attempt + 1, "
			  "max_attempts = CASE WHEN max_attempts > attempt "
			  "THEN max_attempts ELSE attempt + 1 END, "
			  "scheduled_ms = CAST(? AS BIGINT), started_ms = NULL, "
			  "ended_ms = NULL, worker = NULL, lease_ms = NULL, "
			  "updated_ms = CAST(? AS BIGINT) WHERE id = ? AND state "
			  "IN ('Failed', 'Crashed', 'TimedOut', 'Cancelled')",
			  (const char *const[]){ reason, now, now, id }, 4, NULL,
			  &changed, err);
	if (!ret && !changed)
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "flow run %s has not ended Failed, Crashed, "
			      "TimedOut or Cancelled (or is not there)",
			      id);
	if (!ret)
		ret = pm_state_add_history(st, id, "Scheduled", reason, now, err);
	if (!ret)
		ret = pm_db_commit(st->db, err);
	if (ret)
		pm_db_rollback(st->db);
	return ret;
}
