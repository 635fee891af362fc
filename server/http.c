/*
 * The server's HTTP side, through libmicrohttpd: listening, reading a
 * request and its body, the checks every route gets once (method, path,
 * token, body size), a state database connection per thread, and the
 * answer. The scheduler and a worker run beside it (pm_server_run).
 */
#include "pm25/compat.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/random.h"
#include "pm25/dl.h"
#include "pm25/home.h"
#include "pm25/server.h"
#include "pm25/state.h"
#include "pm25/timeutil.h"
#include "server-int.h"

/* State database connections that requests share. */
#define NSTATES 6

struct server {
	const struct pm_server_opts *o;
	struct srv_stats stats;
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct pm_state *st[NSTATES]; /* opened on first use */
	int busy[NSTATES];
	char session[65]; /* the dashboard's session cookie, random */
};

/* What one request gathers before it is answered. */
struct pending {
	struct pm_buf body;
	int too_big;
};

/* A state connection of the pool, waiting for one to be free. */
static int take_state(struct server *s, struct pm_buf *err, enum pm_err *e)
{
	int i;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		for (i = 0; i < NSTATES && s->busy[i]; i++)
			;
		if (i < NSTATES)
			break;
		pthread_cond_wait(&s->freed, &s->lock);
	}
	s->busy[i] = 1;
	pthread_mutex_unlock(&s->lock);
	*e = PM_OK;
	if (!s->st[i])
		*e = pm_home_state(s->o->home, &s->st[i], err);
	return i;
}

static void give_state(struct server *s, int i, int broken)
{
	pthread_mutex_lock(&s->lock);
	if (broken && s->st[i]) {
		pm_state_close(s->st[i]);
		s->st[i] = NULL;
	}
	s->busy[i] = 0;
	pthread_cond_signal(&s->freed);
	pthread_mutex_unlock(&s->lock);
}

static const char *header(struct MHD_Connection *c, const char *key)
{
	return DL_MHD(MHD_lookup_connection_value)(c, MHD_HEADER_KIND, key);
}

/*
 * Whether the request carries the token (*bearer then) or the session
 * cookie that the login page gave.
 */
static int signed_in(struct server *s, struct MHD_Connection *c,
		     int *bearer)
{
	const char *auth = header(c, "Authorization"),
		   *cookie = DL_MHD(MHD_lookup_connection_value)(
			   c, MHD_COOKIE_KIND, "pm25_session");

	*bearer = 0;
	if (!s->o->token || !*s->o->token)
		return 0;
	if (auth && !strncmp(auth, "Bearer ", 7) &&
	    srv_same_token(auth + 7, s->o->token))
		return *bearer = 1;
	return cookie && srv_same_token(cookie, s->session);
}

/* Origin names the host the request was sent to. */
static int same_origin(struct MHD_Connection *c)
{
	const char *origin = header(c, "Origin"), *host = header(c, "Host");
	const char *rest;

	if (!origin || !host)
		return 0;
	rest = !strncmp(origin, "http://", 7)	? origin + 7 :
	       !strncmp(origin, "https://", 8) ? origin + 8 :
						 NULL;
	return rest && !strcmp(rest, host);
}

/* A new session value: 32 random bytes as hex. */
static enum pm_err new_session(char out[65], struct pm_buf *err)
{
	struct pm_buf hex = PM_BUF_INIT;
	enum pm_err e = pm_random_hex(32, &hex, err);

	if (!e)
		snprintf(out, 65, "%s", hex.buf);
	pm_buf_release(&hex);
	return e;
}

static const char *query_arg(void *conn, const char *key)
{
	return DL_MHD(MHD_lookup_connection_value)(conn, MHD_GET_ARGUMENT_KIND,
						   key);
}

