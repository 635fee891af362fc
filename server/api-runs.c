/*
 * /api/flow_runs: a page of runs (keyset: limit and cursor, with the
 * count), one run with its history and parameters, its log lines,
 * cancelling and retrying it; and the log search across runs.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <unistd.h>
#include "pm25/actions.h"
#include "pm25/alloc.h"
#include "pm25/home.h"
#include "pm25/buf.h"
#include "pm25/records.h"
#include "pm25/run-facts.h"
#include "pm25/state.h"
#include "server-int.h"

/* A run state in a query (any case), or NULL; *bad if it is not one. */
static const char *state_arg(const struct srv_req *rq, int *bad)
{
	const char *s = rq->query(rq->conn, "state");
	int k;

	*bad = 0;
	if (!s)
		return NULL;
	k = pm_run_state_parse(s);
	if (k < 0) {
		*bad = 1;
		return NULL;
	}
	return pm_run_state_name((enum pm_run_state)k);
}

void api_runs(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_run_filter f = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_run *v = NULL;
	size_t n = 0, count = 0, i;
	char next[64];
	long limit, since, until;
	enum pm_err e;
	int bad;

	f.state = state_arg(rq, &bad);
	if (bad || srv_query_long(rq, "limit", 1, 500, 50, &limit) ||
	    srv_query_long(rq, "since", 0, LONG_MAX, 0, &since) ||
	    srv_query_long(rq, "until", 0, LONG_MAX, 0, &until)) {
		srv_error(out, 400, "bad_request",
			  "state is a run state, limit 1 to 500, since and "
			  "until milliseconds since the epoch");
		return;
	}
	f.flow = rq->query(rq->conn, "flow");
	f.deployment = rq->query(rq->conn, "deployment");
	f.pool = rq->query(rq->conn, "pool");
	f.cursor = rq->query(rq->conn, "cursor");
	f.limit = (size_t)limit;
	f.since_ms = since;
	f.until_ms = until;
	e = pm_state_run_page(rq->st, &f, &v, &n, &count, next, &err);
	if (e == PM_ERR_USAGE) {
		srv_error(out, 400, "bad_request", "%s", err.buf);
	} else if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addf(&out->body, "{\"count\": %zu, \"next\": ", count);
		if (*next)
			pm_buf_add_json_str(&out->body, next, strlen(next));
		else
			pm_buf_addstr(&out->body, "null");
		pm_buf_addstr(&out->body, ", \"flow_runs\": [");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_run_brief_json(&out->body, &v[i]);
		}
		pm_buf_addstr(&out->body, "]}\n");
	}
	pm_runs_free(v, n);
	pm_buf_release(&err);
}

void api_run(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_run_change *h = NULL;
	struct pm_log_line *lines = NULL;
	struct pm_run_facts facts;
	struct pm_run run;
	size_t n = 0, nlines = 0;
	enum pm_err e = pm_state_run_load(rq->st, rq->param[0], &run, &h, &n,
					  &err);

	if (!e) {
		e = pm_state_run_log(rq->st, rq->param[0], &lines, &nlines,
				     &err);
		if (e)
			pm_run_release(&run);
	}
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		/* the run's object, with what its log says it did */
		pm_run_history_json(&out->body, &run, h, n);
		if (out->body.len && out->body.buf[out->body.len - 1] == '}')
			pm_buf_setlen(&out->body, out->body.len - 1);
		pm_run_facts_read(lines, nlines, &facts);
		pm_run_facts_json(&out->body, &facts);
		pm_buf_addstr(&out->body, "}\n");
		pm_run_facts_release(&facts);
		pm_run_release(&run);
		pm_run_changes_free(h, n);
	}
	pm_log_lines_free(lines, nlines);
	pm_buf_release(&err);
}

