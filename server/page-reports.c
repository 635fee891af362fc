/*
 * The report pages: quality (the score per deployment over time and the
 * failures per rule by day), stations (the newest PM2.5 in Thai AQI
 * colours, as a table and a map by longitude and latitude) and the
 * model (the champion against persistence, its history, and a
 * station's forecast over the AQI bands).
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/aqi.h"
#include "pm25/buf.h"
#include "pm25/chart.h"
#include "pm25/flow.h"
#include "pm25/quality-log.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/stations.h"
#include "pm25/store.h"
#include "page.h"

#define MAX_SERIES 12

/* ------------------------------------------------------------ quality */

/* The score of each report over time, a line per deployment. */
static void score_chart(struct pm_buf *b, const struct pm_quality_entry *v,
			const struct pm_run *runs, size_t n)
{
	struct pm_chart_series s[MAX_SERIES];
	const char *names[MAX_SERIES];
	double *x = pm_xcalloc(n + 1, sizeof(*x)),
	       *y = pm_xcalloc(MAX_SERIES * (n + 1), sizeof(*y));
	struct pm_chart c = { 0 };
	size_t ns = 0, i, k;

	for (i = 0; i < MAX_SERIES * (n + 1); i++)
		y[i] = NAN;
	for (i = 0; i < n; i++) {
		const char *d = runs[i].deployment ? runs[i].deployment :
				runs[i].flow	   ? runs[i].flow :
						     "(run gone)";

		for (k = 0; k < ns && strcmp(names[k], d); k++)
			;
		if (k == ns && ns < MAX_SERIES)
			names[ns++] = d;
		x[i] = runs[i].flow ? (double)runs[i].created_ms / 1000 : NAN;
		if (k < ns)
			y[k * (n + 1) + i] = v[i].score;
	}
	for (k = 0; k < ns; k++) {
		memset(&s[k], 0, sizeof(s[k]));
		s[k].name = names[k];
		s[k].y = y + k * (n + 1);
	}
	c.title = "the score of each published report, by deployment";
	c.y_unit = "score";
	c.kind = PM_CHART_LINES;
	c.n = n;
	c.x = x;
	c.x_time = 1;
	c.join = 1;
	c.series = s;
	c.nseries = ns;
	c.height = 180;
	pm_chart_svg(b, &c);
	free(x);
	free(y);
}

/* Failures per rule by the reports' local date (rules that failed). */
static void rule_chart(struct pm_buf *b, const struct pm_quality_entry *v,
		       size_t n)
{
	struct pm_chart_series s[MAX_SERIES];
	const char *rules[MAX_SERIES],
		**dates = pm_xcalloc(n + 1, sizeof(char *));
	double *y = pm_xcalloc(MAX_SERIES * (n + 1), sizeof(*y));
	struct pm_chart c = { 0 };
	size_t nr = 0, nd = 0, i, k, r;

	for (i = 0; i < n; i++) {
		if (!nd || strcmp(dates[nd - 1], v[i].date))
			dates[nd++] = v[i].date;
		for (k = 0; k < v[i].nrules; k++) {
			if (!v[i].failed[k])
				continue;
			for (r = 0; r < nr && strcmp(rules[r], v[i].rule[k]);
			     r++)
				;
			if (r == nr && nr < MAX_SERIES)
				rules[nr++] = v[i].rule[k];
			if (r < nr)
				y[r * (n + 1) + nd - 1] +=
					(double)v[i].failed[k];
		}
	}
	if (!nr) {
		page_none(b, "No rule failed in these reports.");
		goto out;
	}
	for (r = 0; r < nr; r++) {
		memset(&s[r], 0, sizeof(s[r]));
		s[r].name = rules[r];
		s[r].y = y + r * (n + 1);
	}
	c.title =
		"rows (or batches) each rule failed, by the batch's local date";
	c.x_unit = "local date";
	c.y_unit = "failed";
	c.kind = PM_CHART_STACKED;
	c.n = nd;
	c.labels = dates;
	c.series = s;
	c.nseries = nr;
	c.height = 180;
	pm_chart_svg(b, &c);
out:
	free(dates);
	free(y);
}

