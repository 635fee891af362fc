/*
 * The dashboard's frame and the helpers its pages share (page.h), the
 * login page that turns the token into a session cookie, and errors as
 * pages. The pages are plain HTML from the server; the script
 * (server/assets.c) only sends the buttons' requests and follows logs.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/store.h"
#include "pm25/timeutil.h"
#include "page.h"

static const struct {
	const char *path, *name;
} nav[] = {
	{ "/", "Overview" },
	{ "/runs", "Runs" },
	{ "/deployments", "Deployments" },
	{ "/pools", "Pools" },
	{ "/data", "Data" },
	{ "/quality", "Quality" },
	{ "/stations", "Stations" },
	{ "/model", "Model" },
	{ "/alerts", "Alerts" },
};

void page_text(struct pm_buf *b, const char *s)
{
	if (!s || !*s)
		pm_buf_addstr(b, "&ndash;");
	else
		pm_buf_add_html(b, s, strlen(s));
}

void page_arg(struct pm_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~/", c)) {
			pm_buf_addch(b, (char)c);
		} else {
			pm_buf_addch(b, '%');
			pm_buf_addch(b, hex[c >> 4]);
			pm_buf_addch(b, hex[c & 15]);
		}
	}
}

void page_time(struct pm_buf *b, int64_t ms)
{
	int64_t local, day, y;
	unsigned mo, d, s;

	if (ms == INT64_MIN || ms <= 0) {
		pm_buf_addstr(b, "&ndash;");
		return;
	}
	local = pm_floor_div(ms, 1000) + PM_ICT_OFFSET;
	day = pm_floor_div(local, 86400);
	s = (unsigned)(local - day * 86400);
	pm_civil_from_days(day, &y, &mo, &d);
	pm_buf_addf(b,
		    "<time datetime=\"%lld\">%04lld-%02u-%02u %02u:%02u:%02u"
		    "</time>",
		    (long long)ms, (long long)y, mo, d, s / 3600, s % 3600 / 60,
		    s % 60);
}

void page_secs(struct pm_buf *b, double secs)
{
	if (secs < 0 || isnan(secs))
		pm_buf_addstr(b, "&ndash;");
	else if (secs < 1)
		pm_buf_addf(b, "%.0f ms", secs * 1000);
	else if (secs < 60)
		pm_buf_addf(b, "%.1f s", secs);
	else if (secs < 3600)
		pm_buf_addf(b, "%d min %d s", (int)secs / 60, (int)secs % 60);
	else if (secs < 172800)
		pm_buf_addf(b, "%d h %d min", (int)secs / 3600,
			    (int)secs % 3600 / 60);
	else
		pm_buf_addf(b, "%d d", (int)(secs / 86400));
}

void page_age(struct pm_buf *b, int64_t ms, int64_t now_ms)
{
	if (ms == INT64_MIN || ms <= 0) {
		pm_buf_addstr(b, "&ndash;");
		return;
	}
	page_secs(b, (double)(now_ms - ms) / 1000);
	pm_buf_addstr(b, " ago");
}

static const struct {
	const char *state, *colour;
} states[] = {
	{ "Completed", "#2a7d3a" }, { "Failed", "#b3261e" },
	{ "Crashed", "#7a1a14" },   { "Running", "#1f5fa8" },
	{ "Late", "#8a4b00" },	    { "Scheduled", "#5f6b73" },
	{ "Pending", "#4f5b66" },   { "Cancelling", "#6d4c91" },
	{ "Cancelled", "#555555" }, { "Paused", "#555555" },
	{ "Retrying", "#8a4b00" },  { "TimedOut", "#7a1a14" },
};

const char *page_state_colour(const char *state)
{
	size_t i;

	for (i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
		if (!strcmp(states[i].state, state))
			return states[i].colour;
	return "#555555";
}

void page_state(struct pm_buf *b, const char *state)
{
	pm_buf_addstr(b, "<span class=\"st st-");
	page_text(b, state);
	pm_buf_addstr(b, "\">");
	page_text(b, state);
	pm_buf_addstr(b, "</span>");
}

void page_run_link(struct pm_buf *b, const char *id)
{
	pm_buf_addstr(b, "<a href=\"/runs/");
	page_arg(b, id);
	pm_buf_addstr(b, "\"><code>");
	page_text(b, id);
	pm_buf_addstr(b, "</code></a>");
}

void page_button(const struct srv_req *rq, struct pm_buf *b, const char *label,
		 const char *method, const char *url, const char *body,
		 const char *question)
{
	pm_buf_addstr(b, "<button type=\"button\" data-method=\"");
	page_text(b, method);
	pm_buf_addstr(b, "\" data-url=\"");
	page_text(b, url);
	pm_buf_addstr(b, "\" data-confirm=\"");
	page_text(b, question);
	pm_buf_addch(b, '"');
	if (body) {
		pm_buf_addstr(b, " data-body=\"");
		page_text(b, body);
		pm_buf_addch(b, '"');
	}
	if (!rq->writes)
		pm_buf_addstr(b, " disabled title=\"the server was started "
				 "without PM25_API_TOKEN\"");
	pm_buf_addch(b, '>');
	page_text(b, label);
	pm_buf_addstr(b, "</button> ");
}

void page_next(struct pm_buf *b, const char *base, const char *cursor)
{
	if (!cursor || !*cursor)
		return;
	pm_buf_addstr(b, "<p class=\"pager\"><a rel=\"next\" href=\"");
	page_text(b, base);
	pm_buf_addstr(b, strchr(base, '?') ? "&amp;cursor=" : "?cursor=");
	page_arg(b, cursor);
	pm_buf_addstr(b, "\">next page &rarr;</a></p>");
}

void page_h2(struct pm_buf *b, const char *title)
{
	pm_buf_addstr(b, "<h2>");
	page_text(b, title);
	pm_buf_addstr(b, "</h2>\n");
}

void page_none(struct pm_buf *b, const char *what)
{
	pm_buf_addstr(b, "<p class=\"none\">");
	page_text(b, what);
	pm_buf_addstr(b, "</p>\n");
}

void page_open(const struct srv_req *rq, struct srv_resp *out,
	       const char *title, const char *current)
{
	struct pm_buf *b = &out->body;
	size_t i;

	out->type = "text/html; charset=utf-8";
	pm_buf_reset(b);
	pm_buf_addstr(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
			 "charset=\"utf-8\"><meta name=\"viewport\" "
			 "content=\"width=device-width, initial-scale=1\">"
			 "<title>");
	page_text(b, title);
	pm_buf_addstr(b,
		      " &middot; pm25</title><link rel=\"stylesheet\" "
		      "href=\"/static/pm25.css\"><script defer "
		      "src=\"/static/pm25.js\"></script></head><body>"
		      "<header><nav aria-label=\"sections\"><a class=\"brand\" "
		      "href=\"/\">pm25</a>");
	for (i = 0; i < sizeof(nav) / sizeof(nav[0]); i++) {
		pm_buf_addf(b, "<a href=\"%s\"%s>%s</a>", nav[i].path,
			    current && !strcmp(current, nav[i].path) ?
				    " aria-current=\"page\"" :
				    "",
			    nav[i].name);
	}
	pm_buf_addstr(b, "</nav><span class=\"who\">");
	if (!rq->writes)
		pm_buf_addstr(b, "read only");
	else if (rq->signed_in)
		pm_buf_addstr(b, "<form method=\"post\" action=\"/logout\">"
				 "<button type=\"submit\">Log out</button>"
				 "</form>");
	else
		pm_buf_addstr(b, "<a href=\"/login\">Log in</a>");
	pm_buf_addstr(b, "</span></header><main><h1>");
	page_text(b, title);
	pm_buf_addstr(b, "</h1><p id=\"msg\" role=\"alert\"></p>\n");
}

void page_close(struct srv_resp *out)
{
	pm_buf_addstr(&out->body, "</main></body></html>\n");
}

void page_error(const struct srv_req *rq, struct srv_resp *out)
{
	json_t *o = json_loadb(out->body.buf ? out->body.buf : "",
			       out->body.len, 0, NULL);
	const char *msg = json_string_value(
		json_object_get(json_object_get(o, "error"), "message"));
	struct pm_buf text = PM_BUF_INIT;

	/* the message is in the body that the page replaces */
	pm_buf_addstr(&text, msg ? msg : "something went wrong");
	json_decref(o);
	page_open(rq, out,
		  out->status == 404 ? "Not found" : "Cannot show this page",
		  NULL);
	pm_buf_addstr(&out->body, "<p>");
	page_text(&out->body, text.buf);
	pm_buf_addf(&out->body, "</p><p>(HTTP %d)</p>", out->status);
	page_close(out);
	pm_buf_release(&text);
}

