/*
 * The EDA report: a per-station summary, a missing-data heatmap, diurnal
 * and weekday profiles, the monthly trend, the distribution, Thai AQI
 * category counts in the official colours and a correlation matrix, all
 * drawn as inline SVG. Every string from the data is escaped.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/aqi.h"
#include "pm25/buf.h"
#include "pm25/chart.h"
#include "pm25/eda.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

static void html(struct pm_buf *b, const char *s)
{
	pm_buf_add_html(b, s, strlen(s));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(const double *v, size_t n, double q)
{
	double pos = q * (double)(n - 1);
	size_t i = (size_t)pos;

	if (i + 1 >= n)
		return v[n - 1];
	return v[i] + (v[i + 1] - v[i]) * (pos - (double)i);
}

static const char *station_label(const struct pm_table *t, uint32_t s)
{
	const struct pm_station_meta *m =
		s < t->meta_alloc && t->meta ? &t->meta[s] : NULL;

	if (m && m->name_en)
		return m->name_en;
	if (m && m->name_th)
		return m->name_th;
	return "";
}

/* ------------------------------------------------------------ charts */

/* A bar or line chart of values v[0..n) labelled by labels[]. */
static void chart(struct pm_buf *b, const char *title, const char *x_unit,
		  const char *y_unit, const double *v, size_t n,
		  const char *const *labels, int line,
		  const char *const *colours)
{
	struct pm_chart_series s = { NULL, NULL, v, colours, NULL };
	struct pm_chart c = { 0 };

	c.title = title;
	c.x_unit = x_unit;
	c.y_unit = y_unit;
	c.kind = line ? PM_CHART_LINES : PM_CHART_BARS;
	c.n = n;
	c.labels = labels;
	c.y_from_zero = 1;
	c.series = &s;
	c.nseries = 1;
	pm_chart_svg(b, &c);
}

/* ------------------------------------------------------------ report */

struct acc {
	double sum;
	size_t n;
};

static void add(struct acc *a, double v)
{
	if (!isnan(v)) {
		a->sum += v;
		a->n++;
	}
}

static double mean(const struct acc *a)
{
	return a->n ? a->sum / (double)a->n : NAN;
}

static void summary_table(struct pm_buf *b, const struct pm_table *t)
{
	size_t s, i;

	pm_buf_addstr(b, "<h2>Stations</h2><table><tr><th>station</th>"
			 "<th>name</th><th>hours</th><th>missing %</th>"
			 "<th>mean</th><th>sd</th><th>min</th><th>p25</th>"
			 "<th>median</th><th>p75</th><th>max</th></tr>\n");
	for (s = 0; s < t->stations.nr; s++) {
		double *v = pm_xmalloc((t->nr + 1) * sizeof(*v)), m = 0, ss = 0;
		size_t n = 0, hours = 0;

		for (i = 0; i < t->nr; i++) {
			if (t->station[i] != s)
				continue;
			hours++;
			if (!isnan(t->col[PM_COL_PM25][i]))
				v[n++] = t->col[PM_COL_PM25][i];
		}
		if (!hours) {
			free(v);
			continue;
		}
		for (i = 0; i < n; i++)
			m += v[i];
		m = n ? m / (double)n : NAN;
		for (i = 0; i < n; i++)
			ss += (v[i] - m) * (v[i] - m);
		qsort(v, n, sizeof(*v), cmp_double);
		pm_buf_addstr(b, "<tr><td>");
		pm_buf_add_html(b, t->stations.keys[s], t->stations.lens[s]);
		pm_buf_addstr(b, "</td><td>");
		html(b, station_label(t, (uint32_t)s));
		pm_buf_addf(b, "</td><td>%zu</td><td>%.1f</td>", hours,
			    100.0 * (double)(hours - n) / (double)hours);
		if (n)
			pm_buf_addf(b, "<td>%.1f</td><td>%.1f</td><td>%.1f</td>"
				       "<td>%.1f</td><td>%.1f</td><td>%.1f</td>"
				       "<td>%.1f</td></tr>\n",
				    m, n > 1 ? sqrt(ss / (double)(n - 1)) : 0,
				    v[0], quantile(v, n, 0.25),
				    quantile(v, n, 0.5), quantile(v, n, 0.75),
				    v[n - 1]);
		else
			pm_buf_addstr(b, "<td colspan=\"7\">no values</td></tr>\n");
		free(v);
	}
	pm_buf_addstr(b, "</table>\n");
}

