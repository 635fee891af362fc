/*
 * Flow runs, their state history and logs, and work pools over the
 * state database. Migrations are numbered and applied in order, each in
 * its own transaction, the same text for SQLite and PostgreSQL except
 * where a dialect differs (marked).
 */
#include "pm25/compat.h"
#include <sys/time.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "db.h"
#include "pm25/state.h"
#include "state-int.h"

static const char *const state_names[PM_RUN_NSTATES] = {
	"Scheduled", "Late",	"Pending",  "Running",	  "Retrying",
	"Completed", "Failed",	"TimedOut", "Crashed",	  "Cancelling",
	"Cancelled", "Paused",
};

const char *pm_run_state_name(enum pm_run_state s)
{
	return (unsigned)s < PM_RUN_NSTATES ? state_names[s] : "?";
}

int pm_run_state_parse(const char *name)
{
	int i;

	for (i = 0; i < PM_RUN_NSTATES; i++)
		if (!strcasecmp(name, state_names[i]))
			return i;
	return -1;
}

int pm_run_state_final(enum pm_run_state s)
{
	return s == PM_RUN_COMPLETED || s == PM_RUN_FAILED ||
	       s == PM_RUN_TIMEDOUT || s == PM_RUN_CRASHED ||
	       s == PM_RUN_CANCELLED;
}