/* The route for method and path; *other when only another method has it. */
static const struct srv_route *find_route(const char *method,
					  const char *path, struct srv_req *rq,
					  int *other)
{
	const struct srv_route *r;

	*other = 0;
	for (r = srv_routes; r->method; r++) {
		if (!srv_match(r->pattern, path, rq))
			continue;
		if (!strcmp(r->method, method) ||
		    (!strcmp(method, "HEAD") && !strcmp(r->method, "GET")))
			return r;
		*other = 1;
	}
	return NULL;
}

/* Count one answer of route r (NULL: none) that took secs. */
static void count(struct server *s, const struct srv_route *r, int status,
		  double secs)
{
	size_t i = r ? (size_t)(r - srv_routes) : SRV_MAX_ROUTES, k;

	if (i > SRV_MAX_ROUTES)
		i = SRV_MAX_ROUTES;
	pthread_mutex_lock(&s->stats.lock);
	for (k = 0; k < SRV_NCODES; k++)
		if (srv_codes[k] == status)
			s->stats.requests[i][k]++;
	for (k = 0; k < SRV_NBUCKETS; k++)
		if (secs <= srv_buckets[k])
			s->stats.le[i][k]++;
	s->stats.count[i]++;
	s->stats.sum_s[i] += secs;
	pthread_mutex_unlock(&s->stats.lock);
}

/* The checks every route gets, then the route. */
static const struct srv_route *dispatch(struct server *s,
					struct MHD_Connection *c,
					const char *method, const char *path,
					const struct pending *p,
					struct srv_resp *out)
{
	struct srv_req rq;
	struct pm_buf err = PM_BUF_INIT;
	const struct srv_route *r;
	enum pm_err e;
	int other, slot, by_bearer = 0;

	memset(&rq, 0, sizeof(rq));
	r = find_route(method, path, &rq, &other);
	if (!r) {
		if (other)
			srv_error(out, 405, "method_not_allowed",
				  "%s is not allowed on %s", method, path);
		else
			srv_error(out, 404, "not_found", "no route %s", path);
		return NULL;
	}
	rq.writes = s->o->token && *s->o->token;
	rq.signed_in = signed_in(s, c, &by_bearer);
	if ((r->flags & SRV_WRITE) && !rq.writes) {
		srv_error(out, 403, "forbidden",
			  "this server takes no writes: it was started "
			  "without PM25_API_TOKEN");
		goto out;
	}
	if ((r->flags & SRV_WRITE) && !rq.signed_in) {
		srv_error(out, 401, "unauthorized",
			  "give Authorization: Bearer with the server's "
			  "PM25_API_TOKEN");
		goto out;
	}
	/* a session cookie rides along on any request: this one's page? */
	if ((r->flags & SRV_WRITE) && !by_bearer && !same_origin(c)) {
		srv_error(out, 403, "forbidden",
			  "a write with the session cookie comes from this "
			  "server's own pages (Origin)");
		goto out;
	}
	if (p->too_big) {
		srv_error(out, 413, "too_large", "a body is at most %u bytes",
			  SRV_MAX_BODY);
		goto out;
	}
	if (p->body.len && !(r->flags & SRV_BODY)) {
		srv_error(out, 400, "bad_request", "%s %s takes no body",
			  method, r->pattern);
		goto out;
	}
	rq.method = method;
	rq.path = path;
	rq.body = p->body.buf;
	rq.body_len = p->body.len;
	rq.home = s->o->home;
	rq.query = query_arg;
	rq.conn = c;
	rq.stats = &s->stats;
	rq.token = s->o->token;
	rq.session = s->session;
	rq.stop = s->o->stop;
	slot = take_state(s, &err, &e);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		rq.st = s->st[slot];
		r->handler(&rq, out);
	}
	/* a connection that failed is opened again next time */
	give_state(s, slot, e || out->status == 503);
	pm_buf_release(&err);
out:
	if ((r->flags & SRV_PAGE) && out->status >= 400 && !out->type)
		page_error(&rq, out);
	return r;
}

