/*
 * The one place that talks HTTP. Every source driver fetches through
 * pm_http_get(), so retry and timeout policy is the same everywhere.
 */
#include "pm25/compat.h"
#include <curl/curl.h>
#include <strings.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/dl.h"
#include "pm25/fsutil.h"
#include "pm25/http.h"
#include "pm25/log.h"
#include "pm25/timeutil.h"
#include "pm25/url.h"
#include "pm25/version.h"

void pm_http_redact(const char *url, struct pm_buf *out)
{
	static const char *const keys[] = { "token=", "key=", "api_key=",
					    "apikey=" };
	const char *p = url;
	size_t off, len;

	if (!pm_url_password(url, &off, &len)) {
		/* user:password@ of the authority: the password goes */
		pm_buf_add(out, url, off);
		pm_buf_addstr(out, "***");
		p = url + off + len;
	}
	while (*p) {
		size_t i;
		int hit = 0;

		if (p > url && (p[-1] == '?' || p[-1] == '&')) {
			for (i = 0; i < PM_ARRAY_SIZE(keys); i++) {
				size_t n = strlen(keys[i]);

				if (!strncasecmp(p, keys[i], n)) {
					pm_buf_add(out, p, n);
					pm_buf_addstr(out, "***");
					p += n;
					while (*p && *p != '&' && *p != '#')
						p++;
					hit = 1;
					break;
				}
			}
		}
		if (!hit)
			pm_buf_addch(out, *p++);
	}
}

void pm_http_global_init(void)
{
	DL_CURL(curl_global_init)(CURL_GLOBAL_DEFAULT);
}

void pm_http_global_cleanup(void)
{
	DL_CURL(curl_global_cleanup)();
}

long pm_http_backoff(const struct pm_http_opts *o, int n, unsigned *seed)
{
	long d = o->backoff_ms;
	int i;

	for (i = 1; i < n && d < o->backoff_cap_ms; i++)
		d *= 2;
	if (d > o->backoff_cap_ms)
		d = o->backoff_cap_ms;
	/* equal jitter: half fixed, half random */
	return d / 2 + (long)(rand_r(seed) % (unsigned)(d / 2 + 1));
}

struct sink {
	struct pm_buf *body;
	size_t start;
	int too_big;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct sink *s = arg;

	if (pm_buf_add(s->body, p, size * n)) {
		s->too_big = 1;
		return 0;
	}
	return size * n;
}

static enum pm_err get_file(const char *url, const struct pm_http_opts *o,
			    struct pm_buf *body, struct pm_http_result *res,
			    struct pm_buf *err)
{
	const char *path = url + strlen("file://");
	char *plain = NULL;
	enum pm_err ret;

	/* file://localhost/path and file:///path */
	if (!strncmp(path, "localhost/", 10))
		path += 9;
	plain = strdup(path);
	if (plain)
		plain[strcspn(plain, "?#")] = '\0';
	ret = pm_file_read(plain ? plain : path, o->max_body, body, err);
	free(plain);
	res->status = ret ? 0 : 200;
	res->tries = 1;
	return ret;
}

/* Ends a transfer (non-zero) once its cancel flag is set. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	const volatile int *cancel = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return *cancel != 0;
}

/* The options every request has: headers, limits, where the body goes. */
static void common_opts(CURL *h, const struct pm_http_opts *o,
			struct curl_slist *hdrs, const char *ua,
			struct sink *sink, char *errbuf)
{
	__typeof__(&curl_easy_setopt) set = DL_CURL(curl_easy_setopt);

