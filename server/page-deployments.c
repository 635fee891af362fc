/*
 * The deployments pages: the list with schedules and next runs, and one
 * deployment with its next runs, its buttons (Run, Pause or Resume,
 * Promote to the next pool, Roll back to a version), its versions with
 * what changed from one to the next, and its recent runs.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/cron.h"
#include "pm25/deployment.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "page.h"

/* dev → stage → prod: the pool a promotion goes to, or NULL. */
static const char *next_pool(const char *pool)
{
	static const char *const order[] = { "etl-pool-dev", "etl-pool-stage",
					     "etl-pool-prod", NULL };
	size_t i;

	for (i = 0; pool && order[i]; i++)
		if (!strcmp(order[i], pool))
			return order[i + 1];
	return NULL;
}

/* The next n firings of d's schedule after now (s), as times. */
static void upcoming(struct pm_buf *b, const struct pm_deployment *d,
		     int64_t now, int n, int inline_list)
{
	struct pm_cron c;
	struct pm_buf err = PM_BUF_INIT;
	int64_t t = now;
	int i;

	if (!d->cron || pm_cron_parse(&c, d->cron, &err)) {
		pm_buf_addstr(b, inline_list ? "&ndash;" :
					       "<p class=\"none\">It runs only "
					       "when asked.</p>");
		pm_buf_release(&err);
		return;
	}
	if (!inline_list)
		pm_buf_addstr(b, "<ul>");
	for (i = 0; i < n; i++) {
		t = pm_cron_next(&c, d->timezone, t);
		if (t < 0)
			break;
		pm_buf_addstr(b, inline_list ? "" : "<li>");
		page_time(b, t * 1000);
		pm_buf_addstr(b, inline_list ? "" : "</li>");
	}
	if (!inline_list)
		pm_buf_addstr(b, "</ul>");
	pm_buf_release(&err);
}

static void deployment_link(struct pm_buf *b, const char *name)
{
	pm_buf_addstr(b, "<a href=\"/deployments/");
	page_arg(b, name);
	pm_buf_addstr(b, "\">");
	page_text(b, name);
	pm_buf_addstr(b, "</a>");
}

void page_deployments(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT, *b;
	struct pm_deployment *v = NULL;
	int64_t now = pm_state_now_ms() / 1000;
	size_t n = 0, i;

	if (pm_state_deployment_list(rq->st, &v, &n, &err)) {
		srv_fail(out, PM_ERR_NET, err.buf);
		goto out;
	}
	page_open(rq, out, "Deployments", "/deployments");
	b = &out->body;
	if (!n)
		page_none(b, "No deployment yet: pm25 deployment apply "
			     "deployments.yaml.");
	else
		pm_buf_addstr(b, "<table><thead><tr><th>deployment</th><th>"
				 "state</th><th>schedule</th><th>next run</th>"
				 "<th>work pool</th><th class=\"num\">version"
				 "</th><th>image</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		pm_buf_addstr(b, "<tr><td>");
		deployment_link(b, v[i].name);
		pm_buf_addstr(b, "</td><td>");
		page_state(b, v[i].paused ? "paused" : "active");
		pm_buf_addstr(b, "</td><td><code>");
		page_text(b, v[i].cron);
		pm_buf_addstr(b, "</code> ");
		page_text(b, v[i].cron ? v[i].timezone : "");
		pm_buf_addstr(b, "</td><td>");
		if (v[i].paused)
			pm_buf_addstr(b, "paused");
		else
			upcoming(b, &v[i], now, 1, 1);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].work_pool);
		pm_buf_addf(b, "</td><td class=\"num\">%ld</td><td><code>",
			    v[i].version);
		page_text(b, v[i].image);
		pm_buf_addstr(b, "</code></td></tr>\n");
	}
	if (n)
		pm_buf_addstr(b, "</tbody></table>");
	page_close(out);
out:
	pm_deployments_release(v, n);
	pm_buf_release(&err);
}

/* A field of version a that differs in version b, as a row. */
static void changed(struct pm_buf *b, const char *what, const char *x,
		    const char *y)
{
	if ((!x && !y) || (x && y && !strcmp(x, y)))
		return;
	pm_buf_addstr(b, "<li>");
	page_text(b, what);
	pm_buf_addstr(b, ": <code>");
	page_text(b, x);
	pm_buf_addstr(b, "</code> &rarr; <code>");
	page_text(b, y);
	pm_buf_addstr(b, "</code></li>");
}

static void versions(const struct srv_req *rq, struct pm_buf *b,
		     const struct pm_deployment *d,
		     const struct pm_deployment_version *v, size_t n)
{
	struct pm_buf url = PM_BUF_INIT, body = PM_BUF_INIT, q = PM_BUF_INIT,
		      label = PM_BUF_INIT;
	size_t i;

	page_h2(b, "Versions");
	pm_buf_addstr(b,
		      "<table><thead><tr><th class=\"num\">version</th>"
		      "<th>made</th><th>change</th><th>what changed from "
		      "the version before</th><th></th></tr></thead><tbody>");
	for (i = n; i-- > 0;) {
		pm_buf_addf(b, "<tr><td class=\"num\">%ld</td><td>",
			    v[i].version);
		page_time(b, v[i].created_ms);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].change);
		pm_buf_addstr(b, "</td><td><ul>");
		if (i > 0) {
			changed(b, "work pool", v[i - 1].work_pool,
				v[i].work_pool);
			changed(b, "image", v[i - 1].image, v[i].image);
			changed(b, "schedule", v[i - 1].cron, v[i].cron);
			changed(b, "parameters", v[i - 1].parameters,
				v[i].parameters);
		}
		pm_buf_addstr(b, "</ul></td><td>");
		if (v[i].version != d->version) {
			pm_buf_reset(&url);
			pm_buf_reset(&body);
			pm_buf_reset(&q);
			pm_buf_reset(&label);
			pm_buf_addstr(&url, "/api/deployments/");
			page_arg(&url, d->name);
			pm_buf_addstr(&url, "/rollback");
			pm_buf_addf(&body, "{\"to\": %ld}", v[i].version);
			pm_buf_addf(&q, "Roll %s back to version %ld?", d->name,
				    v[i].version);
			pm_buf_addf(&label, "Roll back to v%ld", v[i].version);
			page_button(rq, b, label.buf, "POST", url.buf, body.buf,
				    q.buf);
		} else {
			pm_buf_addstr(b, "current");
		}
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
	pm_buf_release(&url);
	pm_buf_release(&body);
	pm_buf_release(&q);
	pm_buf_release(&label);
}

