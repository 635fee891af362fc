/*
 * The source registry and the fetch-parse-filter loop shared by every
 * driver.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "../limits.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/fsutil.h"
#include "pm25/http.h"
#include "pm25/log.h"
#include "pm25/num.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "json-int.h"
#include "source-int.h"

static const struct pm_source *const sources[] = {
	&pm_source_air4thai, &pm_source_air4thai_history, &pm_source_waqi,
	&pm_source_openaq,   &pm_source_csv,	       NULL,
};

const struct pm_source *const *pm_source_list(void)
{
	return sources;
}

const struct pm_source *pm_source_find(const char *name)
{
	size_t i;

	for (i = 0; sources[i]; i++)
		if (!strcmp(sources[i]->name, name))
			return sources[i];
	return NULL;
}

enum pm_err pm_source_ready(const struct pm_source *src, struct pm_buf *err)
{
	int k = src->secret ? pm_config_find(src->secret) : -1;
	const struct pm_config_row *row;
	const char *v;

	if (k < 0)
		return PM_OK;
	v = pm_config_str((enum pm_config_key)k);
	if (v && *v)
		return PM_OK;
	row = pm_config_row((enum pm_config_key)k);
	return pm_errf(err, PM_ERR_USAGE,
		       "source %s needs a token: set %s (or %s in pm25.yaml)",
		       src->name, row->env ? row->env : row->name, row->name);
}

const struct pm_missing *pm_source_missing(const struct pm_source_req *req)
{
	static struct pm_missing defaults;
	static int ready;

	if (req->missing)
		return req->missing;
	if (!ready) {
		pm_missing_default(&defaults);
		ready = 1;
	}
	return &defaults;
}

void pm_source_set_json(struct pm_table *t, size_t r, int col,
			const json_t *v, const struct pm_source_req *req)
{
	double x = NAN;
	enum pm_cell c = pm_json_cell(v, pm_source_missing(req), &x);

	if (col < PM_NMEASURES) {
		if (c == PM_CELL_MARKER)
			t->markers++;
		else if (c == PM_CELL_JUNK)
			t->junk++;
	}
	if (c != PM_CELL_PRESENT)
		return;
	if ((req->zero_missing & (1u << col)) && x == 0) {
		t->met_zero++;
		return;
	}
	t->col[col][r] = x;
}

void pm_ingest_stats_release(struct pm_ingest_stats *s)
{
	free(s->origin);
	memset(s, 0, sizeof(*s));
}

/* Keep the rows of wanted stations and local dates; compacts t. */
void pm_source_filter(struct pm_table *t, const struct pm_source_req *req,
		      size_t from)
{
	size_t i, out = from, k;
	int c;

	if (!req->nr_stations && req->from_day == PM_TIME_NONE &&
	    req->to_day == PM_TIME_NONE && !req->from_time && !req->to_time)
		return;
	for (i = from; i < t->nr; i++) {
		const char *id = t->stations.keys[t->station[i]];
		int keep = !req->nr_stations;

		for (k = 0; k < req->nr_stations && !keep; k++)
			keep = !strcmp(req->stations[k], id);
		if (keep && t->time[i] != PM_TIME_NONE) {
			/* the local date of the label, as the API counts */
			int64_t day = pm_floor_div(t->time[i] + PM_ICT_OFFSET,
						   86400);

			if (req->from_day != PM_TIME_NONE && day < req->from_day)
				keep = 0;
			if (req->to_day != PM_TIME_NONE && day > req->to_day)
				keep = 0;
			if (req->from_time && t->time[i] <= req->from_time)
				keep = 0;
			if (req->to_time && t->time[i] > req->to_time)
				keep = 0;
		}
		if (!keep)
			continue;
		t->station[out] = t->station[i];
		t->time[out] = t->time[i];
		for (c = 0; c < PM_NCOLS; c++)
			t->col[c][out] = t->col[c][i];
		t->flags[out] = t->flags[i];
		t->line[out] = t->line[i];
		out++;
	}
	t->nr = out;
}

void pm_fetched_release(struct pm_fetched *f)
{
	size_t i;

	for (i = 0; f->page_station && i < f->nr_pages; i++)
		free(f->page_station[i]);
	free(f->page_station);
	for (i = 0; i < f->nr_failed; i++) {
		free(f->failed[i].station);
		free(f->failed[i].why);
	}
	free(f->failed);
	free(f->data);
	free(f->page_end);
	free(f->origin);
	memset(f, 0, sizeof(*f));
}

