/*
 * The PostgreSQL state driver over libpq: one connection, statements
 * prepared once as s0, s1, ... with PQprepare and run with
 * PQexecPrepared, text in and text out. A lost connection is reported
 * as PM_ERR_NET, and db.c connects again (PQreset) on the next call
 * outside a transaction.
 */
#include "pm25/compat.h"
#include <libpq-fe.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/dl.h"
#include "pm25/url.h"
#include "db-int.h"

static void quiet(void *arg, const PGresult *res)
{
	(void)arg;
	(void)res; /* notices (e.g. "relation exists") are not errors */
}

/* Replace each occurrence of secret (n bytes) in msg by with. */
static void hide_as(char *msg, size_t size, const char *secret, size_t n,
		    const char *with)
{
	struct pm_buf b = PM_BUF_INIT;
	const char *p = msg, *hit;

	if (!n)
		return;
	while ((hit = memmem(p, strlen(p), secret, n)) != NULL) {
		pm_buf_add(&b, p, (size_t)(hit - p));
		pm_buf_addstr(&b, with);
		p = hit + n;
	}
	pm_buf_addstr(&b, p);
	snprintf(msg, size, "%s", b.buf);
	pm_buf_release(&b);
}

static void hide(char *msg, size_t size, const char *secret, size_t n)
{
	hide_as(msg, size, secret, n, "***");
}

/* (ptr, len) with %XX escapes undone, into out. */
static void percent_decode(const char *p, size_t n, struct pm_buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && isxdigit((unsigned char)p[i + 1]) &&
		    isxdigit((unsigned char)p[i + 2])) {
			char hex[3] = { p[i + 1], p[i + 2], 0 };

			pm_buf_addch(out, (char)strtol(hex, NULL, 16));
			i += 2;
		} else {
			pm_buf_addch(out, p[i]);
		}
	}
}

/*
 * libpq's messages may quote the connection string, and so the password
 * in it: the whole string is named by its variable, and the password,
 * as written and decoded, is hidden wherever it still shows.
 */
static void scrub(char *msg, size_t size, const char *where)
{
	struct pm_buf pw = PM_BUF_INIT;
	const char *kv;
	size_t off, len;

	hide_as(msg, size, where, strlen(where), "$PM25_DATABASE_URL");
	if (strstr(where, "://")) {
		if (!pm_url_password(where, &off, &len)) {
			hide(msg, size, where + off, len);
			percent_decode(where + off, len, &pw);
			hide(msg, size, pw.buf, pw.len);
		}
	} else if ((kv = strstr(where, "password")) != NULL) {
		/* key=value settings: password = value, maybe quoted */
		const char *v = kv + 8;
		size_t n;

		v += strspn(v, " \t");
		if (*v == '=') {
			v++;
			v += strspn(v, " \t'");
			n = strcspn(v, " \t'");
			hide(msg, size, v, n);
		}
	}
	pm_buf_release(&pw);
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
	PQconninfoOption *opts;
	char *why = NULL;
	PGconn *c;

	/* before libpq loads: see connect_db() */
	if (!pm_dl_loaded(&pm_dl_pq))
		setenv("GNUTLS_NO_IMPLICIT_INIT", "1", 0);
	/* a string that does not parse is a mistake, not a server down */
	opts = DL_PQ(PQconninfoParse)(where, &why);
	if (!opts) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", why ? why : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		scrub(msg, sizeof(msg), where);
		DL_PQ(PQfreemem)(why);
		return pm_errf(err, PM_ERR_USAGE,
			       "PM25_DATABASE_URL is not a connection string "
			       "libpq can read: %s",
			       msg);
	}
	DL_PQ(PQconninfoFree)(opts);
	c = connect_db(where);

	if (!c || DL_PQ(PQstatus)(c) != CONNECTION_OK) {
		/* the URL may hold a password: name only the failure */
		char msg[512];

		snprintf(msg, sizeof(msg), "%s",
			 c ? DL_PQ(PQerrorMessage)(c) : "out of memory");
		msg[strcspn(msg, "\n")] = '\0';
		scrub(msg, sizeof(msg), where);
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
