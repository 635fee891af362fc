/*
 * The stations now (pm25/stations.h): the newest PM2.5 of each station
 * in main's newest day files, the Thai AQI of its 24-hour mean, and
 * the station's name and place from stations/stations.csv.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/aqi.h"
#include "pm25/buf.h"
#include "pm25/csvsrc.h"
#include "pm25/stations.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

/* Whether t has a PM2.5 value from row from on. */
static int has_pm25(const struct pm_table *t, size_t from)
{
	for (; from < t->nr; from++)
		if (!isnan(t->col[PM_COL_PM25][from]))
			return 1;
	return 0;
}

/*
 * The rows of main's newest day files into t: back from the newest
 * until two of them held a PM2.5 value (days of a source without PM2.5,
 * or a gap, are passed over), at most MAX_DAYS files.
 */
#define MAX_DAYS 30

static enum pm_err newest_days(struct pm_store *data, struct pm_table *t,
			       struct pm_buf *err)
{
	struct pm_strv days = PM_STRV_INIT;
	struct pm_buf text = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	enum pm_err ret;
	size_t i, read = 0, with = 0;

	ret = pm_store_list(data, "main", "clean/hourly/", &days, err);
	for (i = days.nr; !ret && i-- > 0 && with < 2 && read < MAX_DAYS;) {
		size_t before = t->nr;

		pm_buf_reset(&text);
		ret = pm_store_get(data, "main", days.v[i], &text, err);
		if (!ret)
			ret = pm_csv_to_table(text.buf ? text.buf : "", text.len,
					      days.v[i], &co, t, err);
		read++;
		with += !ret && has_pm25(t, before);
	}
	pm_strv_release(&days);
	pm_buf_release(&text);
	return ret;
}

/* The stations of stations.csv with no value yet, after the *n others. */
static void add_silent(struct pm_table *meta, struct pm_station_now **v,
		       size_t *n, size_t alloc)
{
	size_t m, k, have = *n;

	for (m = 0; m < meta->stations.nr; m++) {
		const char *id = meta->stations.keys[m];
		const struct pm_station_meta *sm =
			pm_table_meta(meta, (uint32_t)m);
		struct pm_station_now *o;

		for (k = 0; k < have && strcmp((*v)[k].id, id); k++)
			;
		if (k < have)
			continue;
		if (*n >= alloc) {
			alloc = alloc * 2 + 8;
			*v = pm_xrealloc(*v, (alloc + 1) * sizeof(**v));
		}
		o = &(*v)[(*n)++];
		memset(o, 0, sizeof(*o));
		o->id = pm_xstrdup(id);
		o->name_en = sm->name_en ? pm_xstrdup(sm->name_en) : NULL;
		o->name_th = sm->name_th ? pm_xstrdup(sm->name_th) : NULL;
		o->lat = sm->lat;
		o->lon = sm->lon;
		o->time = PM_STATION_NONE;
		o->pm25 = o->pm25_24h = NAN;
		o->aqi = -1;
	}
}

enum pm_err pm_stations_now(struct pm_store *data, struct pm_station_now **v,
			    size_t *n, struct pm_buf *err)
{
	struct pm_table t, meta;
	struct pm_buf text = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	enum pm_err ret;
	size_t i, k, nst;

	*v = NULL;
	*n = 0;
	pm_table_init(&t);
	pm_table_init(&meta);
	ret = newest_days(data, &t, err);
	if (!ret && !pm_store_get(data, "main", "stations/stations.csv", &text,
				  NULL) && text.len)
		pm_csv_to_table(text.buf, text.len, "stations.csv", &co, &meta,
				NULL);
	if (ret)
		goto out;
	pm_table_sort(&t, 1);
	nst = t.stations.nr;
	*v = pm_xcalloc(nst + 1, sizeof(**v));
	/* rows are by station, then time: each station's last ones */
	for (i = 0; i < t.nr;) {
		uint32_t s = t.station[i];
		size_t end = i, last = SIZE_MAX;
		double sum = 0;
		int count = 0;

		while (end < t.nr && t.station[end] == s)
			end++;
		for (k = i; k < end; k++)
			if (!isnan(t.col[PM_COL_PM25][k]))
				last = k;
		for (k = i; last != SIZE_MAX && k <= last; k++)
			if (!isnan(t.col[PM_COL_PM25][k]) &&
			    t.time[k] > t.time[last] - 86400) {
				sum += t.col[PM_COL_PM25][k];
				count++;
			}
		if (last != SIZE_MAX) {
			struct pm_station_now *o = &(*v)[(*n)++];
			const char *id = t.stations.keys[s];
			uint32_t m = pm_table_station(&meta, id, strlen(id));
			const struct pm_station_meta *sm = pm_table_meta(&meta, m);

			o->id = pm_xstrdup(id);
			o->name_en = sm->name_en ? pm_xstrdup(sm->name_en) : NULL;
			o->name_th = sm->name_th ? pm_xstrdup(sm->name_th) : NULL;
			o->lat = sm->lat;
			o->lon = sm->lon;
			o->time = t.time[last];
			o->pm25 = t.col[PM_COL_PM25][last];
			o->pm25_24h = sum / count;
			o->aqi = pm_aqi_thai(PM_POL_PM25, o->pm25_24h);
			if (o->aqi >= 0) {
				int c = pm_aqi_thai_category(o->aqi);

				o->category = pm_aqi_thai_name(c);
				o->colour = pm_aqi_thai_colour(c);
			}
		}
		i = end;
	}
	add_silent(&meta, v, n, nst);
out:
	pm_table_release(&t);
	pm_table_release(&meta);
	pm_buf_release(&text);
	return ret;
}

void pm_stations_now_free(struct pm_station_now *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++) {
		free(v[i].id);
		free(v[i].name_en);
		free(v[i].name_th);
	}
	free(v);
}

static void num_or_null(struct pm_buf *b, const char *key, double x)
{
	pm_buf_addf(b, ", \"%s\": ", key);
	if (isnan(x))
		pm_buf_addstr(b, "null");
	else
		pm_buf_add_json_num(b, x);
}

static void str_or_null(struct pm_buf *b, const char *key, const char *s)
{
	pm_buf_addf(b, ", \"%s\": ", key);
	if (s)
		pm_buf_add_json_str(b, s, strlen(s));
	else
		pm_buf_addstr(b, "null");
}

void pm_station_now_json(struct pm_buf *b, const struct pm_station_now *s,
			 int64_t now)
{
	char iso[32];

	pm_buf_addstr(b, "{\"id\": ");
	pm_buf_add_json_str(b, s->id, strlen(s->id));
	str_or_null(b, "name_en", s->name_en);
	str_or_null(b, "name_th", s->name_th);
	num_or_null(b, "lat", s->lat);
	num_or_null(b, "lon", s->lon);
	if (s->time == PM_STATION_NONE) {
		pm_buf_addstr(b, ", \"time_utc\": null, \"age_s\": null");
	} else {
		pm_time_format(s->time, iso);
		pm_buf_addf(b, ", \"time_utc\": \"%s\", \"age_s\": %lld", iso,
			    (long long)(now - s->time));
	}
	num_or_null(b, "pm25", s->pm25);
	num_or_null(b, "pm25_24h", s->pm25_24h);
	if (s->aqi >= 0)
		pm_buf_addf(b, ", \"aqi\": %d", s->aqi);
	else
		pm_buf_addstr(b, ", \"aqi\": null");
	str_or_null(b, "category", s->category);
	str_or_null(b, "colour", s->colour);
	pm_buf_addch(b, '}');
}