static void add_page(struct pm_fetched *f, struct pm_buf *all,
		     const struct pm_buf *body)
{
	pm_buf_add(all, body->buf, body->len);
	f->page_end = pm_xrealloc(f->page_end,
				  (f->nr_pages + 1) * sizeof(*f->page_end));
	f->page_end[f->nr_pages++] = all->len;
}

enum pm_err pm_source_fetch(const struct pm_source *src,
			    const struct pm_source_req *req,
			    struct pm_fetched *f, struct pm_buf *err)
{
	struct pm_http_opts hopts = PM_HTTP_OPTS_INIT;
	struct pm_buf url = PM_BUF_INIT, body = PM_BUF_INIT, hdr = PM_BUF_INIT,
		      shown = PM_BUF_INIT, next = PM_BUF_INIT, all = PM_BUF_INIT;
	const char *hv[8] = { NULL };
	enum pm_err ret = PM_OK;
	int page;

	memset(f, 0, sizeof(*f));
	if (req->http)
		hopts = *req->http;
	if (req->file) {
		f->origin = pm_xstrdup(req->file);
		ret = pm_file_read(req->file, hopts.max_body, &body, err);
		if (!ret)
			add_page(f, &all, &body);
		goto out;
	}
	if (req->url) {
		pm_buf_addstr(&url, req->url);
	} else if (!src->build_url) {
		ret = pm_errf(err, PM_ERR_USAGE,
			      "source %s has no live API; give --file or --url",
			      src->name);
		goto out;
	} else {
		ret = src->build_url(req, &url, err);
		if (ret)
			goto out;
		if (src->headers) {
			size_t n = 0;
			char *p;

			src->headers(req, &hdr);
			/* hdr holds "A: b\n" lines; point hv at each */
			for (p = hdr.buf; *p && n + 1 < PM_ARRAY_SIZE(hv);) {
				char *nl = strchr(p, '\n');

				hv[n++] = p;
				if (!nl)
					break;
				*nl = '\0';
				p = nl + 1;
			}
			hopts.headers = hv;
		}
	}
	pm_http_redact(url.buf, &shown);
	f->origin = pm_buf_detach(&shown, NULL);
	for (page = 1;; page++) {
		struct pm_http_result res;

		pm_buf_reset(&body);
		ret = pm_http_get(url.buf, &hopts, &body, &res, err);
		if (ret)
			goto out;
		add_page(f, &all, &body);
		pm_buf_reset(&next);
		if (!src->next_page || page >= 100 ||
		    !src->next_page(body.buf, body.len, url.buf, page, &next))
			break;
		pm_buf_reset(&url);
		pm_buf_add(&url, next.buf, next.len);
	}
out:
	f->data = pm_buf_detach(&all, &f->len);
	pm_buf_release(&url);
	pm_buf_release(&body);
	pm_buf_release(&hdr);
	pm_buf_release(&shown);
	pm_buf_release(&next);
	return ret;
}

enum pm_err pm_source_parse(const struct pm_source *src,
			    const struct pm_source_req *req,
			    const struct pm_fetched *f, struct pm_table *t,
			    struct pm_buf *err)
{
	enum pm_err ret = PM_OK;
	size_t i, start = 0;

	for (i = 0; i < f->nr_pages && !ret; i++) {
		ret = src->parse(f->data + start, f->page_end[i] - start,
				 f->origin, req, t, err);
		start = f->page_end[i];
	}
	if (!ret)
		pm_source_filter(t, req, 0);
	return ret;
}

enum pm_err pm_source_ingest(const struct pm_source *src,
			     const struct pm_source_req *req,
			     struct pm_table *t, struct pm_buf *raw,
			     struct pm_ingest_stats *stats, struct pm_buf *err)
{
	struct pm_fetched f;
	enum pm_err ret;

	memset(stats, 0, sizeof(*stats));
	ret = pm_source_fetch(src, req, &f, err);
	stats->origin = pm_xstrdup(f.origin ? f.origin : "");
	stats->pages = f.nr_pages;
	stats->bytes = f.len;
	if (!ret && raw)
		pm_buf_add(raw, f.data, f.len);
	if (!ret)
		ret = pm_source_parse(src, req, &f, t, err);
	pm_fetched_release(&f);
	return ret;
}

