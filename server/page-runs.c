/*
 * The runs pages: the list with its filters (a keyset page at a time,
 * as /api/flow_runs), and one run with its facts, buttons, task
 * timeline, state history, parameters and logs (filtered by level and
 * text on the server, followed live while the run lives).
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/chart.h"
#include "pm25/records.h"
#include "pm25/run-facts.h"
#include "pm25/state.h"
#include "page.h"

static double run_secs(const struct pm_run *r, int64_t now)
{
	if (r->started_ms == PM_MS_NONE)
		return -1;
	return (double)((r->ended_ms != PM_MS_NONE ? r->ended_ms : now) -
			r->started_ms) /
	       1000;
}

/* A filter's <select> of run states. */
static void state_select(struct pm_buf *b, const char *current)
{
	int k;

	pm_buf_addstr(b, "<label>state<select name=\"state\"><option "
			 "value=\"\">any</option>");
	for (k = 0; k < PM_RUN_NSTATES; k++) {
		const char *n = pm_run_state_name((enum pm_run_state)k);

		pm_buf_addf(b, "<option%s>%s</option>",
			    current && !strcmp(current, n) ? " selected" : "",
			    n);
	}
	pm_buf_addstr(b, "</select></label>");
}

static void text_filter(struct pm_buf *b, const char *name, const char *v)
{
	pm_buf_addf(b, "<label>%s<input name=\"%s\" value=\"", name, name);
	if (v)
		pm_buf_add_html(b, v, strlen(v));
	pm_buf_addstr(b, "\"></label>");
}

void page_runs_table(struct pm_buf *b, const struct pm_run *v, size_t n,
		     int64_t now)
{
	size_t i;

	pm_buf_addstr(b, "<table><thead><tr><th>run</th><th>flow</th>"
			 "<th>deployment</th><th>pool</th><th>state</th>"
			 "<th>created</th><th class=\"num\">duration</th>"
			 "<th class=\"num\">attempt</th><th>reason</th></tr>"
			 "</thead><tbody>\n");
	for (i = 0; i < n; i++) {
		pm_buf_addstr(b, "<tr><td>");
		page_run_link(b, v[i].id);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].flow);
		pm_buf_addstr(b, "</td><td>");
		if (v[i].deployment) {
			pm_buf_addstr(b, "<a href=\"/deployments/");
			page_arg(b, v[i].deployment);
			pm_buf_addstr(b, "\">");
			page_text(b, v[i].deployment);
			pm_buf_addstr(b, "</a>");
		} else {
			page_text(b, NULL);
		}
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].pool);
		pm_buf_addstr(b, "</td><td>");
		page_state(b, pm_run_state_name(v[i].state));
		pm_buf_addstr(b, "</td><td>");
		page_time(b, v[i].created_ms);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_secs(b, run_secs(&v[i], now));
		pm_buf_addf(b, "</td><td class=\"num\">%ld</td><td>",
			    v[i].attempt);
		page_text(b, v[i].reason);
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
}

void page_runs(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_run_filter f = { 0 };
	struct pm_buf err = PM_BUF_INIT, base = PM_BUF_INIT, *b;
	struct pm_run *v = NULL;
	const char *state = rq->query(rq->conn, "state");
	size_t n = 0, count = 0;
	char next[64];
	enum pm_err e;
	int k = state && *state ? pm_run_state_parse(state) : -1;

	f.state = k >= 0 ? pm_run_state_name((enum pm_run_state)k) : NULL;
	f.flow = rq->query(rq->conn, "flow");
	f.deployment = rq->query(rq->conn, "deployment");
	f.flow = f.flow && *f.flow ? f.flow : NULL;
	f.deployment = f.deployment && *f.deployment ? f.deployment : NULL;
	f.cursor = rq->query(rq->conn, "cursor");
	f.limit = 50;
	e = pm_state_run_page(rq->st, &f, &v, &n, &count, next, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		goto out;
	}
	page_open(rq, out, "Runs", "/runs");
	b = &out->body;
	pm_buf_addstr(b, "<form class=\"filters\" method=\"get\" "
			 "action=\"/runs\">");
	state_select(b, f.state);
	text_filter(b, "deployment", f.deployment);
	text_filter(b, "flow", f.flow);
	pm_buf_addf(b,
		    "<button type=\"submit\">Filter</button></form>"
		    "<p>%zu run%s</p>",
		    count, count == 1 ? "" : "s");
	if (n)
		page_runs_table(b, v, n, pm_state_now_ms());
	else
		page_none(b, "No run matches.");
	pm_buf_addstr(&base, "/runs?state=");
	page_arg(&base, f.state);
	pm_buf_addstr(&base, "&deployment=");
	page_arg(&base, f.deployment);
	pm_buf_addstr(&base, "&flow=");
	page_arg(&base, f.flow);
	page_next(b, base.buf, next);
	page_close(out);
out:
	pm_runs_free(v, n);
	pm_buf_release(&err);
	pm_buf_release(&base);
}