int64_t pm_state_now_ms(void)
{
	struct timeval tv;

	if (pm_config_str(PM_CFG_NOW_MS))
		return pm_config_long(PM_CFG_NOW_MS);
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ------------------------------------------------------------ migrations */

/*
 * Numbered migrations; never edit one that has shipped, add the next.
 * Times are milliseconds since the epoch (BIGINT).
 */
static const char *const migrations[] = {
	/* 1: runs, their states and logs, pools */
	"CREATE TABLE pools ("
	" name TEXT PRIMARY KEY,"
	" type TEXT NOT NULL DEFAULT 'process',"
	" paused INTEGER NOT NULL DEFAULT 0,"
	" created_ms BIGINT NOT NULL);"
	"CREATE TABLE flow_runs ("
	" id TEXT PRIMARY KEY,"
	" flow TEXT NOT NULL,"
	" deployment TEXT,"
	" pool TEXT,"
	" state TEXT NOT NULL,"
	" state_reason TEXT,"
	" parameters TEXT,"
	" created_ms BIGINT NOT NULL,"
	" scheduled_ms BIGINT,"
	" started_ms BIGINT,"
	" ended_ms BIGINT,"
	" updated_ms BIGINT NOT NULL,"
	" attempt INTEGER NOT NULL DEFAULT 1);"
	"CREATE INDEX flow_runs_by_state ON flow_runs (state, pool, "
	"scheduled_ms);"
	"CREATE INDEX flow_runs_by_created ON flow_runs (created_ms);"
	"CREATE TABLE run_states ("
	" run_id TEXT NOT NULL REFERENCES flow_runs (id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" state TEXT NOT NULL,"
	" reason TEXT,"
	" at_ms BIGINT NOT NULL,"
	" PRIMARY KEY (run_id, seq));"
	"CREATE TABLE run_logs ("
	" run_id TEXT NOT NULL REFERENCES flow_runs (id) ON DELETE CASCADE,"
	" seq INTEGER NOT NULL,"
	" at_ms BIGINT NOT NULL,"
	" level TEXT NOT NULL,"
	" task TEXT,"
	" message TEXT NOT NULL,"
	" PRIMARY KEY (run_id, seq));"
	"CREATE INDEX run_logs_by_time ON run_logs (at_ms);",
	/* 2: deployments and their versions; runs know their slot */
	"CREATE TABLE deployments ("
	" name TEXT PRIMARY KEY,"
	" flow TEXT NOT NULL,"
	" version INTEGER NOT NULL,"
	" paused INTEGER NOT NULL DEFAULT 0,"
	" created_ms BIGINT NOT NULL,"
	" updated_ms BIGINT NOT NULL);"
	"CREATE TABLE deployment_versions ("
	" name TEXT NOT NULL REFERENCES deployments (name) ON DELETE CASCADE,"
	" version INTEGER NOT NULL,"
	" flow TEXT NOT NULL,"
	" cron TEXT,"
	" timezone TEXT NOT NULL,"
	" missed TEXT NOT NULL,"
	" work_pool TEXT NOT NULL,"
	" image TEXT,"
	" parameters TEXT NOT NULL,"
	" concurrency_limit INTEGER NOT NULL,"
	" change TEXT NOT NULL,"
	" created_ms BIGINT NOT NULL,"
	" PRIMARY KEY (name, version));"
	"ALTER TABLE flow_runs ADD COLUMN deployment_version INTEGER;"
	"ALTER TABLE flow_runs ADD COLUMN slot_ms BIGINT;"
	"CREATE UNIQUE INDEX flow_runs_one_per_slot ON flow_runs (deployment, "
	"slot_ms);",
	/* 3: workers hold runs under leases; runs may be retried */
	"ALTER TABLE flow_runs ADD COLUMN worker TEXT;"
	"ALTER TABLE flow_runs ADD COLUMN lease_ms BIGINT;"
	"ALTER TABLE flow_runs ADD COLUMN heartbeat_ms BIGINT;"
	"ALTER TABLE flow_runs ADD COLUMN max_attempts INTEGER NOT NULL "
	"DEFAULT 1;"
	"CREATE INDEX flow_runs_by_lease ON flow_runs (state, lease_ms);",
	/* 4: retention finds finished runs by their end */
	"CREATE INDEX flow_runs_by_end ON flow_runs (ended_ms);",
	/* 5: alerts wait here until the webhook has them (an outbox) */
	"CREATE TABLE alerts ("
	" key TEXT PRIMARY KEY,"
	" kind TEXT NOT NULL,"
	" grp TEXT NOT NULL,"
	" run_id TEXT,"
	" flow TEXT,"
	" deployment TEXT,"
	" pool TEXT,"
	" attempt INTEGER,"
	" text TEXT NOT NULL,"
	" created_ms BIGINT NOT NULL,"
	" status TEXT NOT NULL DEFAULT 'pending',"
	" next_ms BIGINT NOT NULL,"
	" tries INTEGER NOT NULL DEFAULT 0,"
	" sent_ms BIGINT,"
	" error TEXT);"
	"CREATE INDEX alerts_due ON alerts (status, next_ms);"
	"CREATE INDEX alerts_by_group ON alerts (grp, sent_ms);"
	"CREATE INDEX alerts_by_created ON alerts (created_ms);",
	/* 6: workers register and heartbeat, so that they can be seen */
	"CREATE TABLE workers ("
	" name TEXT PRIMARY KEY,"
	" pool TEXT NOT NULL,"
	" host TEXT,"
	" pid BIGINT,"
	" version TEXT,"
	" started_ms BIGINT NOT NULL,"
	" heartbeat_ms BIGINT NOT NULL,"
	" interval_ms BIGINT NOT NULL,"
	" stopped_ms BIGINT);"
	"CREATE INDEX workers_by_pool ON workers (pool, heartbeat_ms);",
	/* 7: pages of runs, newest first, by creation and id */
	"CREATE INDEX flow_runs_page ON flow_runs (created_ms, id);"
	"CREATE INDEX flow_runs_by_deployment ON flow_runs (deployment, "
	"created_ms, id);",
};

#define NR_MIGRATIONS (sizeof(migrations) / sizeof(migrations[0]))

int pm_state_schema_version(struct pm_state *st)
{
	struct pm_rows rs;
	int v = 0;

	if (!pm_db_query(st->db, "SELECT MAX(version) FROM schema_migrations",
			 NULL, 0, &rs, NULL, NULL)) {
		const char *s = pm_rows_get(&rs, 0, 0);

		v = s ? (int)strtol(s, NULL, 10) : 0;
		pm_rows_release(&rs);
	}
	return v;
}

static enum pm_err seed_pools(struct pm_state *st, struct pm_buf *err)
{
	static const char *const pools[] = { "etl-pool-dev", "etl-pool-stage",
					     "etl-pool-prod" };
	size_t i;
	enum pm_err ret = PM_OK;

	for (i = 0; !ret && i < PM_ARRAY_SIZE(pools); i++)
		ret = pm_state_pool_create(st, pools[i], "process", err);
	return ret;
}

/*
 * Apply the migrations after the newest applied one. Two processes that
 * open a new database at once race on the version row; the loser's
 * transaction fails with a conflict and it simply reads the result.
 */
static enum pm_err migrate(struct pm_state *st, struct pm_buf *err)
{
	enum pm_err ret;
	size_t v;

	ret = pm_db_exec(st->db,
			 "CREATE TABLE IF NOT EXISTS schema_migrations ("
			 " version INTEGER PRIMARY KEY,"
			 " applied_ms BIGINT NOT NULL)",
			 err);
	if (ret && ret != PM_ERR_CONFLICT)
		return ret;
	for (v = (size_t)pm_state_schema_version(st); v < NR_MIGRATIONS; v++) {
		char ver[24], now[24];
		const char *p[2] = { ver, now };

		snprintf(ver, sizeof(ver), "%zu", v + 1);
		pm_state_ms_text(now, pm_state_now_ms());
		ret = pm_db_begin(st->db, err);
		if (!ret)
			ret = pm_db_query(st->db,
					  "INSERT INTO schema_migrations "
					  "(version, applied_ms) VALUES (?, ?)",
					  p, 2, NULL, NULL, err);
		if (!ret)
			ret = pm_db_exec(st->db, migrations[v], err);
		if (!ret)
			ret = pm_db_commit(st->db, err);
		if (ret) {
			pm_db_rollback(st->db);
			if (ret == PM_ERR_CONFLICT &&
			    pm_state_schema_version(st) > (int)v)
				continue; /* another process did it */
			pm_err_prefix(err, ": ");
			pm_err_prefix(err, ver);
			pm_err_prefix(err, "migration ");
			return ret;
		}
	}
	return seed_pools(st, err);
}

enum pm_err pm_state_open(const char *where, struct pm_state **out,
			  struct pm_buf *err)
{
	struct pm_state *st = pm_xcalloc(1, sizeof(*st));
	enum pm_err ret;

	*out = NULL;
	st->retention_days = (int)pm_config_long(PM_CFG_RETENTION_DAYS);
	ret = pm_db_open(where, &st->db, err);
	if (!ret)
		ret = migrate(st, err);
	if (ret) {
		pm_state_close(st);
		return ret;
	}
	*out = st;
	return PM_OK;
}

enum pm_err pm_state_check_url(const char *url, struct pm_buf *err)
{
	return pm_db_check_url(url, err);
}

char *pm_state_dup(const char *s)
{
	return s ? pm_xstrdup(s) : NULL;
}

int pm_state_retention_days(const struct pm_state *st)
{
	return st->retention_days;
}

void pm_state_close(struct pm_state *st)
{
	if (!st)
		return;
	pm_db_close(st->db);
	free(st);
}

/* ------------------------------------------------------------ runs */

void pm_state_ms_text(char *out, int64_t ms)
{
	snprintf(out, 24, "%lld", (long long)ms);
}

/* A new run id: 16 random hex digits, like a short UUID. */
static void new_id(char id[PM_RUN_ID_MAX])
{
	unsigned char b[8];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i;

	if (!f || fread(b, 1, sizeof(b), f) != sizeof(b)) {
		uint64_t x = (uint64_t)pm_state_now_ms() * 6364136223846793005ull ^
			     (uint64_t)getpid();

		for (i = 0; i < sizeof(b); i++, x >>= 8)
			b[i] = (unsigned char)x;
	}
	if (f)
		fclose(f);
	for (i = 0; i < sizeof(b); i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
}

char *pm_state_reason_text(const char *reason)
{
	struct pm_buf b = PM_BUF_INIT;
	size_t n = reason ? strlen(reason) : 0;

	pm_buf_add_printable(&b, reason ? reason : "", n, n);
	return pm_buf_detach(&b, NULL);
}

enum pm_err pm_state_add_history(struct pm_state *st, const char *id,
				 const char *state, const char *reason,
				 const char *now, struct pm_buf *err)
{
	char *why = pm_state_reason_text(reason);
	enum pm_err ret;

	/* PostgreSQL types parameters in a select list only by their casts */
	ret = pm_db_query(st->db,
			  "INSERT INTO run_states (run_id, seq, state, reason, "
			  "at_ms) SELECT CAST(? AS TEXT), COALESCE(MAX(seq), 0) "
			  "+ 1, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS "
			  "BIGINT) FROM run_states WHERE run_id = ?",
			  (const char *const[]){ id, state, why, now, id }, 5,
			  NULL, NULL, err);
	free(why);
	return ret;
}

enum pm_err pm_state_run_create(struct pm_state *st,
				const struct pm_run_new *r,
				char id[PM_RUN_ID_MAX], struct pm_buf *err)
{
	char now[24], sched[24], ver[24], slot[24], attempts[24], lease[24];
	const char *state = pm_run_state_name(r->state);
	enum pm_err ret;

	if (!r->id)
		new_id(id);
	else if (r->id != id)
		snprintf(id, PM_RUN_ID_MAX, "%s", r->id);
	pm_state_ms_text(now, pm_state_now_ms());
	pm_state_ms_text(sched, r->scheduled_ms ? r->scheduled_ms :
						       pm_state_now_ms());
	snprintf(ver, sizeof(ver), "%ld", r->deployment_version);
	snprintf(attempts, sizeof(attempts), "%ld",
		 r->max_attempts > 0 ? r->max_attempts : 1);
	pm_state_ms_text(slot, r->slot_ms);
	pm_state_ms_text(lease, pm_state_now_ms() + r->lease_ms);
	ret = pm_db_begin(st->db, err);
	if (!ret)
		ret = pm_db_query(
			st->db,
			"INSERT INTO flow_runs (id, flow, deployment, pool, "
			"state, state_reason, parameters, created_ms, "
			"scheduled_ms, started_ms, updated_ms, "
			"deployment_version, slot_ms, max_attempts, worker, "
			"lease_ms, heartbeat_ms) VALUES (?, ?, ?, ?, ?, ?, ?, "
			"?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			(const char *const[]){
				id, r->flow, r->deployment, r->pool, state,
				r->reason, r->parameters, now, sched,
				r->state == PM_RUN_RUNNING ? now : NULL, now,
				r->deployment_version ? ver : NULL,
				r->slot_ms ? slot : NULL, attempts, r->owner,
				r->owner ? lease : NULL, r->owner ? now : NULL },
			17, NULL, NULL, err);
	if (!ret)
		ret = pm_state_add_history(st, id, state, r->reason, now, err);
	if (!ret)
		ret = pm_db_commit(st->db, err);
	if (ret)
		pm_db_rollback(st->db);
	return ret;
}

enum pm_err pm_state_run_set(struct pm_state *st, const char *id,
			     enum pm_run_state s, const char *reason,
			     struct pm_buf *err)
{
	return pm_state_run_move(st, id, PM_RUN_NSTATES, s, reason, err);
}

/* The key prefix of the alert a change to s makes, once per run; NULL. */
static const char *alert_prefix(enum pm_run_state s)
{
	switch (s) {
	case PM_RUN_FAILED:
	case PM_RUN_TIMEDOUT:
	case PM_RUN_CRASHED:
		return "run:";
	case PM_RUN_LATE:
		return "late:";
	default:
		return NULL;
	}
}

enum pm_err pm_state_run_move(struct pm_state *st, const char *id,
			      enum pm_run_state from, enum pm_run_state s,
			      const char *reason, struct pm_buf *err)
{
	return pm_state_run_move_at(st, id, 0, from, s, reason, err);
}

enum pm_err pm_state_run_move_at(struct pm_state *st, const char *id,
				 long attempt, enum pm_run_state from,
				 enum pm_run_state s, const char *reason,
				 struct pm_buf *err)
{
	char now[24];
	const char *state = pm_run_state_name(s);
	const char *alert_key = alert_prefix(s);
	struct pm_rows rs = { 0 };
	enum pm_err ret;
	size_t changed = 0;
	char *why;
	int cur;

	pm_state_ms_text(now, pm_state_now_ms());
	reason = why = pm_state_reason_text(reason);
	ret = pm_db_begin(st->db, err);
	if (!ret)
		ret = pm_db_query(st->db,
				  "SELECT state, attempt FROM flow_runs WHERE "
				  "id = ?",
				  (const char *const[]){ id }, 1, &rs, NULL,
				  err);
	if (ret)
		goto out;
	if (!rs.nr) {
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no flow run %s", id);
		goto out;
	}
	if (attempt && strtol(pm_rows_get(&rs, 0, 1), NULL, 10) != attempt) {
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "flow run %s is on attempt %s, not %ld", id,
			      pm_rows_get(&rs, 0, 1), attempt);
		goto out;
	}
	cur = pm_run_state_parse(pm_rows_get(&rs, 0, 0));
	if (from != PM_RUN_NSTATES && cur != (int)from) {
		ret = pm_errf(err, PM_ERR_CONFLICT, "flow run %s is %s, not %s",
			      id, pm_rows_get(&rs, 0, 0),
			      pm_run_state_name(from));
		goto out;
	}
	if (cur >= 0 && pm_run_state_final((enum pm_run_state)cur)) {
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "flow run %s is already %s", id,
			      pm_run_state_name((enum pm_run_state)cur));
		goto out;
	}
	ret = pm_db_query(
		st->db,
		"UPDATE flow_runs SET state = ?, state_reason = ?, "
		"updated_ms = ?, started_ms = CASE WHEN CAST(? AS TEXT) = "
		"'Running' AND started_ms IS NULL THEN CAST(? AS BIGINT) ELSE "
		"started_ms END, ended_ms = CASE WHEN CAST(? AS TEXT) = '1' "
		"THEN CAST(? AS BIGINT) ELSE ended_ms END WHERE id = ? AND "
		"state = ? AND attempt = CAST(? AS INTEGER)",
		(const char *const[]){ state, reason, now, state, now,
				       pm_run_state_final(s) ? "1" : "0", now,
				       id, pm_rows_get(&rs, 0, 0),
				       pm_rows_get(&rs, 0, 1) },
		10, NULL, &changed, err);
	/* the state it was read in, or another process moved it first */
	if (!ret && !changed)
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "flow run %s changed state meanwhile", id);
	if (!ret)
		ret = pm_state_add_history(st, id, state, reason, now, err);
	if (!ret && alert_key)
		ret = pm_state_alert_tx(st, id, state, alert_key, reason, now,
					err);
	if (!ret)
		ret = pm_db_commit(st->db, err);