void api_run_logs(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_log_line *v = NULL;
	const char *level = rq->query(rq->conn, "level");
	struct pm_run run;
	size_t n = 0, i, shown = 0;
	long after;
	enum pm_err e;

	if (srv_query_long(rq, "after", 0, LONG_MAX, 0, &after)) {
		srv_error(out, 400, "bad_request",
			  "after is milliseconds since the epoch");
		return;
	}
	e = pm_state_run_load(rq->st, rq->param[0], &run, NULL, NULL, &err);
	if (!e) {
		pm_run_release(&run);
		e = pm_state_run_log(rq->st, rq->param[0], &v, &n, &err);
	}
	if (e) {
		srv_fail(out, e, err.buf);
		pm_buf_release(&err);
		return;
	}
	pm_buf_addstr(&out->body, "{\"lines\": [");
	for (i = 0; i < n; i++) {
		if (v[i].at_ms <= after ||
		    (level && (!v[i].level || strcmp(v[i].level, level))))
			continue;
		pm_buf_addstr(&out->body, shown++ ? ",\n " : "\n ");
		pm_log_line_json(&out->body, &v[i]);
	}
	pm_buf_addstr(&out->body, "]}\n");
	pm_log_lines_free(v, n);
	pm_buf_release(&err);
}

/*
 * Who asks, for the run's reason: the body's {"by": "..."} (the CLI
 * says "the command line"), else "the API". 0 if the body is not that.
 */
static int asked_by(const struct srv_req *rq, char *by, size_t size)
{
	json_t *j = rq->body_len ? json_loadb(rq->body, rq->body_len, 0, NULL) :
				   NULL;
	const char *s = json_string_value(json_object_get(j, "by"));
	size_t i;
	int ok = !rq->body_len || (json_is_object(j) &&
				   (!json_object_get(j, "by") || s));

	snprintf(by, size, "%s", s && *s ? s : "the API");
	for (i = 0; by[i]; i++)
		if ((unsigned char)by[i] < 32)
			ok = 0;
	if (s && strlen(s) >= size)
		ok = 0;
	json_decref(j);
	return ok;
}

void api_run_cancel(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	enum pm_run_state to;
	char by[64];
	enum pm_err e;

	if (!asked_by(rq, by, sizeof(by))) {
		srv_error(out, 422, "invalid",
			  "the body is {\"by\": WHO}, WHO a line of text");
		return;
	}
	e = pm_action_cancel(rq->st, rq->param[0], by, &to, &err);

	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"id\": ");
		pm_buf_add_json_str(&out->body, rq->param[0],
				    strlen(rq->param[0]));
		pm_buf_addf(&out->body, ", \"state\": \"%s\"}\n",
			    pm_run_state_name(to));
	}
	pm_buf_release(&err);
}

void api_logs(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_log_hit *v = NULL;
	const char *q = rq->query(rq->conn, "q");
	size_t n = 0, i;
	long since, limit;
	enum pm_err e;

	if (!q || !*q || srv_query_long(rq, "since", 0, LONG_MAX, 0, &since) ||
	    srv_query_long(rq, "limit", 1, 1000, 100, &limit)) {
		srv_error(out, 400, "bad_request",
			  "q is the text to find; since is milliseconds since "
			  "the epoch, limit 1 to 1000");
		return;
	}
	e = pm_state_log_search(rq->st, q, since,
				rq->query(rq->conn, "deployment"),
				(size_t)limit, &v, &n, &err);
	if (e) {
		srv_fail(out, e, err.buf);
	} else {
		pm_buf_addstr(&out->body, "{\"hits\": [");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(&out->body, i ? ",\n " : "\n ");
			pm_log_hit_json(&out->body, &v[i]);
		}
		pm_buf_addstr(&out->body, "]}\n");
	}
	pm_log_hits_free(v, n);
	pm_buf_release(&err);
}

void api_run_retry(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT, why = PM_BUF_INIT;
	char by[64];
	enum pm_err e;

	if (!asked_by(rq, by, sizeof(by))) {
		srv_error(out, 422, "invalid",
			  "the body is {\"by\": WHO}, WHO a line of text");
		return;
	}
	pm_buf_addf(&why, "retried from %s", by);
	e = pm_state_run_retry(rq->st, rq->param[0], why.buf, &err);
	if (e)
		srv_fail(out, e, err.buf);
	else
		api_run(rq, out);
	pm_buf_release(&err);
	pm_buf_release(&why);
}