/* ------------------------------------------------------------ one run */

static void facts_table(struct pm_buf *b, const struct pm_run *r,
			const struct pm_run_facts *f, int64_t now)
{
	pm_buf_addstr(b,
		      "<table class=\"facts\"><tbody><tr><th>state</th><td>");
	page_state(b, pm_run_state_name(r->state));
	pm_buf_addstr(b, " ");
	page_text(b, r->reason);
	pm_buf_addstr(b, "</td></tr><tr><th>flow</th><td>");
	page_text(b, r->flow);
	pm_buf_addstr(b, "</td></tr><tr><th>deployment</th><td>");
	if (r->deployment) {
		pm_buf_addstr(b, "<a href=\"/deployments/");
		page_arg(b, r->deployment);
		pm_buf_addstr(b, "\">");
		page_text(b, r->deployment);
		pm_buf_addstr(b, "</a>");
	} else {
		page_text(b, NULL);
	}
	pm_buf_addstr(b, "</td></tr><tr><th>work pool</th><td>");
	page_text(b, r->pool);
	pm_buf_addf(b,
		    "</td></tr><tr><th>attempt</th><td>%ld</td></tr>"
		    "<tr><th>slot</th><td>",
		    r->attempt);
	page_time(b, r->slot_ms);
	pm_buf_addstr(b, "</td></tr><tr><th>created</th><td>");
	page_time(b, r->created_ms);
	pm_buf_addstr(b, "</td></tr><tr><th>scheduled</th><td>");
	page_time(b, r->scheduled_ms);
	pm_buf_addstr(b, "</td></tr><tr><th>started</th><td>");
	page_time(b, r->started_ms);
	pm_buf_addstr(b, "</td></tr><tr><th>ended</th><td>");
	page_time(b, r->ended_ms);
	pm_buf_addstr(b, "</td></tr><tr><th>duration</th><td>");
	page_secs(b, run_secs(r, now));
	pm_buf_addstr(b, "</td></tr><tr><th>data branch</th><td>");
	page_text(b, f->branch);
	pm_buf_addstr(b, "</td></tr><tr><th>data commit on main</th><td>");
	if (f->commit) {
		pm_buf_addstr(b, "<a href=\"/data/diff?to=");
		page_arg(b, f->commit);
		pm_buf_addstr(b, "\"><code>");
		pm_buf_add_html(b, f->commit,
				strlen(f->commit) > 12 ? 12 :
							 strlen(f->commit));
		pm_buf_addstr(b, "</code></a> (its diff)");
	} else {
		page_text(b, NULL);
	}
	pm_buf_addstr(b, "</td></tr><tr><th>model</th><td>");
	if (f->model) {
		pm_buf_addstr(b, "<a href=\"/model\">");
		page_text(b, f->model);
		pm_buf_addf(b, "</a> (%s)",
			    f->model_promoted ? "promoted to champion" :
						"not promoted");
	} else {
		page_text(b, NULL);
	}
	pm_buf_addstr(b, "</td></tr></tbody></table>\n");
}

static void timeline(struct pm_buf *b, const struct pm_run *r,
		     const struct pm_run_facts *f)
{
	struct pm_gantt_row *rows;
	struct pm_buf *tips;
	int64_t t0 = r->started_ms;
	size_t i;

	if (!f->ntasks)
		return;
	if (t0 == PM_MS_NONE || f->tasks[0].start_ms < t0)
		t0 = f->tasks[0].start_ms;
	rows = calloc(f->ntasks, sizeof(*rows));
	tips = calloc(f->ntasks, sizeof(*tips));
	if (!rows || !tips)
		goto out;
	for (i = 0; i < f->ntasks; i++) {
		const struct pm_run_task *t = &f->tasks[i];

		pm_buf_init(&tips[i]);
		pm_buf_addf(&tips[i], "%s %s: %.3f s", t->name, t->state,
			    (double)(t->end_ms - t->start_ms) / 1000);
		rows[i].label = t->name;
		rows[i].colour = page_state_colour(t->state);
		rows[i].tip = tips[i].buf;
		rows[i].start = (double)(t->start_ms - t0) / 1000;
		rows[i].end = (double)(t->end_ms - t0) / 1000;
	}
	page_h2(b, "Tasks");
	pm_chart_gantt(b, "each task from its start to its end", rows,
		       f->ntasks);
out:
	for (i = 0; tips && i < f->ntasks; i++)
		pm_buf_release(&tips[i]);
	free(tips);
	free(rows);
}

