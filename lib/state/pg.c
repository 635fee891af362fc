/*
 * The PostgreSQL state driver over libpq: one connection, statements
 * prepared once as s0, s1, ... with PQprepare and run with
 * PQexecPrepared, text in and text out. A lost connection is reported
 * as PM_ERR_NET, and db.c connects again (PQreset) on the next call
 * outside a transaction.
 */
#include "../compat.h"
#include <libpq-fe.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/dl.h"
#include "db-int.h"

static void quiet(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res; /* notices (e.g. "relation exists") are not errors */
}

static enum pm_err fail(PGconn *c, PGresult *r, const char *what,
			struct pm_buf *err)
{
	const char *state =
		r ? DL_PQ(PQresultErrorField)(r, PG_DIAG_SQLSTATE) : NULL;
	enum pm_err e = PM_ERR_IO;
	char msg[512];

	/* 23xxx: integrity; 40001/40P01: serialisation, deadlock */
	if (state && (!strncmp(state, "23", 2) || !strcmp(state, "40001") ||
		      !strcmp(state, "40P01")))
		e = PM_ERR_CONFLICT;
	else if (DL_PQ(PQstatus)(c) != CONNECTION_OK)
		e = PM_ERR_NET;
	snprintf(msg, sizeof(msg), "%s", DL_PQ(PQerrorMessage)(c));
	msg[strcspn(msg, "\n")] = '\0';
	if (r)
		DL_PQ(PQclear)(r);
	return pm_errf(err, e, "postgres: %s: %s", what, msg);
}

/*
 * Connect to where (a URL or key=value string). Two defaults keep an
 * idle worker small, and each yields to the user's own setting:
 * GSSAPI encryption is off unless PGGSSENCMODE or the URL asks for it
 * (trying it wakes all of Kerberos), and GnuTLS, which libpq's LDAP
 * brings along, is not initialised when loaded, only when LDAP uses it.
 */
static PGconn *connect_db(const char *where)
{
	const char *keys[] = { "gssencmode", "dbname", NULL };
	const char *vals[] = { "disable", where, NULL };
	int skip = getenv("PGGSSENCMODE") != NULL;

	if (!pm_dl_loaded(&pm_dl_pq))
		setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0);
	/* later entries win: the URL's own gssencmode beats ours */
	return DL_PQ(PQconnectdbParams)(keys + skip, vals + skip, 1);
}

static enum pm_err pg_open(struct pm_db *db, const char *where,
			   struct pm_buf *err)
{
	PGconn *c = connect_db(where);

	if (DL_PQ(PQstatus)(c) != CONNECTION_OK) {
		/* the URL may hold a password: name only the failure */
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", DL_PQ(PQerrorMessage)(c));
		msg[strcspn(msg, "\n")] = '\0';
		DL_PQ(PQfinish)(c);
		return pm_errf(err, PM_ERR_NET,
			       "postgres: cannot connect: %s", msg);
	}
	DL_PQ(PQsetNoticeReceiver)(c, quiet, NULL);
	db->priv = c;
	return PM_OK;
}

static void pg_close(struct pm_db *db)
{
	DL_PQ(PQfinish)(db->priv);
}

static enum pm_err pg_prepare(struct pm_db *db, size_t k, const char *sql,
			      struct pm_buf *err)
{
	PGconn *c = db->priv;
	PGresult *r;
	char name[32];

	snprintf(name, sizeof(name), "s%zu", k);
	r = DL_PQ(PQprepare)(c, name, sql, 0, NULL);
	if (DL_PQ(PQresultStatus)(r) != PGRES_COMMAND_OK)
		return fail(c, r, "prepare", err);
	DL_PQ(PQclear)(r);
	return PM_OK;
}

static enum pm_err pg_run(struct pm_db *db, size_t k,
			  const char *const *params, size_t n,
			  struct pm_rows *rows, size_t *changed,
			  struct pm_buf *err)
{
	PGconn *c = db->priv;
	PGresult *r;
	char name[32];
	int i, j, st;

	snprintf(name, sizeof(name), "s%zu", k);
	r = DL_PQ(PQexecPrepared)(c, name, (int)n, params, NULL, NULL, 0);
	st = DL_PQ(PQresultStatus)(r);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return fail(c, r, "query", err);
	if (rows) {
		int nr = DL_PQ(PQntuples)(r), cols = DL_PQ(PQnfields)(r);

		for (i = 0; i < nr; i++) {
			char **cell = pm_rows_add(rows, (size_t)cols);

			for (j = 0; j < cols; j++)
				cell[j] = DL_PQ(PQgetisnull)(r, i, j) ?
						  NULL :
						  pm_xstrdup(DL_PQ(PQgetvalue)(
							  r, i, j));
		}
		rows->cols = (size_t)cols;
	}
	if (changed && *DL_PQ(PQcmdTuples)(r))
		*changed = (size_t)strtoull(DL_PQ(PQcmdTuples)(r), NULL, 10);
	DL_PQ(PQclear)(r);
	return PM_OK;
}

static enum pm_err pg_exec(struct pm_db *db, const char *sql,
			   struct pm_buf *err)
{
	PGconn *c = db->priv;
	PGresult *r = DL_PQ(PQexec)(c, sql);

	if (DL_PQ(PQresultStatus)(r) != PGRES_COMMAND_OK &&
	    DL_PQ(PQresultStatus)(r) != PGRES_TUPLES_OK)
		return fail(c, r, "exec", err);
	DL_PQ(PQclear)(r);
	return PM_OK;
}

/* PQreset() connects again with the same parameters. */
static enum pm_err pg_reconnect(struct pm_db *db, struct pm_buf *err)
{
	PGconn *c = db->priv;
	char msg[512];

	DL_PQ(PQreset)(c);
	if (DL_PQ(PQstatus)(c) == CONNECTION_OK)
		return PM_OK;
	snprintf(msg, sizeof(msg), "%s", DL_PQ(PQerrorMessage)(c));
	msg[strcspn(msg, "\n")] = '\0';
	return pm_errf(err, PM_ERR_NET, "postgres: cannot connect: %s", msg);
}

const struct pm_db_ops pm_db_postgres_ops = {
	.kind = PM_DB_POSTGRES,
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.run = pg_run,
	.exec = pg_exec,
	.reconnect = pg_reconnect,
	.begin_sql = "BEGIN",
};
