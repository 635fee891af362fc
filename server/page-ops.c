/*
 * The operations pages: work pools with their buttons and the workers
 * with their heartbeats and runs held; the alert outbox with tries and
 * errors.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "page.h"

static void pool_rows(const struct srv_req *rq, struct pm_buf *b,
		      const struct pm_pool_info *v, size_t n)
{
	struct pm_buf url = PM_BUF_INIT, q = PM_BUF_INIT;
	size_t i;

	pm_buf_addstr(b, "<table><thead><tr><th>work pool</th><th>type</th>"
			 "<th>status</th><th class=\"num\">workers online</th>"
			 "<th></th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		pm_buf_reset(&url);
		pm_buf_reset(&q);
		pm_buf_addstr(&url, "/api/work_pools/");
		page_arg(&url, v[i].name);
		pm_buf_addstr(&url, v[i].paused ? "/resume" : "/pause");
		pm_buf_addf(&q, "%s work pool %s?",
			    v[i].paused ? "Resume" : "Pause", v[i].name);
		pm_buf_addstr(b, "<tr><td>");
		page_text(b, v[i].name);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].type);
		pm_buf_addstr(b, "</td><td>");
		page_state(b, v[i].status);
		pm_buf_addf(b, "</td><td class=\"num\">%ld</td><td>",
			    v[i].online);
		page_button(rq, b, v[i].paused ? "Resume" : "Pause", "POST",
			    url.buf, NULL, q.buf);
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
	pm_buf_release(&url);
	pm_buf_release(&q);
}

static void worker_rows(struct pm_buf *b, const struct pm_worker_info *v,
			size_t n, int64_t now)
{
	size_t i;

	pm_buf_addstr(b, "<table><thead><tr><th>worker</th><th>pool</th>"
			 "<th>status</th><th>last heartbeat</th><th "
			 "class=\"num\">runs held</th><th>host</th><th "
			 "class=\"num\">pid</th><th>version</th><th>started"
			 "</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		pm_buf_addstr(b, "<tr><td>");
		page_text(b, v[i].name);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].pool);
		pm_buf_addstr(b, "</td><td>");
		page_state(b, v[i].status);
		pm_buf_addstr(b, "</td><td>");
		page_age(b, v[i].heartbeat_ms, now);
		pm_buf_addf(b, "</td><td class=\"num\">%ld</td><td>",
			    v[i].runs);
		page_text(b, v[i].host);
		pm_buf_addf(b, "</td><td class=\"num\">%ld</td><td>", v[i].pid);
		page_text(b, v[i].version);
		pm_buf_addstr(b, "</td><td>");
		page_time(b, v[i].started_ms);
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
}

void page_pools(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT, *b;
	struct pm_pool_info *pools = NULL;
	struct pm_worker_info *workers = NULL;
	size_t np = 0, nw = 0;
	enum pm_err e = pm_state_pool_list(rq->st, &pools, &np, &err);

	if (!e)
		e = pm_state_worker_list(rq->st, NULL, &workers, &nw, &err);
	if (e) {
		srv_fail(out, e, err.buf);
		goto out;
	}
	page_open(rq, out, "Pools and workers", "/pools");
	b = &out->body;
	page_h2(b, "Work pools");
	pool_rows(rq, b, pools, np);
	page_h2(b, "Workers");
	if (nw)
		worker_rows(b, workers, nw, pm_state_now_ms());
	else
		page_none(b, "No worker has registered: start pm25 worker "
			     "(or pm25 server, which runs one for "
			     "etl-pool-dev).");
	page_close(out);
out:
	pm_pools_free(pools, np);
	pm_workers_free(workers, nw);
	pm_buf_release(&err);
}

#define ALERTS_PAGE 100

void page_alerts(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT, *b;
	struct pm_alert *v = NULL;
	const char *status = rq->query(rq->conn, "status");
	size_t n = 0, i, first;
	long pg;
	enum pm_err e;

	status = status && *status ? status : NULL;
	if (srv_query_long(rq, "page", 0, 1000, 0, &pg)) {
		srv_error(out, 400, "bad_request", "page is 0 to 1000");
		goto out;
	}
	/* a page of ALERTS_PAGE, newest first, and one more to know */
	e = pm_state_alert_list(rq->st, status,
				(size_t)(pg + 1) * ALERTS_PAGE + 1, &v, &n,
				&err);
	if (e) {
		srv_fail(out, e, err.buf);
		goto out;
	}
	page_open(rq, out, "Alerts", "/alerts");
	b = &out->body;
	pm_buf_addf(b, "<p>The outbox: each alert with its tries, newest first "
		       "(page %ld).</p>",
		    pg + 1);
	first = (size_t)pg * ALERTS_PAGE;
	if (n <= first) {
		page_none(b, "No alert.");
		page_close(out);
		goto out;
	}
	pm_buf_addstr(b, "<table><thead><tr><th>raised</th><th>kind</th>"
			 "<th>run</th><th>deployment</th><th>status</th>"
			 "<th class=\"num\">tries</th><th>sent</th><th>last "
			 "error</th><th>text</th></tr></thead><tbody>");
	for (i = first; i < n && i < first + ALERTS_PAGE; i++) {
		pm_buf_addstr(b, "<tr><td>");
		page_time(b, v[i].created_ms);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].kind);
		pm_buf_addstr(b, "</td><td>");
		if (v[i].run)
			page_run_link(b, v[i].run);
		else
			page_text(b, NULL);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].deployment);
		pm_buf_addstr(b, "</td><td>");
		page_state(b, v[i].status);
		pm_buf_addf(b, "</td><td class=\"num\">%ld</td><td>",
			    v[i].tries);
		page_time(b, v[i].sent_ms);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].error);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].text);
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
	if (n > first + ALERTS_PAGE) {
		pm_buf_addf(b, "<p class=\"pager\"><a rel=\"next\" "
			       "href=\"/alerts?page=%ld&amp;status=",
			    pg + 1);
		page_arg(b, status);
		pm_buf_addstr(b, "\">next page &rarr;</a></p>");
	}
	page_close(out);
out:
	pm_alerts_free(v, n);
	pm_buf_release(&err);
}
