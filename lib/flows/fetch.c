/*
 * What ingest-clean and backfill ask the source, and the first two
 * tasks: the request (its stations, its window from the run's slot, the
 * HTTP settings), the health check (the store, the state database and
 * the source each answer), the fetch (the feed's station list for
 * "all"; one request per station in parallel for the sources that
 * answer a station at a time) and the parse that keeps every station
 * that answered when others did not.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/csvsrc.h"
#include "pm25/num.h"
#include "pm25/source.h"
#include "pm25/store.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "flow-int.h"

static int64_t local_day(int64_t t)
{
	return pm_floor_div(t + PM_ICT_OFFSET, 86400);
}

/* The request asks for ru->stations (the first one too, for csv). */
static void set_stations(struct run *ru)
{
	ru->req.stations = (const char *const *)ru->stations.v;
	ru->req.nr_stations = ru->stations.nr;
	ru->req.station = ru->stations.nr ? ru->stations.v[0] : NULL;
}

void pm_flow_request(struct run *ru)
{
	const struct pm_flow_opts *o = ru->o;
	struct pm_http_opts h = PM_HTTP_OPTS_INIT;
	int64_t lookback;

	if (o->stations && strcmp(o->stations, "all")) {
		const char *p = o->stations;

		while (*p) {
			size_t n = strcspn(p, ",");

			if (n)
				pm_strv_pushn(&ru->stations, p, n);
			p += n + (p[n] == ',');
		}
	}
	/* no list: every station, where the source has a list of them */
	ru->all_stations = !ru->stations.nr && ru->src->per_station &&
			   !o->file && !o->url;
	set_stations(ru);
	h.timeout_ms = pm_config_long(PM_CFG_FETCH_TIMEOUT_S) * 1000;
	h.max_tries = (int)pm_config_long(PM_CFG_FETCH_TRIES);
	ru->http = h;
	ru->req.http = &ru->http;
	ru->req.file = o->file;
	ru->req.url = o->url;
	ru->req.from_day = o->from_day;
	ru->req.to_day = o->to_day;
	ru->req.hour_label = o->hour_label;
	lookback = o->lookback;
	/* a per-station API asked live with no dates: the day before */
	if (!lookback && ru->src->per_station && !o->file && !o->url &&
	    o->from_day == PM_TIME_NONE && o->to_day == PM_TIME_NONE)
		lookback = 86400;
	if (lookback) {
		/* the hours that end in (slot - lookback, slot] */
		int64_t slot = o->slot != PM_TIME_NONE ? o->slot : ru->started;

		ru->req.to_time = slot;
		ru->req.from_time = slot - lookback;
		ru->req.from_day = local_day(ru->req.from_time + 1);
		ru->req.to_day = local_day(slot);
	}
}

/* One task attempt of the health check: the first part that fails. */
static enum pm_err check_once(struct run *ru, struct pm_buf *err)
{
	char id[PM_ID_MAX];
	enum pm_err ret;

	ret = pm_store_resolve(ru->data, "main", id, err);
	if (ret) {
		pm_err_prefix(err, "the store does not answer: ");
		return ret;
	}
	if (ru->o->state_check) {
		ret = ru->o->state_check(ru->o->ctx, err);
		if (ret) {
			pm_err_prefix(err, "the state database does not "
					   "answer: ");
			return ret;
		}
	}
	ret = pm_source_probe(ru->src, &ru->req, err);
	if (ret) {
		struct pm_buf pre = PM_BUF_INIT;

		pm_buf_addf(&pre, "the source %s does not answer: ",
			    ru->src->name);
		pm_err_prefix(err, pre.buf);
		pm_buf_release(&pre);
		ru->r->source_down = 1;
	}
	return ret;
}

enum pm_err pm_flow_health_check(struct run *ru, struct pm_buf *err)
{
	enum pm_err ret;
	double t0;
	int attempt = 1;

	do {
		t0 = pm_flow_task_start(ru, "health_check");
		ru->r->source_down = 0;
		ret = check_once(ru, err);
	} while (pm_flow_task_retry(ru, "health_check", ret, &attempt, err));
	pm_flow_event(ru, "health_check", ret ? "Failed" : "Completed", t0,
		      NULL);
	return ret;
}

/*
 * The stations of "all": the feed's (ru->feed keeps their metadata),
 * else those of main's stations/stations.csv when the feed is down.
 */
static enum pm_err all_stations(struct run *ru, struct pm_buf *err)
{
	struct pm_source_req fr;
	struct pm_fetched f;
	struct pm_buf why = PM_BUF_INIT, csv = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	enum pm_err ret;
	size_t i;

