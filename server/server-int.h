/*
 * Inside the server: a request as a route sees it, the routes table,
 * and the helpers handlers share. Internal to server/.
 */
#ifndef PM25_SERVER_INT_H
#define PM25_SERVER_INT_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include "pm25/buf.h"
#include "pm25/err.h"

struct pm_home;
struct pm_state;

#define SRV_MAX_PARAMS 4
#define SRV_MAX_BODY (1u << 20)

/* The server's own counters, for /metrics. */
#define SRV_NBUCKETS 10
#define SRV_MAX_ROUTES 96
#define SRV_NCODES 13 /* 200 201 303 400 401 403 404 405 409 413 422 500 503 */

struct srv_stats {
	pthread_mutex_t lock;
	/* per route (index in srv_routes; the last for no route) */
	unsigned long requests[SRV_MAX_ROUTES + 1][SRV_NCODES];
	unsigned long le[SRV_MAX_ROUTES + 1][SRV_NBUCKETS]; /* cumulative */
	unsigned long count[SRV_MAX_ROUTES + 1];
	double sum_s[SRV_MAX_ROUTES + 1];
};

/* The bucket bounds (s) and the codes counted, in order. */
extern const double srv_buckets[SRV_NBUCKETS];
extern const int srv_codes[SRV_NCODES];

/* One request, for its handler. Every pointer is borrowed. */
struct srv_req {
	const char *method, *path;
	const char *param[SRV_MAX_PARAMS]; /* the pattern's {...}, in order */
	char param_buf[512];		   /* their text */
	const char *body;
	size_t body_len;
	struct pm_state *st; /* this thread's connection */
	struct pm_home *home;
	/* a query argument, or NULL */
	const char *(*query)(void *conn, const char *key);
	void *conn;
	struct srv_stats *stats;
	int writes;	     /* the server has a token: it takes writes */
	int signed_in;	     /* the request carries the token or a session */
	const char *token;   /* the server's token, for the login page */
	const char *session; /* the session cookie's value, once signed in */
	volatile sig_atomic_t *stop; /* set when the server stops */
};

/*
 * An answer that goes on (Server-Sent Events): more() appends what
 * there is to b, waiting a little when there is nothing, and says 1
 * when it has ended; done() frees it. The HTTP side calls them.
 */
struct srv_stream {
	int (*more)(struct srv_stream *s, struct pm_buf *b);
	void (*done)(struct srv_stream *s);
};

/* What a handler answers. */
struct srv_resp {
	int status;
	const char *type; /* Content-Type; default application/json */
	struct pm_buf body;
	char location[512]; /* a redirect's target, or "" */
	char cookie[160];   /* a Set-Cookie value, or "" */
	struct srv_stream *stream; /* the body goes on, or NULL */
};

typedef void (*srv_handler)(const struct srv_req *rq, struct srv_resp *out);

enum srv_route_flags {
	SRV_WRITE = 1 << 0, /* changes state: needs the bearer token */
	SRV_BODY = 1 << 1,  /* takes a body */
	SRV_PAGE = 1 << 2,  /* a page of the dashboard: HTML, not in the API */
	SRV_CREATED = 1 << 3, /* answers 201 */
};

struct srv_route {
	const char *method;
	const char *pattern; /* "/api/flow_runs/{id}" */
	srv_handler handler;
	unsigned flags;
	const char *summary; /* for /api/openapi.json */
};

/* The table (server/routes.c), ended by a NULL method. */
extern const struct srv_route srv_routes[];

/*
 * Match path against pattern; the {...} parts go to rq->param. 1 if it
 * matches.
 */
int srv_match(const char *pattern, const char *path, struct srv_req *rq);

/* Equal tokens, in a time that does not depend on where they differ. */
int srv_same_token(const char *a, const char *b);

