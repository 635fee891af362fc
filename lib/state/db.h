/*
 * The state database: one small SQL interface over SQLite (the default,
 * PM25_HOME/state.db) and PostgreSQL (a "postgres://" or "postgresql://"
 * URL). SQL is written once with '?' placeholders; every statement is
 * prepared on first use and kept for the connection's life. Values go in
 * and come out as text (NULL for SQL NULL), which both engines convert
 * exactly for the integers and short strings the state tables hold.
 * Private to lib/state/: everyone else reads records (pm25/records.h).
 */
#ifndef PM25_DB_H
#define PM25_DB_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_db;

enum pm_db_kind { PM_DB_SQLITE, PM_DB_POSTGRES };

/* The rows of one result; cells are owned, NULL for SQL NULL. */
struct pm_rows {
	size_t nr, cols;
	char **cell; /* nr * cols */
};

/* Cell (r, c) of rows, or NULL. */
static inline const char *pm_rows_get(const struct pm_rows *rs, size_t r,
				      size_t c)
{
	return r < rs->nr && c < rs->cols ? rs->cell[r * rs->cols + c] : NULL;
}

void pm_rows_release(struct pm_rows *rs);

/*
 * Open where: a PostgreSQL URL, or a SQLite file path (created). On
 * failure *out is NULL and err says why (PM_ERR_NET when the
 * server does not answer).
 */
enum pm_err pm_db_open(const char *where, struct pm_db **out,
		       struct pm_buf *err);
void pm_db_close(struct pm_db *db);
/*
 * Whether url can name a PostgreSQL database: a postgres:// or
 * postgresql:// URL, or libpq key=value settings. Else PM_ERR_USAGE,
 * and err says so without the value, which may hold a password.
 */
enum pm_err pm_db_check_url(const char *url, struct pm_buf *err);
enum pm_db_kind pm_db_kind(const struct pm_db *db);

/*
 * Run sql with the n parameters (text, NULL for SQL NULL); rows may be
 * NULL when no result is wanted. *changed (may be NULL) gets the number
 * of rows inserted, updated or deleted. PM_ERR_CONFLICT on a unique or
 * serialisation conflict, PM_ERR_NET when the connection is
 * gone, PM_ERR_IO otherwise.
 */
enum pm_err pm_db_query(struct pm_db *db, const char *sql,
			const char *const *params, size_t n,
			struct pm_rows *rows, size_t *changed,
			struct pm_buf *err);

/*
 * A connection that was lost (a PostgreSQL server restarted) is made
 * again on the next call outside a transaction, and that call is run
 * once more; within a transaction the error comes back (its work is
 * gone) and the caller rolls back. How many times it was made again.
 */
unsigned long pm_db_reconnects(const struct pm_db *db);

/* Run statements without parameters or results (migrations). */
enum pm_err pm_db_exec(struct pm_db *db, const char *sql, struct pm_buf *err);

/* A write transaction (SQLite takes the write lock at once). */
enum pm_err pm_db_begin(struct pm_db *db, struct pm_buf *err);
enum pm_err pm_db_commit(struct pm_db *db, struct pm_buf *err);
void pm_db_rollback(struct pm_db *db);

#endif