void page_quality(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_quality_entry *v = NULL;
	struct pm_run *runs = pm_xcalloc(SRV_QUALITY_MAX, sizeof(*runs));
	struct pm_buf *b;
	size_t n = 0, i, k;

	if (srv_quality_runs(rq, &v, &n, runs, out))
		goto out;
	page_open(rq, out, "Quality", "/quality");
	b = &out->body;
	pm_buf_addf(b, "<p>The newest %zu quality reports on main.</p>", n);
	if (!n) {
		page_none(b, "No report yet: a run of ingest-clean or backfill "
			     "publishes one.");
		page_close(out);
		goto out;
	}
	page_h2(b, "Score");
	score_chart(b, v, runs, n);
	page_h2(b, "Failures per rule");
	rule_chart(b, v, n);
	page_h2(b, "The newest reports");
	pm_buf_addstr(b, "<table><thead><tr><th>run</th><th>deployment</th>"
			 "<th>date</th><th class=\"num\">score</th><th>gate"
			 "</th><th class=\"num\">rows in</th><th class=\"num\">"
			 "accepted</th><th>rules that failed</th></tr></thead>"
			 "<tbody>");
	for (i = n; i-- > 0 && i + 20 >= n;) {
		pm_buf_addstr(b, "<tr><td>");
		page_run_link(b, v[i].run);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, runs[i].deployment);
		pm_buf_addf(b,
			    "</td><td>%s</td><td class=\"num\">%.3f</td>"
			    "<td>%s</td><td class=\"num\">%zu</td><td "
			    "class=\"num\">%zu</td><td>",
			    v[i].date, v[i].score,
			    v[i].passed ? "passed" : "failed", v[i].input_rows,
			    v[i].accepted_rows);
		for (k = 0; k < v[i].nrules; k++)
			if (v[i].failed[k]) {
				page_text(b, v[i].rule[k]);
				pm_buf_addf(b, " (%zu) ", v[i].failed[k]);
			}
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
	page_close(out);
out:
	for (i = 0; i < n; i++)
		pm_run_release(&runs[i]);
	free(runs);
	pm_quality_log_free(v, n);
}

/* ------------------------------------------------------------ stations */

static int aqi_class(int aqi)
{
	int cat = aqi < 0 ? 0 : pm_aqi_thai_category(aqi);

	return cat < 0 || cat > 5 ? 0 : cat;
}

static int64_t station_ms(const struct pm_station_now *s)
{
	return s->time == PM_STATION_NONE ? INT64_MIN : s->time * 1000;
}

/* v with decimals, a dash for none. */
static void page_num(struct pm_buf *b, double v, int decimals)
{
	if (isnan(v))
		pm_buf_addstr(b, "&ndash;");
	else
		pm_buf_addf(b, "%.*f", decimals, v);
}

static void station_map(struct pm_buf *b, const struct pm_station_now *v,
			size_t n)
{
	double *x = pm_xcalloc(n + 1, sizeof(*x)),
	       *y = pm_xcalloc(n + 1, sizeof(*y));
	const char **colours = pm_xcalloc(n + 1, sizeof(*colours)),
		   **tips = pm_xcalloc(n + 1, sizeof(*tips));
	struct pm_buf *text = pm_xcalloc(n + 1, sizeof(*text));
	struct pm_chart_series s = { "stations", NULL, y, NULL, NULL };
	struct pm_chart c = { 0 };
	size_t i, placed = 0;

	for (i = 0; i < n; i++) {
		pm_buf_init(&text[i]);
		x[i] = v[i].lon;
		y[i] = v[i].lat;
		placed += !isnan(v[i].lon) && !isnan(v[i].lat);
		colours[i] = v[i].colour ? v[i].colour : pm_aqi_thai_colour(0);
		pm_buf_addf(&text[i], "%s %s: ", v[i].id,
			    v[i].name_en ? v[i].name_en :
			    v[i].name_th ? v[i].name_th :
					   "");
		if (isnan(v[i].pm25))
			pm_buf_addstr(&text[i], "no PM2.5 yet");
		else
			pm_buf_addf(&text[i], "%.1f µg/m³, Thai AQI %d (%s)",
				    v[i].pm25, v[i].aqi,
				    v[i].category ? v[i].category : "none");
		tips[i] = text[i].buf;
	}
	if (!placed) {
		page_none(b, "No station has a known place.");
		goto out;
	}
	s.colours = colours;
	s.tips = tips;
	c.title = "stations by place, in the colour of their Thai AQI";
	c.x_unit = "longitude (°E)";
	c.y_unit = "latitude (°N)";
	c.kind = PM_CHART_POINTS;
	c.n = n;
	c.x = x;
	c.series = &s;
	c.nseries = 1;
	c.height = 440;
	pm_chart_svg(b, &c);
out:
	for (i = 0; i < n; i++)
		pm_buf_release(&text[i]);
	free(text);
	free(tips);
	free(colours);
	free(x);
	free(y);
}