static void heatmap(struct pm_buf *b, const struct pm_table *t)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t s, i, days, cell;
	char from[16], to[16];
	uint16_t *have;

	for (i = 0; i < t->nr; i++) {
		int64_t d = pm_floor_div(t->time[i] + PM_ICT_OFFSET, 86400);

		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	if (lo > hi)
		return;
	days = (size_t)(hi - lo + 1);
	/* the page's width: wide cells for a few days, 1 for years */
	cell = 880 / days;
	cell = cell < 1 ? 1 : cell;
	have = pm_xcalloc(days * t->stations.nr + 1, sizeof(*have));
	for (i = 0; i < t->nr; i++)
		if (!isnan(t->col[PM_COL_PM25][i]))
			have[t->station[i] * days +
			     (size_t)(pm_floor_div(t->time[i] + PM_ICT_OFFSET,
						   86400) -
				      lo)]++;
	pm_buf_addf(b, "<h2>Missing data</h2><figure><figcaption>hours with "
		       "PM2.5 per station and local day (white: none, dark: "
		       "24)</figcaption><svg viewBox=\"0 0 %zu %zu\" "
		       "width=\"100%%\" role=\"img\" aria-label=\"hours with "
		       "PM2.5 per station and local day\">",
		    80 + days * cell, 24 + t->stations.nr * 12);
	for (s = 0; s < t->stations.nr; s++) {
		pm_buf_addf(b, "<text x=\"0\" y=\"%zu\" font-size=\"10\">",
			    s * 12 + 10);
		pm_buf_add_html(b, t->stations.keys[s], t->stations.lens[s]);
		pm_buf_addstr(b, "</text>");
		/* one rect per run of days alike; none for days without */
		for (i = 0; i < days;) {
			unsigned v = have[s * days + i];
			int shade = 255 - (int)(v > 24 ? 24 : v) * 9;
			size_t run = 1;

			while (i + run < days && have[s * days + i + run] == v)
				run++;
			if (v)
				pm_buf_addf(b, "<rect x=\"%zu\" y=\"%zu\" "
					       "width=\"%zu\" height=\"10\" "
					       "fill=\"rgb(%d,%d,255)\"/>",
					    80 + i * cell, s * 12, run * cell,
					    shade, shade);
			i += run;
		}
	}
	pm_date_format((lo * 86400), from);
	pm_date_format((hi * 86400), to);
	pm_buf_addf(b, "<text x=\"80\" y=\"%zu\" font-size=\"9\">%s</text>"
		       "<text x=\"%zu\" y=\"%zu\" font-size=\"9\" "
		       "text-anchor=\"end\">%s</text>",
		    t->stations.nr * 12 + 12, from, 80 + days * cell,
		    t->stations.nr * 12 + 12, days > 1 ? to : "");
	pm_buf_addstr(b, "</svg></figure>\n");
	free(have);
}