	set(h, CURLOPT_HTTPHEADER, hdrs);
	set(h, CURLOPT_USERAGENT, o->user_agent ? o->user_agent : ua);
	set(h, CURLOPT_ACCEPT_ENCODING, "");
	set(h, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	set(h, CURLOPT_TIMEOUT_MS, o->timeout_ms);
	set(h, CURLOPT_NOSIGNAL, 1L);
	set(h, CURLOPT_WRITEFUNCTION, on_data);
	set(h, CURLOPT_WRITEDATA, sink);
	set(h, CURLOPT_ERRORBUFFER, errbuf);
	set(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (o->cancel) {
		set(h, CURLOPT_XFERINFOFUNCTION, on_progress);
		set(h, CURLOPT_XFERINFODATA, (void *)o->cancel);
		set(h, CURLOPT_NOPROGRESS, 0L);
	}
}

/*
 * What a finished try of a GET means: PM_OK, or the error (in err, the
 * URL named as shown), and whether it may be tried again.
 */
static enum pm_err outcome(CURLcode cc, const struct pm_http_result *res,
			   double secs, int too_big,
			   const struct pm_http_opts *o, const char *shown,
			   const char *errbuf, int *retry, struct pm_buf *err)
{
	const char *tries = res->tries == 1 ? "try" : "tries";

	*retry = 0;
	if (too_big)
		return pm_errf(err, PM_ERR_LIMIT,
			       "GET %s: body larger than %zu bytes", shown,
			       o->max_body);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		*retry = 1;
		return pm_errf(err, PM_ERR_TIMEOUT,
			       "GET %s: timed out after %.1f s (%d %s)", shown,
			       secs, res->tries, tries);
	}
	if (cc == CURLE_PARTIAL_FILE)
		return pm_errf(err, PM_ERR_PARSE, "GET %s: truncated body: %s",
			       shown,
			       errbuf[0] ? errbuf :
					   DL_CURL(curl_easy_strerror)(cc));
	if (cc != CURLE_OK)
		return pm_errf(err, PM_ERR_NET, "GET %s: %s", shown,
			       errbuf[0] ? errbuf :
					   DL_CURL(curl_easy_strerror)(cc));
	if (res->status == 429 || res->status >= 500) {
		*retry = 1;
		return pm_errf(err, PM_ERR_NET, "GET %s: HTTP %ld after %d %s",
			       shown, res->status, res->tries, tries);
	}
	if (res->status >= 400)
		return pm_errf(err, PM_ERR_HTTP, "GET %s: HTTP %ld", shown,
			       res->status);
	return PM_OK;
}

enum pm_err pm_http_get(const char *url, const struct pm_http_opts *opts,
			struct pm_buf *body, struct pm_http_result *res,
			struct pm_buf *err)
{
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct pm_buf shown = PM_BUF_INIT, ua = PM_BUF_INIT;
	struct curl_slist *hdrs = NULL;
	struct pm_http_result dummy;
	struct sink sink = { body, body->len, 0 };
	char errbuf[CURL_ERROR_SIZE];
	enum pm_err ret = PM_OK;
	size_t max_saved = body->max;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	CURL *h = NULL;
	int i;

	if (opts)
		o = *opts;
	if (o.max_tries < 1)
		o.max_tries = 1;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	if (!strncmp(url, "file://", 7))
		return get_file(url, &o, body, res, err);
	pm_http_redact(url, &shown);
	pm_buf_addf(&ua, "pm25/%s", PM25_VERSION);
	h = DL_CURL(curl_easy_init)();
	if (!h) {
		ret = pm_errf(err, PM_ERR_NET, "GET %s: cannot start libcurl",
			      shown.buf);
		goto out;
	}
	for (i = 0; o.headers && o.headers[i]; i++)
		hdrs = DL_CURL(curl_slist_append)(hdrs, o.headers[i]);
	body->max = body->len + o.max_body;
	DL_CURL(curl_easy_setopt)(h, CURLOPT_URL, url);
	common_opts(h, &o, hdrs, ua.buf, &sink, errbuf);
	DL_CURL(curl_easy_setopt)(h, CURLOPT_FOLLOWLOCATION, 1L);
	DL_CURL(curl_easy_setopt)(h, CURLOPT_MAXREDIRS, 5L);