	memset(&fr, 0, sizeof(fr));
	fr.from_day = fr.to_day = PM_TIME_NONE;
	fr.http = &ru->http;
	fr.missing = ru->req.missing;
	pm_strv_release(&ru->stations);
	pm_table_release(&ru->feed);
	pm_table_init(&ru->feed);
	ret = pm_source_fetch(&pm_source_air4thai, &fr, &f, &why);
	if (!ret)
		ret = pm_source_parse(&pm_source_air4thai, &fr, &f, &ru->feed,
				      &why);
	pm_fetched_release(&f);
	if (!ret && ru->feed.stations.nr) {
		ru->r->stations_from = "feed";
	} else {
		pm_table_release(&ru->feed);
		pm_table_init(&ru->feed);
		if (!pm_store_get(ru->data, "main", "stations/stations.csv",
				  &csv, NULL) &&
		    csv.len)
			pm_csv_to_table(csv.buf, csv.len, "stations.csv", &co,
					&ru->feed, NULL);
		ru->r->stations_from = "stations.csv";
	}
	for (i = 0; i < ru->feed.stations.nr; i++)
		pm_strv_pushn(&ru->stations, ru->feed.stations.keys[i],
			      ru->feed.stations.lens[i]);
	ret = PM_OK;
	if (!ru->stations.nr) {
		ru->r->source_down = 1;
		ret = pm_errf(err, PM_ERR_NET,
			      "no station list: the feed did not answer (%s) "
			      "and main has no stations/stations.csv",
			      why.len ? why.buf : "no stations in it");
	}
	set_stations(ru);
	pm_buf_release(&why);
	pm_buf_release(&csv);
	return ret;
}

/* Note station id as unanswered, with why (replacing an older note). */
static void unanswered(struct run *ru, const char *id, const char *why)
{
	struct pm_strv *u = &ru->r->unanswered;
	struct pm_buf text = PM_BUF_INIT;
	size_t i, n = strlen(id);

	for (i = 0; i < u->nr; i++)
		if (!strncmp(u->v[i], id, n) && u->v[i][n] == ':')
			break;
	pm_buf_addf(&text, "%s: %s", id, why);
	if (i < u->nr) {
		free(u->v[i]);
		u->v[i] = pm_buf_detach(&text, NULL);
		return;
	}
	pm_strv_push(u, text.buf);
	pm_buf_release(&text);
}

/* The first failure of f, for the message when none answered. */
static enum pm_err none_answered(struct run *ru, const char *why,
				 struct pm_buf *err)
{
	ru->r->source_down = 1;
	return pm_errf(err, PM_ERR_NET, "no station answered (%zu asked): %s",
		       ru->stations.nr, why);
}

static enum pm_err fetch_once(struct run *ru, struct pm_fetched *f,
			      struct pm_buf *err)
{
	enum pm_err ret = PM_OK;
	size_t i;

	ru->r->source_down = 0;
	/* once a run: a backfill's days share the list */
	if (ru->all_stations && !ru->stations.nr)
		ret = all_stations(ru, err);
	if (ret)
		return ret;
	if (!ru->src->per_station || ru->req.file || ru->req.url ||
	    !ru->req.nr_stations)
		return pm_source_fetch(ru->src, &ru->req, f, err);
	ret = pm_source_fetch_stations(
		ru->src, &ru->req, (int)pm_config_long(PM_CFG_FETCH_CONCURRENCY),
		pm_config_long(PM_CFG_FETCH_INTERVAL_MS), f, err);
	if (ret)
		return ret;
	pm_strv_release(&ru->r->unanswered);
	for (i = 0; i < f->nr_failed; i++)
		unanswered(ru, f->failed[i].station, f->failed[i].why);
	if (!f->nr_pages)
		return none_answered(ru, f->failed[0].why, err);
	return PM_OK;
}

enum pm_err pm_flow_fetch(struct run *ru, struct pm_fetched *f, double *t0,
			  struct pm_buf *err)
{
	enum pm_err ret;
	int attempt = 1;

	do {
		pm_fetched_release(f);
		memset(f, 0, sizeof(*f));
		*t0 = pm_flow_task_start(ru, "fetch");
		ret = fetch_once(ru, f, err);
	} while (pm_flow_task_retry(ru, "fetch", ret, &attempt, err));
	return ret;
}

enum pm_err pm_flow_parse_pages(struct run *ru, const struct pm_fetched *f,
				struct pm_table *t, struct pm_buf *err)
{
	struct pm_buf why = PM_BUF_INIT;
	size_t i, start = 0, good = 0;
	enum pm_err ret = PM_OK;

	if (!f->page_station)
		return pm_source_parse(ru->src, &ru->req, f, t, err);
	for (i = 0; i < f->nr_pages; i++) {
		struct pm_source_req one = ru->req;
		const char *id = f->page_station[i];
		size_t r0 = t->nr;

		/* a page is its station's: a stray one's rows are not */
		one.stations = (const char *const *)&f->page_station[i];
		one.nr_stations = 1;
		pm_buf_reset(&why);
		if (pm_source_parse_page(ru->src, &one, f->data + start,
					 f->page_end[i] - start, "response", t,
					 &why)) {
			pm_table_truncate(t, r0);
			unanswered(ru, id, why.buf);
		} else {
			pm_source_filter(t, &one, r0);
			good++;
		}
		start = f->page_end[i];
	}
	if (!good)
		ret = none_answered(ru, ru->r->unanswered.nr ?
						ru->r->unanswered.v[0] :
						"no page",
				    err);
	else /* the feed's names and places, where t has none */
		pm_table_meta_take(t, &ru->feed, 0);
	pm_buf_release(&why);
	return ret;
}

int64_t pm_flow_fetch_day(const struct run *ru)
{
	if (ru->req.to_day != PM_TIME_NONE)
		return ru->req.to_day;
	return local_day(ru->started);
}