static void profiles(struct pm_buf *b, const struct pm_table *t)
{
	static const char *const hours[24] = {
		"0",  "1",  "2",  "3",	"4",  "5",  "6",  "7",
		"8",  "9",  "10", "11", "12", "13", "14", "15",
		"16", "17", "18", "19", "20", "21", "22", "23",
	};
	static const char *const dows[7] = { "Mon", "Tue", "Wed", "Thu",
					     "Fri", "Sat", "Sun" };
	struct acc h[24] = { { 0, 0 } }, d[7] = { { 0, 0 } };
	double hv[24], dv[7];
	size_t i;

	for (i = 0; i < t->nr; i++) {
		int64_t local = t->time[i] + PM_ICT_OFFSET;
		int64_t day = pm_floor_div(local, 86400);

		add(&h[(local - day * 86400) / 3600], t->col[PM_COL_PM25][i]);
		add(&d[((day % 7) + 7 + 3) % 7], t->col[PM_COL_PM25][i]);
	}
	for (i = 0; i < 24; i++)
		hv[i] = mean(&h[i]);
	for (i = 0; i < 7; i++)
		dv[i] = mean(&d[i]);
	pm_buf_addstr(b, "<h2>Profiles</h2>");
	chart(b, "mean PM2.5 by local hour", "local hour (ICT)", "PM2.5 (µg/m³)",
	      hv, 24, hours, 1, NULL);
	chart(b, "mean PM2.5 by weekday", "local weekday", "PM2.5 (µg/m³)", dv,
	      7, dows, 0, NULL);
}

static void monthly(struct pm_buf *b, const struct pm_table *t)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	struct acc *m;
	double *v;
	char **labels;
	size_t i, n;

	for (i = 0; i < t->nr; i++) {
		int64_t y;
		unsigned mo, d;

		pm_civil_from_days(pm_floor_div(t->time[i] + PM_ICT_OFFSET,
						86400),
				   &y, &mo, &d);
		lo = y * 12 + mo - 1 < lo ? y * 12 + mo - 1 : lo;
		hi = y * 12 + mo - 1 > hi ? y * 12 + mo - 1 : hi;
	}
	if (lo > hi)
		return;
	n = (size_t)(hi - lo + 1);
	m = pm_xcalloc(n, sizeof(*m));
	v = pm_xcalloc(n, sizeof(*v));
	labels = pm_xcalloc(n, sizeof(*labels));
	for (i = 0; i < t->nr; i++) {
		int64_t y;
		unsigned mo, d;

		pm_civil_from_days(pm_floor_div(t->time[i] + PM_ICT_OFFSET,
						86400),
				   &y, &mo, &d);
		add(&m[y * 12 + mo - 1 - lo], t->col[PM_COL_PM25][i]);
	}
	for (i = 0; i < n; i++) {
		char tmp[48];

		v[i] = mean(&m[i]);
		snprintf(tmp, sizeof(tmp), "%04lld-%02lld",
			 (long long)((lo + (int64_t)i) / 12),
			 (long long)((lo + (int64_t)i) % 12 + 1));
		labels[i] = pm_xstrdup(tmp);
	}
	pm_buf_addstr(b, "<h2>Monthly trend</h2>");
	/* a line needs a few months to be a trend; bars show one or two */
	chart(b, "mean PM2.5 by month", "local month", "PM2.5 (µg/m³)", v, n,
	      (const char *const *)labels, n >= 3, NULL);
	for (i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	free(m);
	free(v);
}

static void distribution(struct pm_buf *b, const struct pm_table *t)
{
	static const char *const labels[21] = {
		"0",   "5",   "10",  "15",  "20",  "25",  "30",
		"35",  "40",  "45",  "50",  "55",  "60",  "65",
		"70",  "75",  "80",  "85",  "90",  "95",  "100+",
	};
	double bins[21] = { 0 };
	size_t i;

	for (i = 0; i < t->nr; i++) {
		double v = t->col[PM_COL_PM25][i];

		if (isnan(v) || v < 0)
			continue;
		bins[v >= 100 ? 20 : (size_t)(v / 5)]++;
	}
	pm_buf_addstr(b, "<h2>Distribution</h2>");
	chart(b, "hours by PM2.5, in bins of 5 µg/m³",
	      "PM2.5 (µg/m³, bin's lower edge)", "station-hours", bins, 21,
	      labels, 0, NULL);
}