/* An error answer: {"error": {"code", "message"}}. */
void srv_error(struct srv_resp *out, int status, const char *code,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/*
 * The error code of a library error, as answers carry it, so that a
 * client (the CLI through PM25_API_URL) knows the error it was.
 */
const char *srv_error_code(enum pm_err e);
/* The answer of a library error (404 for NOTFOUND, 503 for NET, ...). */
void srv_fail(struct srv_resp *out, enum pm_err e, const char *text);
/* The home's store name ("data", "model"), or NULL with the answer set. */
struct pm_store *srv_store(const struct srv_req *rq, const char *name,
			   struct srv_resp *out);
/* A query argument as a number in [min, max], else def; -1 if bad. */
int srv_query_long(const struct srv_req *rq, const char *key, long min,
		   long max, long def, long *v);

/*
 * Two refs of the data store compared (server/api-data.c): the files,
 * and for the first day files changed in place, their rows by key.
 */
#include "pm25/store.h"
#include "pm25/upsert.h"

#define SRV_DIFF_ROW_FILES 100

struct srv_diff {
	char from[PM_ID_MAX], to[PM_ID_MAX]; /* resolved */
	struct pm_diff files;
	struct pm_row_diff *rows; /* one per file */
	int *has_rows;
};

/*
 * from (NULL: to's parent) against to (NULL: main). PM_ERR_NOTFOUND
 * for a ref that is not there.
 */
enum pm_err srv_diff_read(struct pm_store *s, const char *from,
			  const char *to, struct srv_diff *d,
			  struct pm_buf *err);
void srv_diff_release(struct srv_diff *d);

/*
 * The newest SRV_QUALITY_MAX quality reports on main and, for each, its
 * run (runs[i], SRV_QUALITY_MAX of them; flow NULL when the state
 * database no longer has it): 0, or -1 with out set
 * (server/api-reports.c).
 */
#define SRV_QUALITY_MAX 200
struct pm_quality_entry;
struct pm_run;
int srv_quality_runs(const struct srv_req *rq, struct pm_quality_entry **v,
		     size_t *n, struct pm_run *runs, struct srv_resp *out);

/* The scheduler and the worker beside the server (server/embedded.c). */
struct srv_embedded {
	pthread_t scheduler, worker;
	int has_scheduler, has_worker;
	void *worker_arg;
};

struct pm_server_opts;
/* Start what o asks for; -1 when out of memory. */
int srv_embedded_start(const struct pm_server_opts *o, struct srv_embedded *e);
/* Wait for both to end (after the stop flag is set). */
void srv_embedded_join(struct srv_embedded *e);

/*
 * server/openapi-schemas.json, parsed once (server/schemas.c): its
 * "components", "responses" (by "METHOD pattern") and "media". NULL if
 * it does not parse. Borrowed.
 */
struct json_t;
struct json_t *srv_schemas(void);

/* The handlers (server/api-*.c). */
void api_healthz(const struct srv_req *rq, struct srv_resp *out);
void api_readyz(const struct srv_req *rq, struct srv_resp *out);
void api_openapi(const struct srv_req *rq, struct srv_resp *out);
void api_runs(const struct srv_req *rq, struct srv_resp *out);
void api_run(const struct srv_req *rq, struct srv_resp *out);
void api_run_logs(const struct srv_req *rq, struct srv_resp *out);
void api_run_cancel(const struct srv_req *rq, struct srv_resp *out);
void api_run_retry(const struct srv_req *rq, struct srv_resp *out);
void api_logs(const struct srv_req *rq, struct srv_resp *out);
void api_deployments(const struct srv_req *rq, struct srv_resp *out);
void api_deployment(const struct srv_req *rq, struct srv_resp *out);
void api_deployment_pause(const struct srv_req *rq, struct srv_resp *out);
void api_deployment_resume(const struct srv_req *rq, struct srv_resp *out);
void api_deployment_run(const struct srv_req *rq, struct srv_resp *out);
void api_deployment_patch(const struct srv_req *rq, struct srv_resp *out);
void api_deployment_rollback(const struct srv_req *rq, struct srv_resp *out);
void api_deployments_apply(const struct srv_req *rq, struct srv_resp *out);
void api_pool_pause(const struct srv_req *rq, struct srv_resp *out);
void api_pool_resume(const struct srv_req *rq, struct srv_resp *out);
void api_data_commits(const struct srv_req *rq, struct srv_resp *out);
void api_data_branches(const struct srv_req *rq, struct srv_resp *out);
void api_data_tree(const struct srv_req *rq, struct srv_resp *out);
void api_data_object(const struct srv_req *rq, struct srv_resp *out);
void api_stations(const struct srv_req *rq, struct srv_resp *out);
void api_pools(const struct srv_req *rq, struct srv_resp *out);
void api_workers(const struct srv_req *rq, struct srv_resp *out);
void api_alerts(const struct srv_req *rq, struct srv_resp *out);
void api_metrics(const struct srv_req *rq, struct srv_resp *out);
void api_run_stream(const struct srv_req *rq, struct srv_resp *out);
void api_data_diff(const struct srv_req *rq, struct srv_resp *out);
void api_quality(const struct srv_req *rq, struct srv_resp *out);
void api_models(const struct srv_req *rq, struct srv_resp *out);
void api_champion(const struct srv_req *rq, struct srv_resp *out);
void api_forecast(const struct srv_req *rq, struct srv_resp *out);

/* The dashboard's pages (server/page-*.c) and its assets. */
void page_overview(const struct srv_req *rq, struct srv_resp *out);
void page_runs(const struct srv_req *rq, struct srv_resp *out);
void page_run(const struct srv_req *rq, struct srv_resp *out);
void page_deployments(const struct srv_req *rq, struct srv_resp *out);
void page_deployment(const struct srv_req *rq, struct srv_resp *out);
void page_pools(const struct srv_req *rq, struct srv_resp *out);
void page_data(const struct srv_req *rq, struct srv_resp *out);
void page_diff(const struct srv_req *rq, struct srv_resp *out);
void page_quality(const struct srv_req *rq, struct srv_resp *out);
void page_stations(const struct srv_req *rq, struct srv_resp *out);
void page_model(const struct srv_req *rq, struct srv_resp *out);
void page_alerts(const struct srv_req *rq, struct srv_resp *out);
void page_login(const struct srv_req *rq, struct srv_resp *out);
void page_login_post(const struct srv_req *rq, struct srv_resp *out);
void page_logout(const struct srv_req *rq, struct srv_resp *out);
void page_css(const struct srv_req *rq, struct srv_resp *out);
void page_js(const struct srv_req *rq, struct srv_resp *out);
/* An error as a page (for SRV_PAGE routes). */
void page_error(const struct srv_req *rq, struct srv_resp *out);

#endif
