/*
 * HTTP GET through libcurl with timeouts, retries (timeouts, 429 and 5xx
 * only) with capped exponential backoff and jitter, gzip, a User-Agent
 * and a cap on the body size. file:// URLs read local recordings.
 */
#ifndef PM25_HTTP_H
#define PM25_HTTP_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_buf;

struct pm_http_opts {
	long connect_timeout_ms; /* default 10 s */
	long timeout_ms;	 /* whole request, default 60 s */
	int max_tries;		 /* default 4 */
	long backoff_ms;	 /* first retry delay, default 500 ms */
	long backoff_cap_ms;	 /* longest delay, default 30 s */
	size_t max_body;	 /* default 64 MiB */
	const char *user_agent;	 /* borrowed; default "pm25/VERSION" */
	const char *const *headers; /* borrowed, NULL-terminated, or NULL */
	/*
	 * Borrowed, or NULL: once *cancel is non-zero (another thread sets
	 * it) a request in flight ends within a second, PM_ERR_NET.
	 */
	const volatile int *cancel;
};

#define PM_HTTP_OPTS_INIT                                                     \
	{ 10000, 60000, 4, 500, 30000, 64u << 20, NULL, NULL, NULL }

struct pm_http_result {
	long status; /* last HTTP status, 200 for file:// */
	int tries;
	double seconds;
};

/*
 * GET url into body (appending). On failure err names the URL, with any
 * token or key in its query redacted. Codes: PM_ERR_TIMEOUT, PM_ERR_NET
 * (cannot connect, or 429/5xx after every try), PM_ERR_HTTP (other
 * status), PM_ERR_LIMIT (body too large), PM_ERR_PARSE (truncated body),
 * PM_ERR_NOTFOUND/PM_ERR_IO (file://).
 */
enum pm_err pm_http_get(const char *url, const struct pm_http_opts *o,
			struct pm_buf *body, struct pm_http_result *res,
			struct pm_buf *err);

/* A request with any method, body and basic authentication. */
struct pm_http_req {
	const char *method;	    /* "GET", "POST", "PUT", "DELETE" */
	const char *url;
	const char *const *headers; /* NULL-terminated, or NULL */
	const void *body;	    /* borrowed, or NULL */
	size_t body_len;
	const char *userpwd;	    /* "user:password" for basic auth */
};

/*
 * Send rq; the response body is appended to out and its status stored in
 * *status. Any HTTP status is PM_OK here: the caller reads it. Transport
 * failures are errors as for pm_http_get(). Timeouts, 429 and 5xx are
 * retried only for GET, PUT and DELETE, which are idempotent.
 */
enum pm_err pm_http_request(const struct pm_http_req *rq,
			    const struct pm_http_opts *o, struct pm_buf *out,
			    long *status, struct pm_buf *err);

/*
 * Copy url into out with secrets hidden: the password of user:password@
 * and the values of token=, key=, api_key= and apikey=.
 */
void pm_http_redact(const char *url, struct pm_buf *out);

/*
 * libcurl's process-wide set-up and tear-down, once each, before any
 * thread starts and after every one ends.
 */
void pm_http_global_init(void);
void pm_http_global_cleanup(void);

/* One GET of a set done in parallel by pm_http_get_all(). */
struct pm_http_job {
	const char *url;	   /* borrowed */
	struct pm_buf *body;	   /* borrowed: the body is appended */
	enum pm_err err;	   /* out: as pm_http_get() would return */
	struct pm_buf *why;	   /* borrowed: the error's text */
	struct pm_http_result res; /* out */
	/* private to pm_http_get_all() */
	double not_before;
	size_t start;
};

/*
 * GET every job, at most concurrency at a time, starting two requests
 * to one host at least interval_ms apart; each with o's timeouts,
 * retries (with backoff, while the others go on), size limit and
 * headers. Each job has its own outcome; this fails only when libcurl
 * cannot start (PM_ERR_NET in err, every job untouched).
 */
enum pm_err pm_http_get_all(struct pm_http_job *jobs, size_t n,
			    const struct pm_http_opts *o, int concurrency,
			    long interval_ms, struct pm_buf *err);

/* Delay before retry number n (1-based): capped doubling with jitter. */
long pm_http_backoff(const struct pm_http_opts *o, int n, unsigned *seed);

#endif