/* Daily 24-hour means per station, counted by Thai AQI category. */
static void aqi_counts(struct pm_buf *b, const struct pm_table *t)
{
	static const char *const names[5] = { "very good", "good", "moderate",
					      "affecting health (starting)",
					      "affecting health" };
	const char *colours[5];
	double counts[5] = { 0 };
	size_t i = 0, k;

	while (i < t->nr) {
		uint32_t s = t->station[i];
		int64_t day = pm_floor_div(t->time[i] + PM_ICT_OFFSET, 86400);
		struct acc a = { 0, 0 };

		for (; i < t->nr && t->station[i] == s &&
		       pm_floor_div(t->time[i] + PM_ICT_OFFSET, 86400) == day;
		     i++)
			add(&a, t->col[PM_COL_PM25][i]);
		if (a.n >= 18) {
			int cat = pm_aqi_thai_category(
				pm_aqi_thai(PM_POL_PM25, mean(&a)));

			if (cat >= 1)
				counts[cat - 1]++;
		}
	}
	for (k = 0; k < 5; k++)
		colours[k] = pm_aqi_thai_colour((int)k + 1);
	pm_buf_addstr(b, "<h2>Thai AQI</h2>");
	chart(b, "station-days by Thai AQI category of the daily mean PM2.5 "
		 "(days with at least 18 hours)",
	      "Thai AQI category", "station-days", counts, 5, names, 0,
	      colours);
}

static void correlations(struct pm_buf *b, const struct pm_table *t)
{
	int cols[PM_NMEASURES], nc = 0, x, y;
	size_t i;

	for (x = 0; x < PM_NMEASURES; x++)
		if (pm_table_col_used(t, x))
			cols[nc++] = x;
	pm_buf_addstr(b, "<h2>Correlations</h2><table><tr><th></th>");
	for (x = 0; x < nc; x++)
		pm_buf_addf(b, "<th>%s</th>", pm_col_name(cols[x]));
	pm_buf_addstr(b, "</tr>\n");
	for (y = 0; y < nc; y++) {
		pm_buf_addf(b, "<tr><th>%s</th>", pm_col_name(cols[y]));
		for (x = 0; x < nc; x++) {
			double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, r;
			size_t n = 0;

			for (i = 0; i < t->nr; i++) {
				double a = t->col[cols[x]][i],
				       c = t->col[cols[y]][i];

				if (isnan(a) || isnan(c))
					continue;
				sx += a;
				sy += c;
				sxx += a * a;
				syy += c * c;
				sxy += a * c;
				n++;
			}
			r = n > 2 ? (n * sxy - sx * sy) /
					    sqrt((n * sxx - sx * sx) *
						 (n * syy - sy * sy)) :
				    NAN;
			if (isnan(r) || !isfinite(r))
				pm_buf_addstr(b, "<td>-</td>");
			else
				pm_buf_addf(b, "<td style=\"background:rgba(%s,"
					       "%.2f)\">%.2f</td>",
					    r > 0 ? "205,0,0" : "31,111,178",
					    fabs(r), r);
		}
		pm_buf_addstr(b, "</tr>\n");
	}
	pm_buf_addstr(b, "</table>\n");
}

void pm_eda_html(const struct pm_table *t, const char *title,
		 const char *subtitle, struct pm_buf *out)
{
	pm_buf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
			   "<meta charset=\"utf-8\"><title>");
	html(out, title);
	pm_buf_addstr(out,
		      "</title><style>body{font-family:sans-serif;margin:2em}"
		      "table{border-collapse:collapse}td,th{border:1px solid "
		      "#ccc;padding:2px 6px;font-size:12px}figure{margin:1em 0}"
		      "figcaption{font-size:12px;color:#444}</style></head>"
		      "<body><h1>");
	html(out, title);
	pm_buf_addstr(out, "</h1><p>");
	html(out, subtitle);
	pm_buf_addf(out, " &middot; %zu station-hours, %zu stations</p>\n",
		    t->nr, t->stations.nr);
	summary_table(out, t);
	heatmap(out, t);
	profiles(out, t);
	monthly(out, t);
	distribution(out, t);
	aqi_counts(out, t);
	correlations(out, t);
	pm_buf_addstr(out, "</body></html>\n");
}