void page_stations(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf why = PM_BUF_INIT, *b;
	struct pm_station_now *v = NULL;
	struct pm_store *s = page_store(rq, "data", &why);
	int64_t now = pm_state_now_ms();
	size_t n = 0, i;

	if (!s || pm_stations_now(s, &v, &n, &why)) {
		srv_fail(out, PM_ERR_NET, why.buf);
		goto out;
	}
	page_open(rq, out, "Stations", "/stations");
	b = &out->body;
	if (!n) {
		page_none(b, "No station has a published hour yet.");
		page_close(out);
		goto out;
	}
	station_map(b, v, n);
	pm_buf_addstr(b,
		      "<table><thead><tr><th>station</th><th>name</th>"
		      "<th class=\"num\">PM2.5 (µg/m³)</th><th class=\"num\">"
		      "24 h mean</th><th>Thai AQI</th><th>last hour (ICT)"
		      "</th><th class=\"num\">age</th><th class=\"num\">lat"
		      "</th><th class=\"num\">lon</th></tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		pm_buf_addstr(b, "<tr><td>");
		page_text(b, v[i].id);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, v[i].name_en ? v[i].name_en : v[i].name_th);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_num(b, v[i].pm25, 1);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_num(b, v[i].pm25_24h, 1);
		pm_buf_addf(b, "</td><td><span class=\"aqi aqi-%d\">",
			    aqi_class(v[i].aqi));
		if (v[i].aqi >= 0)
			pm_buf_addf(b, "%d", v[i].aqi);
		else
			pm_buf_addstr(b, "none");
		pm_buf_addstr(b, "</span> ");
		page_text(b, v[i].category);
		pm_buf_addstr(b, "</td><td>");
		page_time(b, station_ms(&v[i]));
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_age(b, station_ms(&v[i]), now);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_num(b, v[i].lat, 4);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_num(b, v[i].lon, 4);
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
	page_close(out);
out:
	pm_stations_now_free(v, n);
	pm_store_close(s);
	pm_buf_release(&why);
}

/* ------------------------------------------------------------ model */

static void metrics_row(struct pm_buf *b, const char *name,
			const struct pm_metrics *m)
{
	pm_buf_addstr(b, "<tr><td>");
	page_text(b, name);
	pm_buf_addf(b,
		    "</td><td class=\"num\">%.3f</td><td class=\"num\">"
		    "%.3f</td><td class=\"num\">%.3f</td></tr>",
		    m->mae, m->rmse, m->r2);
}

static void champion(struct pm_buf *b, struct pm_store *data,
		     struct pm_store *models)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_champion_eval ev;

	page_h2(b, "The champion");
	if (pm_champion_evaluate(data, models, &ev, &err)) {
		page_none(b, err.buf);
		goto out;
	}
	pm_buf_addf(b,
		    "<p>On the latest split of main's data (commit "
		    "<code>%.12s</code>), %zu test hours:</p>",
		    ev.data_commit, ev.test_rows);
	pm_buf_addstr(b, "<table><thead><tr><th>model</th><th class=\"num\">"
			 "MAE (µg/m³)</th><th class=\"num\">RMSE (µg/m³)</th>"
			 "<th class=\"num\">R²</th></tr></thead><tbody>");
	metrics_row(b, "champion", &ev.champion);
	metrics_row(b, "persistence (the last hour again)", &ev.persistence);
	pm_buf_addstr(b, "</tbody></table>\n");
out:
	pm_buf_release(&err);
}

