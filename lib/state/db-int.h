/*
 * The state database driver interface. pm_db_*() in db.c keep the
 * statement cache and call the driver; drivers keep their connection
 * and prepared statements behind priv.
 */
#ifndef PM25_DB_INT_H
#define PM25_DB_INT_H

#include "db.h"

struct pm_db_ops {
	enum pm_db_kind kind;
	enum pm_err (*open)(struct pm_db *db, const char *where,
			    struct pm_buf *err);
	void (*close)(struct pm_db *db);
	/* Prepare sql (in the driver's own placeholder style) as number k. */
	enum pm_err (*prepare)(struct pm_db *db, size_t k, const char *sql,
			       struct pm_buf *err);
	/* Run prepared statement k. */
	enum pm_err (*run)(struct pm_db *db, size_t k,
			   const char *const *params, size_t n,
			   struct pm_rows *rows, size_t *changed,
			   struct pm_buf *err);
	enum pm_err (*exec)(struct pm_db *db, const char *sql,
			    struct pm_buf *err);
	/*
	 * Connect again after the connection was lost (PM_ERR_NET); every
	 * prepared statement is gone. NULL when the driver has no
	 * connection to lose.
	 */
	enum pm_err (*reconnect)(struct pm_db *db, struct pm_buf *err);
	const char *begin_sql;
};

struct pm_db {
	const struct pm_db_ops *ops;
	void *priv;
	/* the statement cache: the SQL text of statement k */
	char **sql; /* owned */
	size_t nr_sql, alloc_sql;
	int in_tx;  /* between begin and commit or rollback */
	int broken; /* the last call lost the connection */
	unsigned long reconnects; /* connections made again */
};

extern const struct pm_db_ops pm_db_sqlite_ops;
extern const struct pm_db_ops pm_db_postgres_ops;

/* Grow rows to hold one more row of cols cells; the new row's cells. */
char **pm_rows_add(struct pm_rows *rs, size_t cols);

#endif
