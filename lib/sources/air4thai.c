/*
 * Air4Thai current feed, getNewAQI_JSON.php: station metadata and the
 * latest AQI record of every station. Every number arrives as a string;
 * "-1"/"-999" and color_id "0" mean no data. The published PM2.5, PM10,
 * O3 and CO values are means over the Thai AQI averaging periods
 * (24 h, 24 h, 8 h, 8 h), so they go to the _24h and _8h columns, never
 * to the hourly ones; NO2 and SO2 are 1-hour values.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/source.h"
#include "pm25/str.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "json-int.h"
#include "source-int.h"


static const struct {
	const char *key;
	int value_col, aqi_col;
} pollutants[] = {
	{ "PM25", PM_COL_PM25_24H, PM_COL_AQI_PM25 },
	{ "PM10", PM_COL_PM10_24H, PM_COL_AQI_PM10 },
	{ "O3", PM_COL_O3_8H, PM_COL_AQI_O3 },
	{ "CO", PM_COL_CO_8H, PM_COL_AQI_CO },
	{ "NO2", PM_COL_NO2, PM_COL_AQI_NO2 },
	{ "SO2", PM_COL_SO2, PM_COL_AQI_SO2 },
};

static enum pm_err build_url(const struct pm_source_req *req,
			     struct pm_buf *url, struct pm_buf *err)
{
	(void)req;
	(void)err;
	pm_buf_addstr(url, pm_config_str_or_default(PM_CFG_AIR4THAI_URL));
	return PM_OK;
}

static char *dup_trim(const char *s)
{
	struct pm_str v = { s, s ? strlen(s) : 0 };

	v = pm_str_trim_name(v);
	return v.len ? pm_xmemdupz(v.ptr, v.len) : NULL;
}

static void set_meta(struct pm_table *t, uint32_t sid, const json_t *st)
{
	struct pm_station_meta *m = pm_table_meta(t, sid);
	const char *lat = pm_json_str(st, "lat"), *lon = pm_json_str(st, "long");

	if (!m->name_th)
		m->name_th = dup_trim(pm_json_str(st, "nameTH"));
	if (!m->name_en)
		m->name_en = dup_trim(pm_json_str(st, "nameEN"));
	if (!m->area_th)
		m->area_th = dup_trim(pm_json_str(st, "areaTH"));
	if (!m->area_en)
		m->area_en = dup_trim(pm_json_str(st, "areaEN"));
	if (!m->type)
		m->type = dup_trim(pm_json_str(st, "stationType"));
	if (lat)
		m->lat = strtod(lat, NULL);
	if (lon)
		m->lon = strtod(lon, NULL);
}

/* One pollutant block {color_id, aqi, value}. */
static void set_pollutant(struct pm_table *t, size_t r, const json_t *blk,
			  int value_col, int aqi_col,
			  const struct pm_source_req *req)
{
	const char *color = pm_json_str(blk, "color_id");

	if (!json_is_object(blk))
		return;
	if (color && !strcmp(color, "0")) {
		/* no data, whatever the value says */
		t->markers++;
		return;
	}
	pm_source_set_json(t, r, value_col, json_object_get(blk, "value"), req);
	pm_source_set_json(t, r, aqi_col, json_object_get(blk, "aqi"), req);
}

static enum pm_err parse(const char *body, size_t len, const char *origin,
			 const struct pm_source_req *req, struct pm_table *t,
			 struct pm_buf *err)
{
	json_t *root = NULL, *list, *st;
	enum pm_err ret;
	size_t i, k;

	ret = pm_json_load(body, len, origin, &root, err);
	if (ret)
		return ret;
	list = json_object_get(root, "stations");
	if (!json_is_array(list)) {
		ret = pm_errf(err, PM_ERR_PARSE,
			      "%s: no \"stations\" array: not an Air4Thai "
			      "getNewAQI_JSON response",
			      origin);
		goto out;
	}
	json_array_foreach(list, i, st) {
		const char *id = pm_json_str(st, "stationID");
		json_t *last = json_object_get(st, "AQILast"), *aqi;
		const char *date = pm_json_str(last, "date");
		const char *clock = pm_json_str(last, "time");
		int64_t days, secs, when = PM_TIME_NONE;
		uint32_t sid;
		size_t r;

		if (!id || !*id) {
			ret = pm_errf(err, PM_ERR_PARSE,
				      "%s: stations[%zu]: no stationID", origin,
				      i);
			goto out;
		}
		sid = pm_table_station(t, id, strlen(id));
		set_meta(t, sid, st);
		if (date && clock &&
		    !pm_date_parse(date, strlen(date), &days) &&
		    !pm_clock_parse(clock, strlen(clock), &secs))
			when = days * 86400 + secs - PM_ICT_OFFSET;
		r = pm_table_add(t, sid, when, (uint32_t)i + 1);
		if (when == PM_TIME_NONE)
			pm_table_note_bad_time(t, r, date ? date : "",
					       date ? strlen(date) : 0);
		for (k = 0; k < PM_ARRAY_SIZE(pollutants); k++)
			set_pollutant(t, r,
				      json_object_get(last, pollutants[k].key),
				      pollutants[k].value_col,
				      pollutants[k].aqi_col, req);
		aqi = json_object_get(last, "AQI");
		if (json_is_object(aqi))
			pm_source_set_json(t, r, PM_COL_AQI,
					   json_object_get(aqi, "aqi"), req);
	}
out:
	json_decref(root);
	return ret;
}

const struct pm_source pm_source_air4thai = {
	.name = "air4thai",
	.help = "Air4Thai current feed (getNewAQI_JSON.php): stations and "
		"latest AQI",
	.endpoint = "air4thai_url",
	.build_url = build_url,
	.parse = parse,
};