static void history(struct pm_buf *b, struct pm_store *models)
{
	struct pm_commit_list l = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	size_t i;

	page_h2(b, "Model history (main of the model repository)");
	if (pm_store_log(models, "main", 30, &l, &err)) {
		page_none(b, err.buf);
		goto out;
	}
	pm_buf_addstr(b, "<table><thead><tr><th>time</th><th>commit</th>"
			 "<th>message</th><th>run</th><th class=\"num\">test "
			 "RMSE</th><th>data commit</th></tr></thead><tbody>");
	for (i = 0; i < l.nr; i++) {
		const char *run = page_meta(&l.c[i], "run"),
			   *dc = page_meta(&l.c[i], "data-commit");

		pm_buf_addstr(b, "<tr><td>");
		page_time(b, l.c[i].time * 1000);
		pm_buf_addf(b, "</td><td><code>%.12s</code></td><td>",
			    l.c[i].id);
		page_text(b, l.c[i].message);
		pm_buf_addstr(b, "</td><td>");
		if (run)
			page_run_link(b, run);
		else
			page_text(b, NULL);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_text(b, page_meta(&l.c[i], "rmse"));
		pm_buf_addstr(b, "</td><td><code>");
		if (dc)
			pm_buf_add_html(b, dc,
					strlen(dc) > 12 ? 12 : strlen(dc));
		pm_buf_addstr(b, "</code></td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
out:
	pm_commit_list_release(&l);
	pm_buf_release(&err);
}

static int v_none(const struct pm_station_now *s)
{
	return s->time == PM_STATION_NONE;
}

/* The Thai AQI bands of PM2.5 in µg/m³, found from the index itself. */
static size_t aqi_bands(struct pm_chart_band *out, size_t max)
{
	size_t n = 0;
	int last = -1, k;

	for (k = 0; k <= 3000 && n < max; k++) {
		double c = k / 10.0;
		int cat = pm_aqi_thai_category(pm_aqi_thai(PM_POL_PM25, c));

		if (cat == last)
			continue;
		if (n)
			out[n - 1].hi = c;
		out[n].lo = c;
		out[n].hi = INFINITY;
		out[n].colour = pm_aqi_thai_colour(cat);
		out[n].name = pm_aqi_thai_name(cat);
		n++;
		last = cat;
	}
	return n;
}

static void forecast(const struct srv_req *rq, struct pm_buf *b,
		     struct pm_store *data, struct pm_store *models)
{
	struct pm_buf err = PM_BUF_INIT, title = PM_BUF_INIT;
	struct pm_station_now *st = NULL;
	const char *station = rq->query(rq->conn, "station");
	struct pm_chart_band bands[8];
	struct pm_chart_series s = { "forecast", "#14212e", NULL, NULL, NULL };
	struct pm_chart c = { 0 };
	struct pm_forecast f;
	double *x = NULL;
	size_t n = 0, i;

	memset(&f, 0, sizeof(f));
	page_h2(b, "Forecast");
	if (pm_stations_now(data, &st, &n, &err) || !n) {
		page_none(b, n ? err.buf : "No station yet.");
		goto out;
	}
	if (!station || !*station)
		station = st[0].id; /* those with a value come first */
	pm_buf_addstr(b, "<form class=\"filters\" method=\"get\"><label>"
			 "station<select name=\"station\">");
	for (i = 0; i < n; i++) {
		if (v_none(&st[i]))
			continue;
		pm_buf_addf(b, "<option value=\"");
		page_text(b, st[i].id);
		pm_buf_addf(b, "\"%s>",
			    strcmp(st[i].id, station) ? "" : " selected");
		page_text(b, st[i].id);
		pm_buf_addstr(b, " ");
		page_text(b, st[i].name_en ? st[i].name_en : st[i].name_th);
		pm_buf_addstr(b, "</option>");
	}
	pm_buf_addstr(b, "</select></label><button type=\"submit\">Show"
			 "</button></form>");
	if (pm_champion_forecast(data, models, station, 24, &f, &err)) {
		page_none(b, err.buf);
		goto out;
	}
	x = pm_xcalloc(f.n + 1, sizeof(*x));
	for (i = 0; i < f.n; i++)
		x[i] = (double)f.time[i];
	s.y = f.pm25;
	pm_buf_addf(&title,
		    "the champion's next 24 hours at %s, over the Thai "
		    "AQI bands of PM2.5",
		    f.station);
	c.title = title.buf;
	c.y_unit = "PM2.5 (µg/m³)";
	c.kind = PM_CHART_LINES;
	c.n = f.n;
	c.x = x;
	c.x_time = 1;
	c.y_from_zero = 1;
	c.series = &s;
	c.nseries = 1;
	c.bands = bands;
	c.nbands = aqi_bands(bands, sizeof(bands) / sizeof(bands[0]));
	pm_chart_svg(b, &c);
out:
	free(x);
	pm_forecast_release(&f);
	pm_stations_now_free(st, n);
	pm_buf_release(&err);
	pm_buf_release(&title);
}

void page_model(const struct srv_req *rq, struct srv_resp *out)
{
	struct pm_buf why = PM_BUF_INIT, *b;
	struct pm_store *data = page_store(rq, "data", &why), *models = NULL;

	if (data)
		models = page_store(rq, "model", &why);
	if (!models) {
		srv_fail(out, PM_ERR_NET, why.buf);
		goto out;
	}
	page_open(rq, out, "Model", "/model");
	b = &out->body;
	champion(b, data, models);
	forecast(rq, b, data, models);
	history(b, models);
	page_close(out);
out:
	pm_store_close(data);
	pm_store_close(models);
	pm_buf_release(&why);
}
