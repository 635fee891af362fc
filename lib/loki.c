/*
 * The Loki pusher: a ring of lines under a mutex, and one thread that
 * takes batches off its head, groups them into streams by label, gzips
 * the JSON and POSTs it. The ring drops its oldest line when it is full,
 * so that a producer never waits for Loki.
 */
#include "pm25/compat.h"
#include <curl/curl.h>
#include <pthread.h>
#include <time.h>
#include <zlib.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/dl.h"
#include "pm25/http.h"
#include "pm25/log.h"
#include "pm25/loki.h"
#include "pm25/timeutil.h"

#define PUSH_PATH "/loki/api/v1/push"

struct entry {
	int64_t ns;
	uint64_t seq;
	double queued; /* monotonic seconds */
	char *flow, *level, *run, *line;
	size_t bytes;
};

struct pm_loki {
	struct pm_loki_opts o;
	char *url, *env;
	char *tenant; /* "X-Scope-OrgID: ..." header, or NULL */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct entry *ring; /* cap entries from head, count of them used */
	size_t cap, head, count, bytes;
	uint64_t seq;
	int stopping;
	double deadline;
	size_t dropped_told; /* drops already reported to Loki itself */
	struct pm_loki_stats stats;
};

void pm_loki_opts_from_env(struct pm_loki_opts *o, const char *dflt_env)
{
	const char *env = pm_config_str(PM_CFG_ENV);

	memset(o, 0, sizeof(*o));
	o->url = pm_config_str(PM_CFG_LOKI_URL);
	o->env = env ? env : dflt_env ? dflt_env : "dev";
	o->tenant = pm_config_str(PM_CFG_LOKI_TENANT);
	o->max_lines = (size_t)pm_config_long(PM_CFG_LOKI_MAX_LINES);
	o->max_bytes = 8u << 20;
	o->batch_lines = (size_t)pm_config_long(PM_CFG_LOKI_BATCH);
	o->flush_ms = pm_config_long(PM_CFG_LOKI_FLUSH_MS);
	o->timeout_ms = 5000;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void entry_free(struct entry *e)
{
	free(e->flow);
	free(e->level);
	free(e->run);
	free(e->line);
	memset(e, 0, sizeof(*e));
}

/* Drop the oldest line (under the lock). */
static void pop(struct pm_loki *l)
{
	struct entry *e = &l->ring[l->head];

	l->bytes -= e->bytes;
	entry_free(e);
	l->head = (l->head + 1) % l->cap;
	l->count--;
}

void pm_loki_push(struct pm_loki *l, int64_t ns, const char *flow,
		  const char *level, const char *run_id, const char *line)
{
	struct entry *e;
	size_t bytes;

	if (!l || !line)
		return;
	bytes = strlen(line) + 64;
	pthread_mutex_lock(&l->mu);
	while (l->count &&
	       (l->count == l->cap || l->bytes + bytes > l->o.max_bytes)) {
		pop(l);
		l->stats.dropped++;
	}
	e = &l->ring[(l->head + l->count) % l->cap];
	e->ns = ns ? ns : now_ns();
	e->seq = ++l->seq;
	e->queued = pm_mono_s();
	e->flow = pm_xstrdup(flow && *flow ? flow : "none");
	e->level = pm_xstrdup(level && *level ? level : "info");
	e->run = run_id && *run_id ? pm_xstrdup(run_id) : NULL;
	e->line = pm_xstrdup(line);
	e->bytes = bytes;
	l->bytes += bytes;
	l->count++;
	l->stats.queued++;
	/* the first line sets the sender's clock; a full batch goes now */
	if (l->count == 1 || l->count >= l->o.batch_lines)
		pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static struct entry *at(struct pm_loki *l, size_t i)
{
	return &l->ring[(l->head + i) % l->cap];
}

static void add_value(struct pm_buf *b, int64_t ns, const char *line,
		      const char *run)
{
	pm_buf_addf(b, "[\"%lld\", ", (long long)ns);
	pm_buf_add_json_str(b, line, strlen(line));
	if (run) {
		pm_buf_addstr(b, ", {\"run_id\": ");
		pm_buf_add_json_str(b, run, strlen(run));
		pm_buf_addch(b, '}');
	}
	pm_buf_addch(b, ']');
}

static void add_labels(struct pm_buf *b, const struct pm_loki *l,
		       const char *flow, const char *level)
{
	pm_buf_addstr(b, "{\"stream\": {\"app\": \"pm25\", \"env\": ");
	pm_buf_add_json_str(b, l->env, strlen(l->env));
	pm_buf_addstr(b, ", \"flow\": ");
	pm_buf_add_json_str(b, flow, strlen(flow));
	pm_buf_addstr(b, ", \"level\": ");
	pm_buf_add_json_str(b, level, strlen(level));
	pm_buf_addstr(b, "}, \"values\": [");
}

/*
 * The push body for the first k lines (under the lock): one stream per
 * (flow, level), in the order the streams first appear.
 */
static void build(struct pm_loki *l, size_t k, struct pm_buf *b, size_t *drops)
{
	unsigned char *done = pm_xcalloc(k ? k : 1, 1);
	size_t i, j, streams = 0;

	pm_buf_addstr(b, "{\"streams\": [");
	for (i = 0; i < k; i++) {
		struct entry *s = at(l, i);
		int first = 1;

		if (done[i])
			continue;
		pm_buf_addstr(b, streams++ ? ", " : "");
		add_labels(b, l, s->flow, s->level);
		for (j = i; j < k; j++) {
			struct entry *e = at(l, j);

			if (done[j] || strcmp(e->flow, s->flow) ||
			    strcmp(e->level, s->level))
				continue;
			done[j] = 1;
			pm_buf_addstr(b, first ? "" : ", ");
			first = 0;
			add_value(b, e->ns, e->line, e->run);
		}
		pm_buf_addstr(b, "]}");
	}
	*drops = l->stats.dropped;
	if (*drops > l->dropped_told) {
		char msg[160];

		snprintf(msg, sizeof(msg),
			 "{\"level\": \"warn\", \"msg\": \"%zu log lines were "
			 "dropped while Loki could not take them\"}",
			 *drops - l->dropped_told);
		pm_buf_addstr(b, streams++ ? ", " : "");
		add_labels(b, l, "pm25", "warn");
		add_value(b, now_ns(), msg, NULL);
		pm_buf_addstr(b, "]}");
	}
	pm_buf_addstr(b, "]}");
	free(done);
}

static int gzip_buf(const struct pm_buf *in, struct pm_buf *out)
{
	z_stream z;
	size_t room;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return -1;
	room = deflateBound(&z, in->len) + 16;
	if (pm_buf_grow(out, room)) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (unsigned char *)in->buf;
	z.avail_in = (unsigned)in->len;
	z.next_out = (unsigned char *)out->buf;
	z.avail_out = (unsigned)room;
	rc = deflate(&z, Z_FINISH);
	pm_buf_setlen(out, z.total_out);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

enum outcome { TAKEN, LATER, REFUSED };

static enum outcome post(struct pm_loki *l, const struct pm_buf *gz,
			 long timeout_ms)
{
	const char *hdrs[] = { "Content-Type: application/json",
			       "Content-Encoding: gzip", l->tenant, NULL };
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct pm_http_req rq = {
		"POST", l->url, hdrs, gz->buf, gz->len, NULL
	};
	struct pm_buf resp = PM_BUF_INIT, err = PM_BUF_INIT;
	enum outcome r;
	long status = 0;

	o.connect_timeout_ms = timeout_ms < 2000 ? timeout_ms : 2000;
	o.timeout_ms = timeout_ms;
	o.max_tries = 1;
	o.max_body = 64 << 10;
	if (pm_http_request(&rq, &o, &resp, &status, &err))
		r = LATER;
	else if (status >= 200 && status < 300)
		r = TAKEN;
	else if (status == 429 || status >= 500 || status == 408)
		r = LATER;
	else
		r = REFUSED;
	if (r == REFUSED)
		pm_log(PM_LOG_WARN, "loki",
		       "Loki refused %zu bytes: HTTP %ld %.200s", gz->len,
		       status, resp.buf ? resp.buf : "");
	pm_buf_release(&resp);
	pm_buf_release(&err);
	return r;
}

static void wait_until(struct pm_loki *l, double t)
{
	struct timespec ts;
	double d = t - pm_mono_s();

	if (d <= 0)
		return;
	pm_timespec_in(d, &ts);
	pthread_cond_timedwait(&l->cv, &l->mu, &ts);
}

static void *sender(void *arg)
{
	struct pm_loki *l = arg;
	double backoff = 0, retry_at = 0;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		struct pm_buf body = PM_BUF_INIT, gz = PM_BUF_INIT;
		double now = pm_mono_s();
		size_t k, drops, i;
		uint64_t last;
		long timeout = l->o.timeout_ms;
		enum outcome r;

		if (l->stopping && (!l->count || now >= l->deadline))
			break;
		if (!l->count || now < retry_at ||
		    (!l->stopping && l->count < l->o.batch_lines &&
		     now - at(l, 0)->queued < l->o.flush_ms / 1000.0)) {
			double t = now + 1;

			if (now < retry_at)
				t = retry_at;
			else if (l->count)
				t = at(l, 0)->queued + l->o.flush_ms / 1000.0;
			if (l->stopping && t > l->deadline)
				t = l->deadline;
			wait_until(l, t);
			continue;
		}
		k = l->count < l->o.batch_lines ? l->count : l->o.batch_lines;
		build(l, k, &body, &drops);
		last = at(l, k - 1)->seq;
		if (l->stopping) {
			long left = (long)((l->deadline - now) * 1000);

			timeout = left < timeout ? (left > 100 ? left : 100) :
						   timeout;
		}
		pthread_mutex_unlock(&l->mu);
		r = gzip_buf(&body, &gz) ? REFUSED : post(l, &gz, timeout);
		pm_buf_release(&body);
		pm_buf_release(&gz);
		pthread_mutex_lock(&l->mu);
		if (r == LATER) {
			l->stats.failures++;
			backoff = backoff ? backoff * 2 : 0.5;
			if (backoff > 30)
				backoff = 30;
			retry_at = pm_mono_s() + backoff;
			continue;
		}
		backoff = retry_at = 0;
		/* the batch's lines, unless the bound dropped them meanwhile */
		for (i = 0; l->count && at(l, 0)->seq <= last; i++)
			pop(l);
		if (r == TAKEN) {
			l->stats.sent += i;
			l->stats.batches++;
			l->dropped_told = drops;
		} else {
			l->stats.dropped += i;
			l->stats.failures++;
		}
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void loki_free(struct pm_loki *l)
{
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l->ring);
	free(l->url);
	free(l->env);
	free(l->tenant);
	free(l);
}

struct pm_loki *pm_loki_start(const struct pm_loki_opts *o)
{
	struct pm_loki *l;
	size_t n;

	if (!o->url)
		return NULL;
	l = pm_xcalloc(1, sizeof(*l));
	l->o = *o;
	n = strlen(o->url);
	if (n >= strlen(PUSH_PATH) &&
	    !strcmp(o->url + n - strlen(PUSH_PATH), PUSH_PATH)) {
		l->url = pm_xstrdup(o->url);
	} else {
		struct pm_buf b = PM_BUF_INIT;

		pm_buf_addf(&b, "%.*s%s",
			    (int)(n && o->url[n - 1] == '/' ? n - 1 : n),
			    o->url, PUSH_PATH);
		l->url = pm_buf_detach(&b, NULL);
	}
	l->env = pm_xstrdup(o->env ? o->env : "dev");
	if (o->tenant && *o->tenant) {
		struct pm_buf b = PM_BUF_INIT;

		pm_buf_addf(&b, "X-Scope-OrgID: %s", o->tenant);
		l->tenant = pm_buf_detach(&b, NULL);
	}
	l->cap = o->max_lines ? o->max_lines : 10000;
	if (!l->o.batch_lines)
		l->o.batch_lines = 1000;
	l->ring = pm_xcalloc(l->cap, sizeof(*l->ring));
	pthread_mutex_init(&l->mu, NULL);
	pthread_cond_init(&l->cv, NULL);
	/* before a second thread can touch libcurl */
	DL_CURL(curl_global_init)(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&l->thread, NULL, sender, l)) {
		loki_free(l);
		return NULL;
	}
	return l;
}

void pm_loki_stop(struct pm_loki *l, long wait_ms, struct pm_loki_stats *stats)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stopping = 1;
	l->deadline = pm_mono_s() + (double)wait_ms / 1000;
	pthread_cond_signal(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->thread, NULL);
	while (l->count) {
		pop(l);
		l->stats.dropped++;
	}
	if (stats)
		*stats = l->stats;
	loki_free(l);
}

const char *pm_loki_level_of(const char *line)
{
	static const char *const levels[] = { "debug", "info", "warn",
					      "error" };
	const char *p = *line == '{' ? strstr(line, "\"level\": \"") : NULL;
	size_t i;

	for (i = 0; p && i < PM_ARRAY_SIZE(levels); i++)
		if (!strncmp(p + 10, levels[i], strlen(levels[i])) &&
		    p[10 + strlen(levels[i])] == '"')
			return levels[i];
	return !strncmp(line, "pm25 ", 5) ? "error" : "info";
}
