/*
 * GET /metrics: the Prometheus text format. Runs by deployment and
 * state, histograms of run duration and schedule delay, Late runs and
 * workers by pool, the last publish, alert sends, the server's requests
 * by route and code with a latency histogram, and the build. Labels are
 * deployments, pools, states, routes and codes: no run ids.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/version.h"
#include "server-int.h"

/* A label value, escaped as the text format says. */
static void label(struct pm_buf *b, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			pm_buf_addch(b, '\\');
		if (*v == '\n')
			pm_buf_addstr(b, "\\n");
		else
			pm_buf_addch(b, *v);
	}
}

static void head(struct pm_buf *b, const char *name, const char *type,
		 const char *help)
{
	pm_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(struct pm_buf *b, const char *name, const char *help,
		      const struct pm_histogram *h)
{
	size_t i;

	head(b, name, "histogram", help);
	for (i = 0; i < PM_METRICS_NBUCKETS; i++)
		pm_buf_addf(b, "%s_bucket{le=\"%g\"} %ld\n", name, h->le[i],
			    h->count[i]);
	pm_buf_addf(b, "%s_bucket{le=\"+Inf\"} %ld\n%s_sum %.3f\n%s_count %ld\n",
		    name, h->total, name, h->sum, name, h->total);
}

static void state_part(struct pm_buf *b, const struct pm_state_metrics *m)
{
	size_t i;

	head(b, "pm25_flow_runs_total", "counter",
	     "Flow runs in the state database, by deployment and state.");
	for (i = 0; i < m->nr_runs; i++) {
		pm_buf_addstr(b, "pm25_flow_runs_total{deployment=\"");
		label(b, m->runs[i].a);
		pm_buf_addstr(b, "\",state=\"");
		label(b, m->runs[i].b);
		pm_buf_addf(b, "\"} %ld\n", m->runs[i].n);
	}
	histogram(b, "pm25_flow_run_duration_seconds",
		  "How long ended runs ran.", &m->duration);
	histogram(b, "pm25_flow_run_schedule_delay_seconds",
		  "From a scheduled run's slot to its start.", &m->delay);
	head(b, "pm25_late_runs", "gauge", "Late runs, by work pool.");
	for (i = 0; i < m->nr_late; i++) {
		pm_buf_addstr(b, "pm25_late_runs{pool=\"");
		label(b, m->late[i].a);
		pm_buf_addf(b, "\"} %ld\n", m->late[i].n);
	}
	head(b, "pm25_workers", "gauge", "Workers, by work pool and status.");
	for (i = 0; i < m->nr_workers; i++) {
		pm_buf_addstr(b, "pm25_workers{pool=\"");
		label(b, m->workers[i].a);
		pm_buf_addstr(b, "\",status=\"");
		label(b, m->workers[i].b);
		pm_buf_addf(b, "\"} %ld\n", m->workers[i].n);
	}
	head(b, "pm25_last_publish_timestamp_seconds", "gauge",
	     "When an ingest-clean or backfill run last completed.");
	pm_buf_addf(b, "pm25_last_publish_timestamp_seconds %.3f\n",
		    (double)m->last_publish_ms / 1000);
	head(b, "pm25_alert_sends_total", "counter",
	     "Alerts delivered (sent) or given up (failed).");
	for (i = 0; i < m->nr_alerts; i++) {
		if (strcmp(m->alerts[i].a, "sent") &&
		    strcmp(m->alerts[i].a, "failed"))
			continue;
		pm_buf_addf(b, "pm25_alert_sends_total{status=\"%s\"} %ld\n",
			    m->alerts[i].a, m->alerts[i].n);
	}
}

/* The request counts of slot i of s, named route. */
static void requests(struct pm_buf *b, const struct srv_stats *s, size_t i,
		     const char *method, const char *route)
{
	size_t k;

	for (k = 0; k < SRV_NCODES; k++)
		if (s->requests[i][k])
			pm_buf_addf(b,
				    "pm25_http_requests_total{method=\"%s\","
				    "route=\"%s\",code=\"%d\"} %lu\n",
				    method, route, srv_codes[k],
				    s->requests[i][k]);
}

static void http_part(struct pm_buf *b, struct srv_stats *s)
{
	size_t i, k;

	head(b, "pm25_http_requests_total", "counter",
	     "Requests answered, by route and status code.");
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < SRV_MAX_ROUTES && srv_routes[i].method; i++)
		requests(b, s, i, srv_routes[i].method, srv_routes[i].pattern);
	requests(b, s, SRV_MAX_ROUTES, "any", "none");
	head(b, "pm25_http_request_duration_seconds", "histogram",
	     "Time to answer a request, by route.");
	for (i = 0; i < SRV_MAX_ROUTES && srv_routes[i].method; i++) {
		const char *m = srv_routes[i].method, *r = srv_routes[i].pattern;

		if (!s->count[i])
			continue;
		for (k = 0; k < SRV_NBUCKETS; k++)
			pm_buf_addf(b,
				    "pm25_http_request_duration_seconds_bucket{"
				    "method=\"%s\",route=\"%s\",le=\"%g\"} "
				    "%lu\n",
				    m, r, srv_buckets[k], s->le[i][k]);
		pm_buf_addf(b,
			    "pm25_http_request_duration_seconds_bucket{method="
			    "\"%s\",route=\"%s\",le=\"+Inf\"} %lu\n",
			    m, r, s->count[i]);
		pm_buf_addf(b,
			    "pm25_http_request_duration_seconds_sum{method=\"%s"
			    "\",route=\"%s\"} %.6f\n",
			    m, r, s->sum_s[i]);
		pm_buf_addf(b,
			    "pm25_http_request_duration_seconds_count{method="
			    "\"%s\",route=\"%s\"} %lu\n",
			    m, r, s->count[i]);
	}
	pthread_mutex_unlock(&s->lock);
}

void api_metrics(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state_metrics m;
	enum pm_err e = pm_state_metrics_read(rq->st, &m, &err);

	if (e) {
		srv_fail(out, e, err.buf);
		pm_buf_release(&err);
		return;
	}
	out->type = "text/plain; version=0.0.4; charset=utf-8";
	head(&out->body, "pm25_build_info", "gauge",
	     "The pm25 that serves, by version.");
	pm_buf_addf(&out->body, "pm25_build_info{version=\"%s\"} 1\n",
		    PM25_VERSION);
	state_part(&out->body, &m);
	http_part(&out->body, rq->stats);
	pm_state_metrics_release(&m);
	pm_buf_release(&err);
}