/* ------------------------------------------------------------ login */

/* A relative path of this server to go back to, else "/". */
static const char *safe_next(const char *next)
{
	return next && next[0] == '/' && next[1] != '/' && next[1] != '\\' &&
			       !strpbrk(next, "\r\n\"<>") &&
			       strlen(next) < 400 ?
		       next :
		       "/";
}

void page_login(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf *b;
	const char *next = safe_next(rq->query(rq->conn, "next"));
	const char *bad = rq->query(rq->conn, "failed");

	page_open(rq, out, "Log in", NULL);
	b = &out->body;
	if (!rq->writes) {
		pm_buf_addstr(b, "<p>This server was started without "
				 "<code>PM25_API_TOKEN</code>: it shows, and "
				 "takes no writes.</p>");
		page_close(out);
		return;
	}
	if (bad)
		pm_buf_addstr(b, "<p class=\"bad\" role=\"alert\">That is not "
				 "the server's token.</p>");
	pm_buf_addstr(b,
		      "<p>The buttons (run, pause, promote, roll back) "
		      "need the server's <code>PM25_API_TOKEN</code>. Enter "
		      "it once: this browser keeps a session cookie until "
		      "the server restarts or you log out.</p>"
		      "<form method=\"post\" action=\"/login\" class=\"login\">"
		      "<label for=\"token\">Token</label> <input id=\"token\" "
		      "name=\"token\" type=\"password\" required "
		      "autocomplete=\"current-password\"><input "
		      "type=\"hidden\" name=\"next\" value=\"");
	page_text(b, next);
	pm_buf_addstr(b, "\"> <button type=\"submit\">Log in</button></form>");
	page_close(out);
}