/* ------------------------------------------------------------ stream */

#define MAX_STREAMS 16

static int streams; /* open now, under __atomic */

/* A run's log as Server-Sent Events: "line" per line, "end" at the end. */
struct log_stream {
	struct srv_stream s;
	char id[PM_RUN_ID_MAX];
	size_t sent; /* lines sent (or shown by the page) */
	struct pm_home *home;
	struct pm_state *st; /* its own connection */
	volatile sig_atomic_t *stop;
};

static void end_event(struct pm_buf *b, const char *why)
{
	pm_buf_addstr(b, "event: end\ndata: ");
	pm_buf_addstr(b, why);
	pm_buf_addstr(b, "\n\n");
}

/* New lines, or the end; waits up to about 5 s, then a keep-alive. */
static int stream_more(struct srv_stream *s, struct pm_buf *b)
{
	struct log_stream *ls = (struct log_stream *)s;
	struct pm_buf err = PM_BUF_INIT;
	int polls, ended = 0;

	if (!ls->st && pm_home_state(ls->home, &ls->st, &err)) {
		end_event(b, "the state database does not answer");
		pm_buf_release(&err);
		return 1;
	}
	for (polls = 0; polls < 20 && !*ls->stop; polls++) {
		struct pm_log_line *v = NULL;
		struct pm_run run;
		size_t n = 0, i;
		int final;

		if (pm_state_run_load(ls->st, ls->id, &run, NULL, NULL, &err)) {
			end_event(b, "the run is gone");
			ended = 1;
			break;
		}
		final = pm_run_state_final(run.state);
		if (!pm_state_run_log(ls->st, ls->id, &v, &n, &err))
			for (i = ls->sent; i < n; i++) {
				pm_buf_addstr(b, "event: line\ndata: ");
				pm_log_line_json(b, &v[i]);
				pm_buf_addstr(b, "\n\n");
			}
		ls->sent = n > ls->sent ? n : ls->sent;
		pm_log_lines_free(v, n);
		if (final)
			end_event(b, pm_run_state_name(run.state));
		pm_run_release(&run);
		if (final || b->len) {
			ended = final;
			break;
		}
		pm_buf_reset(&err);
		usleep(250000);
	}
	if (*ls->stop && !ended) {
		end_event(b, "the server is stopping");
		ended = 1;
	}
	if (!b->len)
		pm_buf_addstr(b, ": still running\n\n");
	pm_buf_release(&err);
	return ended;
}

static void stream_done(struct srv_stream *s)
{
	struct log_stream *ls = (struct log_stream *)s;

	pm_state_close(ls->st);
	free(ls);
	__atomic_sub_fetch(&streams, 1, __ATOMIC_SEQ_CST);
}

void api_run_stream(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct log_stream *ls;
	struct pm_run run;
	long from;
	enum pm_err e;

	if (srv_query_long(rq, "from", 0, LONG_MAX, 0, &from)) {
		srv_error(out, 400, "bad_request",
			  "from is the number of lines already shown");
		return;
	}
	e = pm_state_run_load(rq->st, rq->param[0], &run, NULL, NULL, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		pm_buf_release(&err);
		return;
	}
	if (__atomic_add_fetch(&streams, 1, __ATOMIC_SEQ_CST) > MAX_STREAMS) {
		__atomic_sub_fetch(&streams, 1, __ATOMIC_SEQ_CST);
		srv_error(out, 503, "unavailable",
			  "%d log streams are open: try again later",
			  MAX_STREAMS);
		pm_run_release(&run);
		return;
	}
	ls = pm_xcalloc(1, sizeof(*ls));
	ls->s.more = stream_more;
	ls->s.done = stream_done;
	snprintf(ls->id, sizeof(ls->id), "%s", run.id);
	ls->sent = (size_t)from;
	ls->home = rq->home;
	ls->stop = rq->stop;
	out->type = "text/event-stream";
	out->stream = &ls->s;
	pm_run_release(&run);
	pm_buf_release(&err);
}
