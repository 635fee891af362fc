/*
 * The overview: runs by state over the last 24 hours and 7 days, Late
 * runs with their reasons, failing deployments, workers online per
 * pool, how fresh each station's data is, and the quality score of the
 * last publishes. Each part that cannot be read says so in its place.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/chart.h"
#include "pm25/deployment.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/stations.h"
#include "pm25/store.h"
#include "page.h"

#define MAX_STATES PM_RUN_NSTATES

/* A stacked bar chart of runs per bucket and state since since_ms. */
static void runs_chart(const struct srv_req *rq, struct pm_buf *b,
		       const char *title, int64_t since_ms, int64_t bucket_ms,
		       size_t nbuckets)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_metric_count *v = NULL;
	struct pm_chart_series series[MAX_STATES];
	const char *names[MAX_STATES];
	double *y = NULL, *x = NULL;
	struct pm_chart c = { 0 };
	size_t n = 0, ns = 0, i, k;

	if (pm_state_run_buckets(rq->st, since_ms, bucket_ms, &v, &n, &err)) {
		page_none(b, err.buf ? err.buf : "runs cannot be read");
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (k = 0; k < ns && strcmp(names[k], v[i].b); k++)
			;
		if (k == ns && ns < MAX_STATES)
			names[ns++] = v[i].b;
	}
	y = calloc(ns * nbuckets + 1, sizeof(*y));
	x = calloc(nbuckets, sizeof(*x));
	if (!y || !x)
		goto out;
	for (i = 0; i < n; i++) {
		long at = strtol(v[i].a, NULL, 10);

		for (k = 0; k < ns && strcmp(names[k], v[i].b); k++)
			;
		if (at >= 0 && (size_t)at < nbuckets && k < ns)
			y[k * nbuckets + (size_t)at] = (double)v[i].n;
	}
	for (i = 0; i < nbuckets; i++)
		x[i] = (double)(since_ms + (int64_t)i * bucket_ms +
				bucket_ms / 2) /
		       1000;
	for (k = 0; k < ns; k++) {
		series[k].name = names[k];
		series[k].colour = page_state_colour(names[k]);
		series[k].y = y + k * nbuckets;
		series[k].colours = NULL;
		series[k].tips = NULL;
	}
	c.title = title;
	c.y_unit = "runs";
	c.kind = PM_CHART_STACKED;
	c.n = nbuckets;
	c.x = x;
	c.x_time = 1;
	c.series = series;
	c.nseries = ns;
	c.height = 150;
	c.width = 560;
	pm_chart_svg(b, &c);
out:
	free(x);
	free(y);
	pm_metric_counts_free(v, n);
	pm_buf_release(&err);
}

static void late_runs(const struct srv_req *rq, struct pm_buf *b)
{
	struct pm_run_filter f = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_run *v = NULL;
	size_t n = 0, count = 0, i;
	char next[64];

	f.state = "Late";
	f.limit = 10;
	pm_buf_addstr(b, "<section class=\"card\"><h2>Late runs</h2>");
	if (pm_state_run_page(rq->st, &f, &v, &n, &count, next, &err)) {
		page_none(b, err.buf);
	} else if (!n) {
		page_none(b, "No run is late.");
	} else {
		pm_buf_addstr(b, "<table><thead><tr><th>run</th><th>deployment"
				 "</th><th>since</th><th>why</th></tr></thead>"
				 "<tbody>");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(b, "<tr><td>");
			page_run_link(b, v[i].id);
			pm_buf_addstr(b, "</td><td>");
			page_text(b, v[i].deployment);
			pm_buf_addstr(b, "</td><td>");
			page_time(b, v[i].scheduled_ms);
			pm_buf_addstr(b, "</td><td>");
			page_text(b, v[i].reason);
			pm_buf_addstr(b, "</td></tr>");
		}
		pm_buf_addstr(b, "</tbody></table>");
		if (count > n)
			pm_buf_addf(b,
				    "<p><a href=\"/runs?state=Late\">all %zu "
				    "Late runs</a></p>",
				    count);
	}
	pm_buf_addstr(b, "</section>\n");
	pm_runs_free(v, n);
	pm_buf_release(&err);
}