/* The value of key in a form body (a=1&b=2), decoded, into out. */
static int form_value(const char *body, size_t len, const char *key,
		      struct pm_buf *out)
{
	size_t klen = strlen(key), i = 0;

	while (i < len) {
		size_t end = i;

		while (end < len && body[end] != '&')
			end++;
		if (end - i > klen && !memcmp(body + i, key, klen) &&
		    body[i + klen] == '=') {
			size_t k;

			for (k = i + klen + 1; k < end; k++) {
				char c = body[k];

				if (c == '+') {
					c = ' ';
				} else if (c == '%' && k + 2 < end + 1 &&
					   isxdigit((
						   unsigned char)body[k + 1]) &&
					   isxdigit((
						   unsigned char)body[k + 2])) {
					char hex[3] = { body[k + 1],
							body[k + 2], 0 };

					c = (char)strtol(hex, NULL, 16);
					k += 2;
				}
				pm_buf_addch(out, c);
			}
			return 1;
		}
		i = end + 1;
	}
	return 0;
}

void page_login_post(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf token = PM_BUF_INIT, next = PM_BUF_INIT;

	form_value(rq->body, rq->body_len, "token", &token);
	form_value(rq->body, rq->body_len, "next", &next);
	out->status = 303;
	if (!rq->writes || !token.buf) {
		snprintf(out->location, sizeof(out->location), "/login");
		goto out;
	}
	if (!srv_same_token(token.buf, rq->token)) {
		struct pm_buf to = PM_BUF_INIT;

		/* back to the form, which still knows where to go next */
		pm_buf_addstr(&to, "/login?failed=1&next=");
		page_arg(&to, safe_next(next.buf));
		snprintf(out->location, sizeof(out->location), "%s",
			 to.len < sizeof(out->location) ? to.buf :
							  "/login?failed=1");
		pm_buf_release(&to);
		goto out;
	}
	snprintf(out->location, sizeof(out->location), "%s",
		 safe_next(next.buf));
	snprintf(out->cookie, sizeof(out->cookie),
		 "pm25_session=%s; Path=/; HttpOnly; SameSite=Strict",
		 rq->session);
out:
	out->type = "text/plain; charset=utf-8";
	pm_buf_release(&token);
	pm_buf_release(&next);
}

void page_logout(const struct srv_req *rq, struct srv_resp *out)
{
	(void)rq;
	out->status = 303;
	out->type = "text/plain; charset=utf-8";
	snprintf(out->location, sizeof(out->location), "/");
	snprintf(out->cookie, sizeof(out->cookie),
		 "pm25_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* ------------------------------------------------------------ data */

struct pm_store *page_store(const struct srv_req *rq, const char *name,
			    struct pm_buf *why)
{
	struct pm_store *s = NULL;

	if (pm_home_store(rq->home, name, &s, why))
		return NULL;
	return s;
}

const char *page_meta(const struct pm_commit_info *c, const char *key)
{
	size_t i;

	for (i = 0; i < c->nr_meta; i++)
		if (!strcmp(c->meta_keys[i], key))
			return c->meta_values[i];
	return NULL;
}
