/*
 * The state database front end: opening by URL or path, the statement
 * cache, '?' placeholders turned into PostgreSQL's $n, transactions.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "db-int.h"

void pm_rows_release(struct pm_rows *rs)
{
	size_t i;

	for (i = 0; i < rs->nr * rs->cols; i++)
		free(rs->cell[i]);
	free(rs->cell);
	memset(rs, 0, sizeof(*rs));
}

char **pm_rows_add(struct pm_rows *rs, size_t cols)
{
	rs->cols = cols;
	rs->cell = pm_xrealloc(rs->cell,
			       (rs->nr + 1) * (cols ? cols : 1) * sizeof(char *));
	memset(rs->cell + rs->nr * cols, 0, cols * sizeof(char *));
	return rs->cell + rs->nr++ * cols;
}

static int is_postgres_url(const char *where)
{
	return !strncmp(where, "postgres://", 11) ||
	       !strncmp(where, "postgresql://", 13);
}

/* libpq's key=value settings: "host=... dbname=...". */
static int is_conninfo(const char *where)
{
	const char *p = where + strspn(where, " \t");
	size_t key = strspn(p, "abcdefghijklmnopqrstuvwxyz_");

	return key && p[key + strspn(p + key, " \t")] == '=';
}

enum pm_err pm_db_check_url(const char *url, struct pm_buf *err)
{
	size_t scheme = strspn(url, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");

	if (is_postgres_url(url) || is_conninfo(url))
		return PM_OK;
	/* only the scheme is shown: the rest may hold a password */
	if (scheme && scheme < 32 && !strncmp(url + scheme, "://", 3))
		return pm_errf(err, PM_ERR_USAGE,
			       "PM25_DATABASE_URL: scheme '%.*s' is not "
			       "PostgreSQL (postgresql://user@host:port/db, or "
			       "libpq key=value settings); unset it for SQLite "
			       "in PM25_HOME",
			       (int)scheme, url);
	return pm_errf(err, PM_ERR_USAGE,
		       "PM25_DATABASE_URL is neither a postgresql:// URL nor "
		       "libpq key=value settings; unset it for SQLite in "
		       "PM25_HOME");
}

enum pm_err pm_db_open(const char *where, struct pm_db **out,
		       struct pm_buf *err)
{
	struct pm_db *db = pm_xcalloc(1, sizeof(*db));
	enum pm_err ret;

	db->ops = is_postgres_url(where) || is_conninfo(where) ?
			  &pm_db_postgres_ops :
			  &pm_db_sqlite_ops;
	ret = db->ops->open(db, where, err);
	if (ret) {
		free(db);
		db = NULL;
	}
	*out = db;
	return ret;
}

void pm_db_close(struct pm_db *db)
{
	size_t i;

	if (!db)
		return;
	db->ops->close(db);
	for (i = 0; i < db->nr_sql; i++)
		free(db->sql[i]);
	free(db->sql);
	free(db);
}

enum pm_db_kind pm_db_kind(const struct pm_db *db)
{
	return db->ops->kind;
}

/* sql with each '?' outside quotes as $1, $2, ... */
static char *dollar_params(const char *sql)
{
	struct pm_buf b = PM_BUF_INIT;
	int n = 0;
	char quote = 0;

	for (; *sql; sql++) {
		if (quote) {
			quote = *sql == quote ? 0 : quote;
		} else if (*sql == '\'' || *sql == '"') {
			quote = *sql;
		} else if (*sql == '?') {
			pm_buf_addf(&b, "$%d", ++n);
			continue;
		}
		pm_buf_addch(&b, *sql);
	}
	return pm_buf_detach(&b, NULL);
}

/*
 * After the connection was lost: connect again, forgetting the
 * statements prepared on the old one. Only outside a transaction, whose
 * work went with the connection: its caller sees the error and rolls
 * back.
 */
static enum pm_err reconnect(struct pm_db *db, struct pm_buf *err)
{
	enum pm_err ret;
	size_t i;