enum pm_err pm_source_parse_page(const struct pm_source *src,
				 const struct pm_source_req *req,
				 const char *body, size_t len,
				 const char *origin, struct pm_table *t,
				 struct pm_buf *err)
{
	return src->parse(body, len, origin, req, t, err);
}

enum pm_err pm_source_fetch_stations(const struct pm_source *src,
				     const struct pm_source_req *req,
				     int concurrency, long interval_ms,
				     struct pm_fetched *f, struct pm_buf *err)
{
	struct pm_source_req one = *req;
	struct pm_http_job *jobs;
	struct pm_buf *urls, *bodies, *whys, all = PM_BUF_INIT,
				       shown = PM_BUF_INIT;
	size_t i, n = req->nr_stations;
	enum pm_err ret = PM_OK;

	memset(f, 0, sizeof(*f));
	jobs = pm_xcalloc(n + 1, sizeof(*jobs));
	urls = pm_xcalloc(3 * n + 1, sizeof(*urls));
	bodies = urls + n;
	whys = urls + 2 * n;
	one.nr_stations = 1;
	for (i = 0; !ret && i < n; i++) {
		one.stations = &req->stations[i];
		ret = src->build_url(&one, &urls[i], err);
		jobs[i].url = urls[i].buf;
		jobs[i].body = &bodies[i];
		jobs[i].why = &whys[i];
	}
	if (!ret && n) {
		pm_http_redact(urls[0].buf, &shown);
		ret = pm_http_get_all(jobs, n, req->http, concurrency,
				      interval_ms, err);
	}
	f->origin = pm_buf_detach(&shown, NULL);
	f->page_station = pm_xcalloc(n + 1, sizeof(*f->page_station));
	f->failed = pm_xcalloc(n + 1, sizeof(*f->failed));
	for (i = 0; !ret && i < n; i++) {
		if (jobs[i].err) {
			struct pm_fetch_failure *x = &f->failed[f->nr_failed++];

			x->station = pm_xstrdup(req->stations[i]);
			x->err = jobs[i].err;
			x->why = pm_xstrdup(whys[i].buf ? whys[i].buf : "");
			continue;
		}
		f->page_station[f->nr_pages] = pm_xstrdup(req->stations[i]);
		add_page(f, &all, &bodies[i]);
	}
	f->data = pm_buf_detach(&all, &f->len);
	for (i = 0; i < 3 * n; i++)
		pm_buf_release(&urls[i]);
	free(urls);
	free(jobs);
	return ret;
}

enum pm_err pm_source_probe(const struct pm_source *src,
			    const struct pm_source_req *req, struct pm_buf *err)
{
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct pm_http_req rq = { "GET", NULL, NULL, NULL, 0, NULL };
	struct pm_buf body = PM_BUF_INIT, shown = PM_BUF_INIT;
	const char *url = NULL;
	enum pm_err ret = PM_OK;
	long status = 0;
	int k;

	if (req->file) {
		if (access(req->file, R_OK))
			return pm_errf(err, PM_ERR_NOTFOUND, "%s: %s",
				       req->file, strerror(errno));
		return PM_OK;
	}
	/* a URL of its own is the one request: the fetch asks it */
	if (req->url)
		return PM_OK;
	if (src->endpoint && (k = pm_config_find(src->endpoint)) >= 0)
		url = pm_config_str_or_default((enum pm_config_key)k);
	if (!url)
		return PM_OK; /* nothing to ask */
	if (!strncmp(url, "file://", 7)) {
		const char *path = url + 7;

		if (!strncmp(path, "localhost/", 10))
			path += 9;
		pm_buf_add(&shown, path, strcspn(path, "?#"));
		if (access(shown.buf, R_OK))
			ret = pm_errf(err, PM_ERR_NOTFOUND, "%s: %s", shown.buf,
				      strerror(errno));
		goto out;
	}
	if (req->http)
		o = *req->http;
	o.max_tries = 1;
	o.max_body = 1 << 20;
	rq.url = url;
	ret = pm_http_request(&rq, &o, &body, &status, err);
	if (ret == PM_ERR_LIMIT) /* a big answer is an answer */
		ret = PM_OK;
	pm_http_redact(url, &shown);
	if (!ret && status >= 500)
		ret = pm_errf(err, PM_ERR_NET, "GET %s: HTTP %ld", shown.buf,
			      status);
out:
	pm_buf_release(&body);
	pm_buf_release(&shown);
	return ret;
}
