/*
 * The SQLite state driver: one connection in WAL mode with a busy
 * timeout, so that several processes (workers, the scheduler, pm25 run)
 * share one state.db; statements prepared once with sqlite3_prepare_v3.
 */
#include "pm25/compat.h"
#include <sqlite3.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "db-int.h"

/* How long a statement waits for another process's lock. */
static int busy_ms(void)
{
	return (int)pm_config_long(PM_CFG_SQLITE_BUSY_MS);
}

struct lite {
	sqlite3 *h;
	sqlite3_stmt **st;
	size_t nr, alloc;
};

/*
 * A lock held past the busy timeout means the database does not answer
 * (PM_ERR_NET, exit 4), as a PostgreSQL server that is down would; a
 * constraint is a conflict; a full disk says so.
 */
static enum pm_err fail(sqlite3 *h, int rc, const char *what,
			struct pm_buf *err)
{
	int base = rc & 0xff;
	const char *msg = h ? sqlite3_errmsg(h) : sqlite3_errstr(rc);

	if (base == SQLITE_BUSY || base == SQLITE_LOCKED)
		return pm_errf(err, PM_ERR_NET,
			       "state.db: %s: %s (another process held it for "
			       "more than %d ms)",
			       what, msg, busy_ms());
	if (base == SQLITE_FULL)
		return pm_errf(err, PM_ERR_IO,
			       "state.db: %s: no space left on the disk holding "
			       "%s (%s)",
			       what,
			       h && sqlite3_db_filename(h, "main") ?
				       sqlite3_db_filename(h, "main") :
				       "the state database",
			       msg);
	return pm_errf(err,
		       base == SQLITE_CONSTRAINT ? PM_ERR_CONFLICT : PM_ERR_IO,
		       "state.db: %s: %s", what, msg);
}

static enum pm_err lite_open(struct pm_db *db, const char *where,
			     struct pm_buf *err)
{
	struct lite *l = pm_xcalloc(1, sizeof(*l));
	int rc = sqlite3_open_v2(where, &l->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					 SQLITE_OPEN_NOMUTEX,
				 NULL);
	enum pm_err ret = PM_OK;
	int tries;

	if (rc) {
		ret = fail(l->h, rc, where, err);
		goto out;
	}
	sqlite3_busy_timeout(l->h, busy_ms());
	/*
	 * WAL lets readers and one writer share the file. Switching to it
	 * needs the file to itself and does not wait on the busy handler,
	 * so a process opening a new state.db beside another one retries.
	 */
	for (tries = 0; tries < 400; tries++) {
		rc = sqlite3_exec(l->h, "PRAGMA journal_mode=WAL", NULL, NULL,
				  NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		sqlite3_sleep(25);
	}
	if (!rc)
		rc = sqlite3_exec(l->h,
				  "PRAGMA synchronous=NORMAL; "
				  "PRAGMA foreign_keys=ON;",
				  NULL, NULL, NULL);
	if (rc)
		ret = fail(l->h, rc, where, err);
out:
	if (ret) {
		sqlite3_close(l->h);
		free(l);
		return ret;
	}
	db->priv = l;
	return PM_OK;
}

static void lite_close(struct pm_db *db)
{
	struct lite *l = db->priv;
	size_t i;

	for (i = 0; i < l->nr; i++)
		sqlite3_finalize(l->st[i]);
	free(l->st);
	sqlite3_close(l->h);
	free(l);
}

static enum pm_err lite_prepare(struct pm_db *db, size_t k, const char *sql,
				struct pm_buf *err)
{
	struct lite *l = db->priv;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(l->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
				    &st, NULL);

	if (rc)
		return fail(l->h, rc, "prepare", err);
	PM_ALLOC_GROW(l->st, k + 1, l->alloc);
	l->st[k] = st;
	l->nr = k + 1;
	return PM_OK;
}

static enum pm_err lite_run(struct pm_db *db, size_t k,
			    const char *const *params, size_t n,
			    struct pm_rows *rows, size_t *changed,
			    struct pm_buf *err)
{
	struct lite *l = db->priv;
	sqlite3_stmt *st = l->st[k];
	enum pm_err ret = PM_OK;
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		rc = params[i] ? sqlite3_bind_text(st, (int)i + 1, params[i], -1,
						   SQLITE_TRANSIENT) :
				 sqlite3_bind_null(st, (int)i + 1);
		if (rc) {
			ret = fail(l->h, rc, "bind", err);
			goto out;
		}
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int c, cols = sqlite3_column_count(st);
		char **cell;

		if (!rows)
			continue;
		cell = pm_rows_add(rows, (size_t)cols);
		for (c = 0; c < cols; c++) {
			const unsigned char *v = sqlite3_column_text(st, c);

			cell[c] = v ? pm_xstrdup((const char *)v) : NULL;
		}
	}
	if (rc != SQLITE_DONE)
		ret = fail(l->h, rc, "step", err);
	else if (changed)
		*changed = (size_t)sqlite3_changes(l->h);
out:
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return ret;
}

static enum pm_err lite_exec(struct pm_db *db, const char *sql,
			     struct pm_buf *err)
{
	struct lite *l = db->priv;
	int rc = sqlite3_exec(l->h, sql, NULL, NULL, NULL);

	return rc ? fail(l->h, rc, "exec", err) : PM_OK;
}

const struct pm_db_ops pm_db_sqlite_ops = {
	.kind = PM_DB_SQLITE,
	.open = lite_open,
	.close = lite_close,
	.prepare = lite_prepare,
	.run = lite_run,
	.exec = lite_exec,
	.begin_sql = "BEGIN IMMEDIATE",
};