/* What a stream has said and not yet sent. */
struct stream_ctx {
	struct srv_stream *s;
	struct pm_buf pending;
	size_t at;
	int ended;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream_ctx *x = cls;
	size_t n;

	(void)pos;
	while (x->at == x->pending.len) {
		if (x->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		pm_buf_reset(&x->pending);
		x->at = 0;
		x->ended = x->s->more(x->s, &x->pending);
	}
	n = x->pending.len - x->at < max ? x->pending.len - x->at : max;
	memcpy(buf, x->pending.buf + x->at, n);
	x->at += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream_ctx *x = cls;

	x->s->done(x->s);
	pm_buf_release(&x->pending);
	free(x);
}

/* A response whose body s gives as it goes (one thread per connection). */
static struct MHD_Response *stream_response(struct srv_stream *s)
{
	struct stream_ctx *x = calloc(1, sizeof(*x));
	struct MHD_Response *r;

	if (!x) {
		s->done(s);
		return NULL;
	}
	x->s = s;
	pm_buf_init(&x->pending);
	r = DL_MHD(MHD_create_response_from_callback)(
		MHD_SIZE_UNKNOWN, 4096, stream_read, x, stream_free);
	if (!r)
		stream_free(x);
	return r;
}

/* The headers of every answer, and those of pages. */
static void headers(struct MHD_Response *r, const struct srv_resp *out)
{
	const char *type = out->type ? out->type : "application/json";

	DL_MHD(MHD_add_response_header)(r, "Content-Type", type);
	DL_MHD(MHD_add_response_header)(r, "Cache-Control", "no-store");
	DL_MHD(MHD_add_response_header)(r, "X-Content-Type-Options",
					"nosniff");
	if (!strncmp(type, "text/html", 9)) {
		/* only this server's own script and style; no frames */
		DL_MHD(MHD_add_response_header)(
			r, "Content-Security-Policy",
			"default-src 'none'; script-src 'self'; style-src "
			"'self'; img-src 'self' data:; connect-src 'self'; "
			"form-action 'self'; frame-ancestors 'none'; "
			"base-uri 'none'");
		DL_MHD(MHD_add_response_header)(r, "Referrer-Policy",
						"no-referrer");
	}
	if (out->location[0])
		DL_MHD(MHD_add_response_header)(r, "Location", out->location);
	if (out->cookie[0])
		DL_MHD(MHD_add_response_header)(r, "Set-Cookie", out->cookie);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct pending *p = *con_cls;
	struct srv_resp out;
	const struct srv_route *route;
	struct MHD_Response *r;
	enum MHD_Result ret;
	double t0;

	(void)version;
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return MHD_NO;
		pm_buf_init(&p->body);
		*con_cls = p;
		return MHD_YES;
	}
	if (*upload_size) {
		if (p->body.len + *upload_size > SRV_MAX_BODY)
			p->too_big = 1;
		else
			pm_buf_add(&p->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	memset(&out, 0, sizeof(out));
	pm_buf_init(&out.body);
	t0 = pm_mono_s();
	route = dispatch(s, c, method, url, p, &out);
	if (!out.status)
		out.status = 200;
	count(s, route, out.status, pm_mono_s() - t0);
	r = out.stream ? stream_response(out.stream) :
			 DL_MHD(MHD_create_response_from_buffer)(
				 out.body.len,
				 out.body.buf ? out.body.buf : (char *)"",
				 MHD_RESPMEM_MUST_COPY);
	if (!r) {
		pm_buf_release(&out.body);
		return MHD_NO;
	}
	headers(r, &out);
	ret = DL_MHD(MHD_queue_response)(c, (unsigned)out.status, r);
	DL_MHD(MHD_destroy_response)(r);
	pm_buf_release(&out.body);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct pending *p = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (p) {
		pm_buf_release(&p->body);
		free(p);
		*con_cls = NULL;
	}
}

/* HOST:PORT into addr; *loopback when HOST is 127.x or localhost. */
static enum pm_err parse_listen(const char *listen, struct sockaddr_in *addr,
				int *loopback, struct pm_buf *err)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	char *end;
	long port;

	memset(addr, 0, sizeof(*addr));
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return pm_errf(err, PM_ERR_USAGE,
			       "--listen %s: HOST:PORT, e.g. 127.0.0.1:4200",
			       listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || errno || port < 0 || port > 65535)
		return pm_errf(err, PM_ERR_USAGE, "--listen %s: not a port",
			       listen);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	addr->sin_family = AF_INET;
	addr->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr->sin_addr) != 1)
		return pm_errf(err, PM_ERR_USAGE,
			       "--listen %s: HOST is an IPv4 address or "
			       "localhost",
			       listen);
	*loopback = (ntohl(addr->sin_addr.s_addr) >> 24) == 127;
	return PM_OK;
}