out:
	if (ret)
		pm_db_rollback(st->db);
	pm_rows_release(&rs);
	free(why);
	return ret;
}

enum pm_err pm_state_log(struct pm_state *st, const char *id,
			 const char *level, const char *task,
			 const char *message, struct pm_buf *err)
{
	char now[24];

	pm_state_ms_text(now, pm_state_now_ms());
	return pm_db_query(st->db,
			   "INSERT INTO run_logs (run_id, seq, at_ms, level, "
			   "task, message) SELECT CAST(? AS TEXT), "
			   "COALESCE(MAX(seq), 0) + 1, CAST(? AS BIGINT), "
			   "CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT) "
			   "FROM run_logs WHERE run_id = ?",
			   (const char *const[]){ id, now, level, task, message,
						  id },
			   6, NULL, NULL, err);
}

enum pm_err pm_state_prune(struct pm_state *st, int days, size_t *runs,
			   size_t *logs, struct pm_buf *err)
{
	char cut[24];
	enum pm_err ret;
	size_t n;

	*runs = *logs = 0;
	pm_state_ms_text(cut, pm_state_now_ms() - (int64_t)days * 86400000);
	ret = pm_db_begin(st->db, err);
	if (!ret)
		ret = pm_db_query(st->db,
				  "DELETE FROM run_logs WHERE at_ms < ?",
				  (const char *const[]){ cut }, 1, NULL, logs,
				  err);
	if (!ret)
		ret = pm_db_query(
			st->db, "DELETE FROM alerts WHERE created_ms < ?",
			(const char *const[]){ cut }, 1, NULL, NULL, err);
	/* states and logs of a deleted run go with it (ON DELETE CASCADE) */
	if (!ret)
		ret = pm_db_query(st->db,
				  "DELETE FROM flow_runs WHERE ended_ms < ?",
				  (const char *const[]){ cut }, 1, NULL, &n,
				  err);
	if (!ret) {
		*runs = n;
		ret = pm_db_commit(st->db, err);
	}
	if (ret)
		pm_db_rollback(st->db);
	return ret;
}

/* ------------------------------------------------------------ pools */

enum pm_err pm_state_pool_create(struct pm_state *st, const char *name,
				 const char *type, struct pm_buf *err)
{
	char now[24];

	pm_state_ms_text(now, pm_state_now_ms());
	return pm_db_query(st->db,
			   "INSERT INTO pools (name, type, created_ms) "
			   "VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
			   (const char *const[]){ name, type, now }, 3, NULL,
			   NULL, err);
}

enum pm_err pm_state_pool_pause(struct pm_state *st, const char *name,
				int paused, struct pm_buf *err)
{
	size_t changed = 0;
	enum pm_err ret;

	ret = pm_db_query(st->db, "UPDATE pools SET paused = ? WHERE name = ?",
			  (const char *const[]){ paused ? "1" : "0", name }, 2,
			  NULL, &changed, err);
	if (!ret && !changed)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no pool %s", name);
	return ret;
}

enum pm_err pm_state_ping(struct pm_state *st, struct pm_buf *err)
{
	return pm_db_query(st->db, "SELECT 1", NULL, 0, NULL, NULL, err);
}