/* The newest ended run of deployment name, if it failed: its row. */
static int failing_row(const struct srv_req *rq, struct pm_buf *b,
		       const char *name)
{
	struct pm_run_filter f = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_run *v = NULL;
	size_t n = 0, count = 0, i;
	char next[64];
	int shown = 0;

	f.deployment = name;
	f.limit = 20;
	if (pm_state_run_page(rq->st, &f, &v, &n, &count, next, &err))
		n = 0;
	for (i = 0; i < n && !pm_run_state_final(v[i].state); i++)
		;
	if (i < n && v[i].state != PM_RUN_COMPLETED &&
	    v[i].state != PM_RUN_CANCELLED) {
		pm_buf_addstr(b, "<tr><td><a href=\"/deployments/");
		page_arg(b, name);
		pm_buf_addstr(b, "\">");
		page_text(b, name);
		pm_buf_addstr(b, "</a></td><td>");
		page_run_link(b, v[i].id);
		pm_buf_addstr(b, " ");
		page_state(b, pm_run_state_name(v[i].state));
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].reason);
		pm_buf_addstr(b, "</td></tr>");
		shown = 1;
	}
	pm_runs_free(v, n);
	pm_buf_release(&err);
	return shown;
}

static void failing(const struct srv_req *rq, struct pm_buf *b)
{
	struct pm_buf err = PM_BUF_INIT, rows = PM_BUF_INIT;
	struct pm_deployment *v = NULL;
	size_t n = 0, i, failed = 0;

	pm_buf_addstr(b,
		      "<section class=\"card\"><h2>Failing deployments</h2>");
	if (pm_state_deployment_list(rq->st, &v, &n, &err)) {
		page_none(b, err.buf);
		goto out;
	}
	for (i = 0; i < n; i++)
		failed += (size_t)failing_row(rq, &rows, v[i].name);
	if (!failed) {
		pm_buf_addf(b,
			    "<p class=\"none\">None: the last run of each of "
			    "the %zu deployments did not fail.</p>",
			    n);
	} else {
		pm_buf_addstr(b,
			      "<table><thead><tr><th>deployment</th><th>last "
			      "ended run</th><th>why</th></tr></thead><tbody>");
		pm_buf_add(b, rows.buf, rows.len);
		pm_buf_addstr(b, "</tbody></table>");
	}
out:
	pm_buf_addstr(b, "</section>\n");
	pm_deployments_release(v, n);
	pm_buf_release(&err);
	pm_buf_release(&rows);
}

static void pools(const struct srv_req *rq, struct pm_buf *b)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_pool_info *v = NULL;
	size_t n = 0, i;

	pm_buf_addstr(b, "<section class=\"card\"><h2>Workers</h2>");
	if (pm_state_pool_list(rq->st, &v, &n, &err)) {
		page_none(b, err.buf);
	} else {
		pm_buf_addstr(b,
			      "<table><thead><tr><th>work pool</th><th>status"
			      "</th><th class=\"num\">workers online</th></tr>"
			      "</thead><tbody>");
		for (i = 0; i < n; i++) {
			pm_buf_addstr(b, "<tr><td><a href=\"/pools\">");
			page_text(b, v[i].name);
			pm_buf_addstr(b, "</a></td><td>");
			page_state(b, v[i].status);
			pm_buf_addf(b, "</td><td class=\"num\">%ld</td></tr>",
				    v[i].online);
		}
		pm_buf_addstr(b, "</tbody></table>");
	}
	pm_buf_addstr(b, "</section>\n");
	pm_pools_free(v, n);
	pm_buf_release(&err);
}