static void say(const struct pm_server_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct pm_server_opts *o, const char *fmt, ...)
{
	struct pm_buf b = PM_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	if (o->say)
		o->say(o->ctx, b.buf);
	pm_buf_release(&b);
}

/* Start listening; the daemon, or NULL with err set. */
static struct MHD_Daemon *start(struct server *s, struct sockaddr_in *addr,
				struct pm_buf *err)
{
	struct MHD_Daemon *d;

	/*
	 * A thread per connection: a log stream may wait in its thread
	 * without holding up other requests.
	 */
	d = DL_MHD(MHD_start_daemon)(
		MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
			MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ITC |
			MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, addr,
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(1u << 20),
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)256,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)64,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!d)
		pm_errf(err, PM_ERR_NET, "cannot listen on %s: %s",
			s->o->listen, errno ? strerror(errno) : "in use?");
	return d;
}

enum pm_err pm_server_run(const struct pm_server_opts *o, struct pm_buf *err)
{
	struct server s;
	struct srv_embedded emb;
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	enum pm_err e;
	int loopback = 0, i;
	unsigned port;

	memset(&s, 0, sizeof(s));
	s.o = o;
	e = parse_listen(o->listen, &addr, &loopback, err);
	if (!e && !loopback && (!o->token || !*o->token))
		e = pm_errf(err, PM_ERR_USAGE,
			    "--listen %s is not a loopback address: set "
			    "PM25_API_TOKEN first",
			    o->listen);
	if (e)
		return e;
	e = new_session(s.session, err);
	if (e)
		return e;
	pthread_mutex_init(&s.lock, NULL);
	pthread_mutex_init(&s.stats.lock, NULL);
	pthread_cond_init(&s.freed, NULL);
	d = start(&s, &addr, err);
	if (!d) {
		e = PM_ERR_NET;
		goto out;
	}
	info = DL_MHD(MHD_get_daemon_info)(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : ntohs(addr.sin_port);
	if (o->port_file) {
		FILE *f = fopen(o->port_file, "w");

		if (f) {
			fprintf(f, "%u\n", port);
			fclose(f);
		}
	}
	say(o, "{\"server\": \"listening\", \"port\": %u, \"writes\": %s, "
	    "\"scheduler\": %s, \"worker\": %s}",
	    port, o->token && *o->token ? "true" : "false",
	    o->no_scheduler ? "false" : "true", o->no_worker ? "false" : "true");
	srv_embedded_start(o, &emb);
	while (!*o->stop)
		usleep(100000);
	/* no new connections; those in flight are answered */
	DL_MHD(MHD_quiesce_daemon)(d);
	DL_MHD(MHD_stop_daemon)(d);
	/* the worker gives its runs back as a worker does on SIGTERM */
	srv_embedded_join(&emb);
	say(o, "{\"server\": \"stopped\"}");
out:
	for (i = 0; i < NSTATES; i++)
		pm_state_close(s.st[i]);
	pthread_mutex_destroy(&s.lock);
	pthread_mutex_destroy(&s.stats.lock);
	pthread_cond_destroy(&s.freed);
	return e;
}