	for (res->tries = 1;; res->tries++) {
		CURLcode cc;
		double secs = 0;
		int retry;

		errbuf[0] = '\0';
		pm_buf_setlen(body, sink.start);
		sink.too_big = 0;
		cc = DL_CURL(curl_easy_perform)(h);
		DL_CURL(curl_easy_getinfo)
		(h, CURLINFO_RESPONSE_CODE, &res->status);
		DL_CURL(curl_easy_getinfo)(h, CURLINFO_TOTAL_TIME, &secs);
		res->seconds += secs;
		pm_log(PM_LOG_TRACE, "http", "GET %s: curl %d, status %ld, "
		       "%zu bytes, %.3f s", shown.buf, (int)cc, res->status,
		       body->len - sink.start, secs);
		ret = outcome(cc, res, secs, sink.too_big, &o, shown.buf,
			      errbuf, &retry, err);
		if (!retry || res->tries >= o.max_tries)
			break;
		{
			long d = pm_http_backoff(&o, res->tries, &seed);

			pm_log(PM_LOG_INFO, "http",
			       "GET %s: retry %d in %ld ms (%s)", shown.buf,
			       res->tries, d, err ? err->buf : "");
			usleep((useconds_t)d * 1000);
		}
	}
out:
	body->max = max_saved;
	if (ret)
		pm_buf_setlen(body, sink.start);
	DL_CURL(curl_slist_free_all)(hdrs);
	if (h)
		DL_CURL(curl_easy_cleanup)(h);
	pm_buf_release(&shown);
	pm_buf_release(&ua);
	return ret;
}

enum pm_err pm_http_request(const struct pm_http_req *rq,
			    const struct pm_http_opts *opts, struct pm_buf *out,
			    long *status, struct pm_buf *err)
{
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct pm_buf shown = PM_BUF_INIT, ua = PM_BUF_INIT;
	struct curl_slist *hdrs = NULL;
	struct sink sink = { out, out->len, 0 };
	char errbuf[CURL_ERROR_SIZE];
	enum pm_err ret = PM_OK;
	size_t max_saved = out->max;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	int idempotent = strcmp(rq->method, "POST") != 0, tries, i;
	CURL *h;

	if (opts)
		o = *opts;
	*status = 0;
	pm_http_redact(rq->url, &shown);
	pm_buf_addf(&ua, "pm25/%s", PM25_VERSION);
	h = DL_CURL(curl_easy_init)();
	if (!h) {
		ret = pm_errf(err, PM_ERR_NET, "%s %s: cannot start libcurl",
			      rq->method, shown.buf);
		goto out;
	}
	for (i = 0; rq->headers && rq->headers[i]; i++)
		hdrs = DL_CURL(curl_slist_append)(hdrs, rq->headers[i]);
	/* no "Expect: 100-continue" round trip on uploads */
	hdrs = DL_CURL(curl_slist_append)(hdrs, "Expect:");
	out->max = out->len + o.max_body;
	DL_CURL(curl_easy_setopt)(h, CURLOPT_URL, rq->url);
	DL_CURL(curl_easy_setopt)(h, CURLOPT_CUSTOMREQUEST, rq->method);
	if (rq->body) {
		DL_CURL(curl_easy_setopt)(h, CURLOPT_POSTFIELDS, rq->body);
		DL_CURL(curl_easy_setopt)
		(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	} else if (!strcmp(rq->method, "POST")) {
		DL_CURL(curl_easy_setopt)(h, CURLOPT_POSTFIELDS, "");
	}
	if (rq->userpwd) {
		DL_CURL(curl_easy_setopt)(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		DL_CURL(curl_easy_setopt)(h, CURLOPT_USERPWD, rq->userpwd);
	}
	common_opts(h, &o, hdrs, ua.buf, &sink, errbuf);
	for (tries = 1;; tries++) {
		CURLcode cc;
		int retry;

		errbuf[0] = '\0';
		pm_buf_setlen(out, sink.start);
		cc = DL_CURL(curl_easy_perform)(h);
		DL_CURL(curl_easy_getinfo)(h, CURLINFO_RESPONSE_CODE, status);
		retry = idempotent && tries < o.max_tries &&
			(cc == CURLE_OPERATION_TIMEDOUT ||
			 (cc == CURLE_OK && (*status == 429 || *status >= 500)));
		if (sink.too_big)
			ret = pm_errf(err, PM_ERR_LIMIT,
				      "%s %s: body larger than %zu bytes",
				      rq->method, shown.buf, o.max_body);
		else if (cc == CURLE_OPERATION_TIMEDOUT)
			ret = pm_errf(err, PM_ERR_TIMEOUT, "%s %s: timed out",
				      rq->method, shown.buf);
		else if (cc != CURLE_OK)
			ret = pm_errf(err, PM_ERR_NET, "%s %s: %s", rq->method,
				      shown.buf,
				      errbuf[0] ?
					      errbuf :
					      DL_CURL(curl_easy_strerror)(cc));
		else
			ret = PM_OK;
		if (!retry)
			break;
		usleep((useconds_t)pm_http_backoff(&o, tries, &seed) * 1000);
	}
out:
	out->max = max_saved;
	DL_CURL(curl_slist_free_all)(hdrs);
	if (h)
		DL_CURL(curl_easy_cleanup)(h);
	pm_buf_release(&shown);
	pm_buf_release(&ua);
	return ret;
}

/* A transfer of pm_http_get_all() in flight. */
struct xfer {
	CURL *h;
	struct pm_http_job *job;
	struct sink sink;
	size_t max_saved;
	char errbuf[CURL_ERROR_SIZE];
};

/* When a host last had a request started, for the interval between. */
struct host_clock {
	const char *name; /* borrowed from a job's URL */
	size_t len;
	double last;
};

#define MAX_HOSTS 16

/* The authority part of url ("scheme://" to the next '/', '?' or '#'). */
static const char *url_host(const char *url, size_t *len)
{
	const char *p = strstr(url, "://");

	p = p ? p + 3 : url;
	*len = strcspn(p, "/?#");
	return p;
}

/* The clock of url's host; NULL past MAX_HOSTS (no interval then). */
static struct host_clock *host_clock(struct host_clock *hc, size_t *nr,
				     const char *url)
{
	size_t len, i;
	const char *name = url_host(url, &len);

	for (i = 0; i < *nr; i++)
		if (hc[i].len == len && !memcmp(hc[i].name, name, len))
			return &hc[i];
	if (*nr == MAX_HOSTS)
		return NULL;
	hc[*nr].name = name;
	hc[*nr].len = len;
	hc[*nr].last = -1e9;
	return &hc[(*nr)++];
}

/* Start job j on x: a new try. */
static int xfer_start(CURLM *m, struct xfer *x, struct pm_http_job *j,
		      const struct pm_http_opts *o, struct curl_slist *hdrs,
		      const char *ua)
{
	x->h = DL_CURL(curl_easy_init)();
	if (!x->h)
		return -1;
	x->job = j;
	j->res.tries++;
	pm_buf_setlen(j->body, j->start);
	x->sink.body = j->body;
	x->sink.start = j->start;
	x->sink.too_big = 0;
	x->max_saved = j->body->max;
	j->body->max = j->start + o->max_body;
	x->errbuf[0] = '\0';
	DL_CURL(curl_easy_setopt)(x->h, CURLOPT_URL, j->url);
	common_opts(x->h, o, hdrs, ua, &x->sink, x->errbuf);
	DL_CURL(curl_easy_setopt)(x->h, CURLOPT_FOLLOWLOCATION, 1L);
	DL_CURL(curl_easy_setopt)(x->h, CURLOPT_MAXREDIRS, 5L);
	DL_CURL(curl_easy_setopt)(x->h, CURLOPT_PRIVATE, x);
	DL_CURL(curl_multi_add_handle)(m, x->h);
	return 0;
}

/*
 * A try of x's job ended with cc: its outcome, or a later try (1 is
 * returned then, with the job's not_before set).
 */
static int xfer_end(CURLM *m, struct xfer *x, CURLcode cc,
		    const struct pm_http_opts *o, unsigned *seed)
{
	struct pm_http_job *j = x->job;
	struct pm_buf shown = PM_BUF_INIT;
	double secs = 0;
	int retry;

	DL_CURL(curl_easy_getinfo)(x->h, CURLINFO_RESPONSE_CODE, &j->res.status);
	DL_CURL(curl_easy_getinfo)(x->h, CURLINFO_TOTAL_TIME, &secs);
	j->res.seconds += secs;
	pm_http_redact(j->url, &shown);
	pm_log(PM_LOG_TRACE, "http", "GET %s: curl %d, status %ld, %zu bytes, "
	       "%.3f s", shown.buf, (int)cc, j->res.status,
	       j->body->len - j->start, secs);
	pm_buf_reset(j->why);
	j->err = outcome(cc, &j->res, secs, x->sink.too_big, o, shown.buf,
			 x->errbuf, &retry, j->why);
	j->body->max = x->max_saved;
	if (j->err)
		pm_buf_setlen(j->body, j->start);
	retry = retry && j->res.tries < o->max_tries;
	if (retry)
		j->not_before = pm_mono_s() +
				(double)pm_http_backoff(o, j->res.tries, seed) /
					1000;
	DL_CURL(curl_multi_remove_handle)(m, x->h);
	DL_CURL(curl_easy_cleanup)(x->h);
	x->h = NULL;
	x->job = NULL;
	pm_buf_release(&shown);
	return retry;
}

/*
 * The next job of todo (indices, *nr of them) that may start at now
 * under the hosts' interval; it leaves todo. NULL if none may yet, with
 * *wait_s the time until one may.
 */
static struct pm_http_job *next_job(struct pm_http_job *jobs, size_t *todo,
				    size_t *nr, struct host_clock *hc,
				    size_t *nhc, double interval_s, double now,
				    double *wait_s)
{
	size_t i;

	for (i = 0; i < *nr; i++) {
		struct pm_http_job *j = &jobs[todo[i]];
		struct host_clock *c = host_clock(hc, nhc, j->url);
		double at = j->not_before;

		if (c && c->last + interval_s > at)
			at = c->last + interval_s;
		if (at > now) {
			if (at - now < *wait_s)
				*wait_s = at - now;
			continue;
		}
		if (c)
			c->last = now;
		memmove(todo + i, todo + i + 1, (*nr - i - 1) * sizeof(*todo));
		(*nr)--;
		return j;
	}
	return NULL;
}

enum pm_err pm_http_get_all(struct pm_http_job *jobs, size_t n,
			    const struct pm_http_opts *opts, int concurrency,
			    long interval_ms, struct pm_buf *err)
{
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct host_clock hc[MAX_HOSTS];
	struct pm_buf ua = PM_BUF_INIT;
	struct curl_slist *hdrs = NULL;
	struct xfer *xs = NULL;
	size_t *todo = NULL, ntodo = 0, nhc = 0, i, running = 0;
	unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
	enum pm_err ret = PM_OK;
	CURLM *m = NULL;

	if (opts)
		o = *opts;
	if (o.max_tries < 1)
		o.max_tries = 1;
	if (concurrency < 1)
		concurrency = 1;
	todo = pm_xcalloc(n + 1, sizeof(*todo));
	for (i = 0; i < n; i++) {
		struct pm_http_job *j = &jobs[i];

		memset(&j->res, 0, sizeof(j->res));
		j->err = PM_OK;
		j->not_before = 0;
		j->start = j->body->len;
		if (!strncmp(j->url, "file://", 7))
			j->err = get_file(j->url, &o, j->body, &j->res, j->why);
		else
			todo[ntodo++] = i;
	}
	if (!ntodo)
		goto out;
	m = DL_CURL(curl_multi_init)();
	if (!m) {
		ret = pm_errf(err, PM_ERR_NET, "cannot start libcurl");
		goto out;
	}
	DL_CURL(curl_multi_setopt)(m, CURLMOPT_MAX_HOST_CONNECTIONS,
				   (long)concurrency);
	pm_buf_addf(&ua, "pm25/%s", PM25_VERSION);
	for (i = 0; o.headers && o.headers[i]; i++)
		hdrs = DL_CURL(curl_slist_append)(hdrs, o.headers[i]);
	xs = pm_xcalloc((size_t)concurrency, sizeof(*xs));
	while (ntodo || running) {
		double now = pm_mono_s(), wait_s = 0.1;
		struct CURLMsg *msg;
		int still, left;

		if (o.cancel && *o.cancel)
			break;
		for (i = 0; i < (size_t)concurrency && ntodo; i++) {
			struct pm_http_job *j;

			if (xs[i].h)
				continue;
			j = next_job(jobs, todo, &ntodo, hc, &nhc,
				     (double)interval_ms / 1000, now, &wait_s);
			if (!j)
				break;
			if (xfer_start(m, &xs[i], j, &o, hdrs, ua.buf)) {
				j->err = pm_errf(j->why, PM_ERR_NET,
						 "GET: cannot start libcurl");
				continue;
			}
			running++;
		}
		DL_CURL(curl_multi_perform)(m, &still);
		while ((msg = DL_CURL(curl_multi_info_read)(m, &left))) {
			struct xfer *x = NULL;
			struct pm_http_job *j;

			if (msg->msg != CURLMSG_DONE)
				continue;
			DL_CURL(curl_easy_getinfo)(msg->easy_handle,
						   CURLINFO_PRIVATE, (char **)&x);
			j = x->job;
			running--;
			if (xfer_end(m, x, msg->data.result, &o, &seed)) {
				todo[ntodo++] = (size_t)(j - jobs);
				wait_s = 0;
			}
		}
		if (running || ntodo)
			DL_CURL(curl_multi_poll)(m, NULL, 0,
						 (int)(wait_s * 1000) + 1, NULL);
	}
	/* cancelled: what did not end says so */
	for (i = 0; i < (size_t)concurrency && xs; i++)
		if (xs[i].h) {
			xs[i].job->err = pm_errf(xs[i].job->why, PM_ERR_NET,
						 "GET: cancelled");
			xs[i].job->body->max = xs[i].max_saved;
			pm_buf_setlen(xs[i].job->body, xs[i].job->start);
			DL_CURL(curl_multi_remove_handle)(m, xs[i].h);
			DL_CURL(curl_easy_cleanup)(xs[i].h);
		}
	for (i = 0; i < ntodo; i++)
		jobs[todo[i]].err = pm_errf(jobs[todo[i]].why, PM_ERR_NET,
					    "GET: cancelled");
out:
	if (m)
		DL_CURL(curl_multi_cleanup)(m);
	DL_CURL(curl_slist_free_all)(hdrs);
	free(xs);
	free(todo);
	pm_buf_release(&ua);
	return ret;
}