static int by_age(const void *a, const void *b)
{
	const struct pm_station_now *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

static void freshness(struct pm_buf *b, struct pm_store *data, int64_t now_ms)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_station_now *v = NULL;
	size_t n = 0, i, fresh = 0, never = 0;

	pm_buf_addstr(b, "<section class=\"card\"><h2>Data freshness</h2>");
	if (!data || pm_stations_now(data, &v, &n, &err)) {
		page_none(b, data ? err.buf : "the data store does not answer");
		goto out;
	}
	if (!n) {
		page_none(b, "No station has a published hour yet.");
		goto out;
	}
	qsort(v, n, sizeof(*v), by_age);
	for (i = 0; i < n; i++) {
		never += v[i].time == PM_STATION_NONE;
		fresh += v[i].time != PM_STATION_NONE &&
			 now_ms / 1000 - v[i].time <= 2 * 3600;
	}
	pm_buf_addf(b,
		    "<p>%zu of %zu stations have an hour published in the "
		    "last 2 hours",
		    fresh, n);
	if (never)
		pm_buf_addf(b, "; %zu have none yet", never);
	pm_buf_addstr(b, ". The stalest:</p><table><thead><tr><th>station</th>"
			 "<th>last hour (ICT)</th><th class=\"num\">age</th>"
			 "</tr></thead><tbody>");
	for (i = never; i < n && i < never + 8; i++) {
		pm_buf_addstr(b, "<tr><td>");
		page_text(b, v[i].id);
		pm_buf_addstr(b, " ");
		page_text(b, v[i].name_en ? v[i].name_en : v[i].name_th);
		pm_buf_addstr(b, "</td><td>");
		page_time(b, v[i].time * 1000);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_age(b, v[i].time * 1000, now_ms);
		pm_buf_addstr(b, "</td></tr>");
	}
	pm_buf_addstr(b, "</tbody></table><p><a href=\"/stations\">every "
			 "station</a></p>");
out:
	pm_buf_addstr(b, "</section>\n");
	pm_stations_now_free(v, n);
	pm_buf_release(&err);
}

/* The score of main's last publishes, oldest first, as a small line. */
static void scores(struct pm_buf *b, struct pm_store *data)
{
	struct pm_commit_list l = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_chart_series s = { "score", "#1f6fb2", NULL, NULL, NULL };
	struct pm_chart c = { 0 };
	double *x = NULL, *y = NULL;
	size_t i, n = 0;

	pm_buf_addstr(b, "<section class=\"card\"><h2>Quality score</h2>");
	if (!data || pm_store_log(data, "main", 200, &l, &err)) {
		page_none(b, data ? err.buf : "the data store does not answer");
		goto out;
	}
	x = calloc(l.nr + 1, sizeof(*x));
	y = calloc(l.nr + 1, sizeof(*y));
	if (!x || !y)
		goto out;
	for (i = l.nr; i-- > 0;) {
		const char *v = page_meta(&l.c[i], "score");

		if (!v)
			continue;
		x[n] = (double)l.c[i].time;
		y[n++] = strtod(v, NULL);
	}
	if (!n) {
		page_none(b, "No publish on main yet.");
		goto out;
	}
	s.y = y;
	c.title = "the score (accepted rows / rows in) of each publish on main";
	c.y_unit = "score";
	c.kind = PM_CHART_LINES;
	c.n = n;
	c.x = x;
	c.x_time = 1;
	c.y_from_zero = 1;
	c.series = &s;
	c.nseries = 1;
	c.height = 110;
	c.width = 560;
	pm_chart_svg(b, &c);
	pm_buf_addstr(b, "<p><a href=\"/quality\">quality by deployment and "
			 "rule</a></p>");
out:
	pm_buf_addstr(b, "</section>\n");
	free(x);
	free(y);
	pm_commit_list_release(&l);
	pm_buf_release(&err);
}

void page_overview(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf why = PM_BUF_INIT, *b;
	int64_t now = pm_state_now_ms(), hour = 3600000, day = 24 * hour;
	struct pm_store *data = page_store(rq, "data", &why);

	page_open(rq, out, "Overview", "/");
	b = &out->body;
	pm_buf_addstr(b, "<div class=\"cards\"><section class=\"card\">"
			 "<h2>Runs by state</h2>");
	runs_chart(rq, b, "runs created per hour, the last 24 hours",
		   (now / hour - 23) * hour, hour, 24);
	runs_chart(rq, b, "runs created per day (UTC), the last 7 days",
		   (now / day - 6) * day, day, 7);
	pm_buf_addstr(b, "</section>\n");
	late_runs(rq, b);
	failing(rq, b);
	pools(rq, b);
	freshness(b, data, now);
	scores(b, data);
	pm_buf_addstr(b, "</div>");
	page_close(out);
	pm_store_close(data);
	pm_buf_release(&why);
}