static void history(struct pm_buf *b, const struct pm_run_change *h, size_t n)
{
	size_t i;

	page_h2(b, "State history");
	pm_buf_addstr(b, "<table><thead><tr><th>at</th><th>state</th>"
			 "<th>reason</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		pm_buf_addstr(b, "<tr><td>");
		page_time(b, h[i].at_ms);
		pm_buf_addstr(b, "</td><td>");
		page_state(b, pm_run_state_name(h[i].state));
		pm_buf_addstr(b, "</td><td>");
		page_text(b, h[i].reason);
		pm_buf_addstr(b, "</td></tr>");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
}

/* The log lines that level and q keep, and the live stream's table. */
static void logs(const struct srv_req *rq, struct pm_buf *b,
		 const struct pm_run *r, const struct pm_log_line *v, size_t n)
{
	const char *level = rq->query(rq->conn, "level"),
		   *q = rq->query(rq->conn, "q");
	int live = !pm_run_state_final(r->state);
	size_t i, shown = 0;

	level = level && *level ? level : NULL;
	q = q && *q ? q : NULL;
	page_h2(b, "Logs");
	pm_buf_addstr(b,
		      "<form class=\"filters\" method=\"get\"><label>level"
		      "<select name=\"level\"><option value=\"\">any</option>");
	pm_buf_addf(b,
		    "<option%s>info</option><option%s>warning</option>"
		    "<option%s>error</option></select></label>",
		    level && !strcmp(level, "info") ? " selected" : "",
		    level && !strcmp(level, "warning") ? " selected" : "",
		    level && !strcmp(level, "error") ? " selected" : "");
	pm_buf_addstr(b, "<label>text<input name=\"q\" value=\"");
	if (q)
		pm_buf_add_html(b, q, strlen(q));
	pm_buf_addstr(b, "\"></label><button type=\"submit\">Show</button>"
			 "</form>");
	if (live && !level && !q) {
		pm_buf_addstr(b,
			      "<p id=\"live-status\" role=\"status\">The run "
			      "is live: new lines appear as it logs "
			      "them.</p><table id=\"live\" data-stream=\""
			      "/api/flow_runs/");
		page_arg(b, r->id);
		pm_buf_addf(b, "/logs/stream?from=%zu\">", n);
	} else {
		pm_buf_addstr(b, "<table>");
	}
	pm_buf_addstr(b, "<thead><tr><th>at (ICT)</th><th>level</th>"
			 "<th>task</th><th>message</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		if ((level && (!v[i].level || strcmp(v[i].level, level))) ||
		    (q && (!v[i].message || !strstr(v[i].message, q))))
			continue;
		shown++;
		pm_buf_addstr(b, "<tr><td>");
		page_time(b, v[i].at_ms);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].level);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].task);
		pm_buf_addstr(b, "</td><td><code>");
		page_text(b, v[i].message);
		pm_buf_addstr(b, "</code></td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
	if (!shown && !live)
		page_none(b, "No log line matches.");
}

static void buttons(const struct srv_req *rq, struct pm_buf *b,
		    const struct pm_run *r)
{
	struct pm_buf url = PM_BUF_INIT, q = PM_BUF_INIT;
	int final = pm_run_state_final(r->state);

	pm_buf_addstr(&url, "/api/flow_runs/");
	page_arg(&url, r->id);
	pm_buf_addstr(&url, final ? "/retry" : "/cancel");
	pm_buf_addf(&q, "%s run %s?", final ? "Retry" : "Cancel", r->id);
	pm_buf_addstr(b, "<div class=\"actions\">");
	page_button(rq, b, final ? "Retry" : "Cancel", "POST", url.buf, NULL,
		    q.buf);
	pm_buf_addstr(b, "</div>");
	pm_buf_release(&url);
	pm_buf_release(&q);
}

void page_run(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT, title = PM_BUF_INIT, *b;
	struct pm_run_change *h = NULL;
	struct pm_log_line *v = NULL;
	struct pm_run_facts facts;
	struct pm_run r;
	size_t nh = 0, n = 0;
	enum pm_err e;

	memset(&facts, 0, sizeof(facts));
	e = pm_state_run_load(rq->st, rq->param[0], &r, &h, &nh, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		goto out;
	}
	e = pm_state_run_log(rq->st, r.id, &v, &n, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		pm_run_release(&r);
		goto out;
	}
	pm_run_facts_read(v, n, &facts);
	pm_buf_addf(&title, "Run %s", r.id);
	page_open(rq, out, title.buf, "/runs");
	b = &out->body;
	buttons(rq, b, &r);
	facts_table(b, &r, &facts, pm_state_now_ms());
	timeline(b, &r, &facts);
	history(b, h, nh);
	page_h2(b, "Parameters");
	pm_buf_addstr(b, "<pre>");
	page_text(b, r.parameters);
	pm_buf_addstr(b, "</pre>");
	logs(rq, b, &r, v, n);
	page_close(out);
	pm_run_release(&r);
out:
	pm_run_facts_release(&facts);
	pm_run_changes_free(h, nh);
	pm_log_lines_free(v, n);
	pm_buf_release(&err);
	pm_buf_release(&title);
}