static void actions(const struct srv_req *rq, struct pm_buf *b,
		    const struct pm_deployment *d)
{
	struct pm_buf base = PM_BUF_INIT, url = PM_BUF_INIT, q = PM_BUF_INIT,
		      body = PM_BUF_INIT;
	const char *to = next_pool(d->work_pool);

	pm_buf_addstr(&base, "/api/deployments/");
	page_arg(&base, d->name);
	pm_buf_addstr(b, "<div class=\"actions\">");
	pm_buf_addf(&url, "%s/run", base.buf);
	pm_buf_addf(&q, "Run %s now?", d->name);
	page_button(rq, b, "Run", "POST", url.buf, NULL, q.buf);
	pm_buf_reset(&url);
	pm_buf_reset(&q);
	pm_buf_addf(&url, "%s/%s", base.buf, d->paused ? "resume" : "pause");
	pm_buf_addf(&q, "%s %s?", d->paused ? "Resume" : "Pause", d->name);
	page_button(rq, b, d->paused ? "Resume" : "Pause", "POST", url.buf,
		    NULL, q.buf);
	if (to) {
		char label[64];

		pm_buf_reset(&q);
		pm_buf_addf(&q, "Promote %s from %s to %s?", d->name,
			    d->work_pool, to);
		pm_buf_addf(&body, "{\"work_pool\": \"%s\"}", to);
		snprintf(label, sizeof(label), "Promote to %s", to);
		page_button(rq, b, label, "PATCH", base.buf, body.buf, q.buf);
	}
	pm_buf_addstr(b, "</div>");
	pm_buf_release(&base);
	pm_buf_release(&url);
	pm_buf_release(&q);
	pm_buf_release(&body);
}

static void recent_runs(const struct srv_req *rq, struct pm_buf *b,
			const char *name)
{
	struct pm_run_filter f = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_run *v = NULL;
	size_t n = 0, count = 0;
	char next[64];

	f.deployment = name;
	f.limit = 10;
	page_h2(b, "Recent runs");
	if (pm_state_run_page(rq->st, &f, &v, &n, &count, next, &err))
		page_none(b, err.buf);
	else if (!n)
		page_none(b, "No run yet.");
	else
		page_runs_table(b, v, n, pm_state_now_ms());
	if (count > n) {
		pm_buf_addf(b, "<p><a href=\"/runs?deployment=");
		page_arg(b, name);
		pm_buf_addf(b, "\">all %zu runs</a></p>", count);
	}
	pm_runs_free(v, n);
	pm_buf_release(&err);
}

void page_deployment(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT, *b;
	struct pm_deployment_version *vs = NULL;
	struct pm_deployment d;
	char name[300];
	size_t n = 0;
	enum pm_err e;

	memset(&d, 0, sizeof(d));
	snprintf(name, sizeof(name), "%s/%s", rq->param[0], rq->param[1]);
	e = pm_state_deployment_get(rq->st, name, 0, &d, &err);
	if (!e)
		e = pm_state_deployment_history(rq->st, name, &vs, &n, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		goto out;
	}
	page_open(rq, out, name, "/deployments");
	b = &out->body;
	actions(rq, b, &d);
	pm_buf_addstr(b,
		      "<table class=\"facts\"><tbody><tr><th>state</th><td>");
	page_state(b, d.paused ? "paused" : "active");
	pm_buf_addstr(b, "</td></tr><tr><th>flow</th><td>");
	page_text(b, d.flow);
	pm_buf_addstr(b, "</td></tr><tr><th>schedule</th><td><code>");
	page_text(b, d.cron);
	pm_buf_addstr(b, "</code> ");
	page_text(b, d.timezone);
	pm_buf_addstr(b, "</td></tr><tr><th>work pool</th><td>");
	page_text(b, d.work_pool);
	pm_buf_addstr(b, "</td></tr><tr><th>image</th><td><code>");
	page_text(b, d.image);
	pm_buf_addf(b,
		    "</code></td></tr><tr><th>version</th><td>%ld</td></tr>"
		    "<tr><th>concurrency limit</th><td>%ld</td></tr>"
		    "<tr><th>parameters</th><td><code>",
		    d.version, d.concurrency_limit);
	page_text(b, d.parameters);
	pm_buf_addstr(b, "</code></td></tr></tbody></table>\n");
	page_h2(b, "Next runs");
	if (d.paused)
		page_none(b,
			  "Paused: no run is scheduled until it is resumed.");
	else
		upcoming(b, &d, pm_state_now_ms() / 1000, 5, 0);
	versions(rq, b, &d, vs, n);
	recent_runs(rq, b, name);
	page_close(out);
out:
	pm_deployment_versions_free(vs, n);
	pm_deployment_release(&d);
	pm_buf_release(&err);
}