	if (!db->ops->reconnect || db->in_tx)
		return PM_ERR_NET;
	ret = db->ops->reconnect(db, err);
	if (ret)
		return ret;
	for (i = 0; i < db->nr_sql; i++)
		free(db->sql[i]);
	db->nr_sql = 0;
	db->broken = 0;
	db->reconnects++;
	return PM_OK;
}

static enum pm_err query_once(struct pm_db *db, const char *sql,
			      const char *const *params, size_t n,
			      struct pm_rows *rows, size_t *changed,
			      struct pm_buf *err)
{
	size_t k;
	enum pm_err ret;

	if (rows)
		memset(rows, 0, sizeof(*rows));
	if (changed)
		*changed = 0;
	for (k = 0; k < db->nr_sql; k++)
		if (!strcmp(db->sql[k], sql))
			break;
	if (k == db->nr_sql) {
		char *text = db->ops->kind == PM_DB_POSTGRES ?
				     dollar_params(sql) :
				     pm_xstrdup(sql);

		ret = db->ops->prepare(db, k, text, err);
		free(text);
		if (ret)
			return ret;
		PM_ALLOC_GROW(db->sql, db->nr_sql + 1, db->alloc_sql);
		db->sql[db->nr_sql++] = pm_xstrdup(sql);
	}
	ret = db->ops->run(db, k, params, n, rows, changed, err);
	if (ret && rows)
		pm_rows_release(rows);
	return ret;
}

/*
 * Run call; when the connection turns out lost outside a transaction,
 * connect again and run it once more.
 */
#define WITH_RECONNECT(db, err, call)                                         \
	do {                                                                  \
		if ((db)->broken && !(db)->in_tx)                             \
			ret = reconnect(db, err);                             \
		else                                                          \
			ret = PM_OK;                                          \
		if (!ret)                                                     \
			ret = call;                                           \
		if (ret == PM_ERR_NET && !(db)->in_tx &&                      \
		    (db)->ops->reconnect) {                                   \
			(db)->broken = 1;                                     \
			if (!reconnect(db, NULL)) {                           \
				if (err)                                      \
					pm_buf_reset(err);                    \
				ret = call;                                   \
			}                                                     \
		}                                                             \
		if (ret == PM_ERR_NET && (db)->ops->reconnect)                \
			(db)->broken = 1;                                     \
	} while (0)

enum pm_err pm_db_query(struct pm_db *db, const char *sql,
			const char *const *params, size_t n,
			struct pm_rows *rows, size_t *changed,
			struct pm_buf *err)
{
	enum pm_err ret;

	/* the rows are empty, whatever happens */
	if (rows)
		memset(rows, 0, sizeof(*rows));
	if (changed)
		*changed = 0;
	WITH_RECONNECT(db, err,
		       query_once(db, sql, params, n, rows, changed, err));
	return ret;
}

enum pm_err pm_db_exec(struct pm_db *db, const char *sql, struct pm_buf *err)
{
	enum pm_err ret;

	WITH_RECONNECT(db, err, db->ops->exec(db, sql, err));
	return ret;
}

enum pm_err pm_db_begin(struct pm_db *db, struct pm_buf *err)
{
	enum pm_err ret;

	WITH_RECONNECT(db, err, db->ops->exec(db, db->ops->begin_sql, err));
	db->in_tx = !ret;
	return ret;
}

enum pm_err pm_db_commit(struct pm_db *db, struct pm_buf *err)
{
	enum pm_err ret = db->ops->exec(db, "COMMIT", err);

	if (ret == PM_ERR_NET && db->ops->reconnect)
		db->broken = 1;
	if (!ret)
		db->in_tx = 0;
	return ret;
}

void pm_db_rollback(struct pm_db *db)
{
	if (!db->broken)
		db->ops->exec(db, "ROLLBACK", NULL);
	db->in_tx = 0;
}

unsigned long pm_db_reconnects(const struct pm_db *db)
{
	return db->reconnects;
}
