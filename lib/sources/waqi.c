/*
 * WAQI feed (api.waqi.info/feed/...). Its pollutant values are US EPA AQI
 * sub-indices, not concentrations: they go to the aqi_* columns, and rows
 * carry PM_FLAG_AQI_US. t, h and w are plain temperature, humidity and
 * wind speed. time.v is the local wall clock written as an epoch, so the
 * instant comes from time.iso, or from time.s with time.tz.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "json-int.h"
#include "source-int.h"

static const struct {
	const char *key;
	int col;
} iaqi[] = {
	{ "pm25", PM_COL_AQI_PM25 }, { "pm10", PM_COL_AQI_PM10 },
	{ "o3", PM_COL_AQI_O3 },     { "co", PM_COL_AQI_CO },
	{ "no2", PM_COL_AQI_NO2 },   { "so2", PM_COL_AQI_SO2 },
	{ "t", PM_COL_TEMP },	     { "h", PM_COL_RH },
	{ "w", PM_COL_WS },
};

static enum pm_err build_url(const struct pm_source_req *req,
			     struct pm_buf *url, struct pm_buf *err)
{
	const char *key = req->api_key ? req->api_key : pm_config_str(PM_CFG_WAQI_TOKEN);

	if (!key || !*key)
		return pm_errf(err, PM_ERR_USAGE,
			       "waqi needs a token: --api-key or WAQI_TOKEN");
	pm_buf_addf(url, "%s/feed/%s/?token=%s", pm_config_str_or_default(PM_CFG_WAQI_URL),
		    req->nr_stations ? req->stations[0] : "bangkok", key);
	return PM_OK;
}

/* The true instant of the reading. */
static int feed_time(const json_t *time, int64_t *when)
{
	const char *iso = pm_json_str(time, "iso");
	const char *s = pm_json_str(time, "s"), *tz = pm_json_str(time, "tz");
	json_t *v = json_object_get(time, "v");

	if (iso && !pm_time_parse(iso, strlen(iso), 0, when))
		return 0;
	if (s && tz) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%s%s", s, tz);
		buf[10] = buf[10] == ' ' ? 'T' : buf[10];
		if (!pm_time_parse(buf, strlen(buf), 0, when))
			return 0;
	}
	if (json_is_integer(v) && tz) {
		/* local wall clock as epoch: take the zone off */
		char buf[64];
		int64_t zero;

		snprintf(buf, sizeof(buf), "1970-01-01T00:00:00%s", tz);
		if (!pm_time_parse(buf, strlen(buf), 0, &zero)) {
			*when = (int64_t)json_integer_value(v) + zero;
			return 0;
		}
	}
	return -1;
}

static enum pm_err parse(const char *body, size_t len, const char *origin,
			 const struct pm_source_req *req, struct pm_table *t,
			 struct pm_buf *err)
{
	json_t *root = NULL, *data, *vals, *geo;
	const char *status;
	char id[48];
	enum pm_err ret;
	int64_t when;
	uint32_t sid;
	size_t r, k;

	ret = pm_json_load(body, len, origin, &root, err);
	if (ret)
		return ret;
	status = pm_json_str(root, "status");
	data = json_object_get(root, "data");
	if (!status || strcmp(status, "ok")) {
		const char *msg = json_is_string(data) ?
					  json_string_value(data) :
					  "no reason given";

		ret = pm_errf(err, PM_ERR_DATA, "%s: WAQI status %s: %s",
			      origin, status ? status : "missing", msg);
		goto out;
	}
	if (!json_is_object(data)) {
		ret = pm_errf(err, PM_ERR_PARSE, "%s: WAQI reply without data",
			      origin);
		goto out;
	}
	snprintf(id, sizeof(id), "waqi-%lld",
		 (long long)json_integer_value(json_object_get(data, "idx")));
	sid = pm_table_station(t, id, strlen(id));
	{
		struct pm_station_meta *m = pm_table_meta(t, sid);
		json_t *city = json_object_get(data, "city");
		const char *name = pm_json_str(city, "name");

		geo = json_object_get(city, "geo");
		if (name && !m->name_en)
			m->name_en = strdup(name);
		if (json_array_size(geo) == 2) {
			m->lat = json_number_value(json_array_get(geo, 0));
			m->lon = json_number_value(json_array_get(geo, 1));
		}
	}
	if (feed_time(json_object_get(data, "time"), &when))
		when = PM_TIME_NONE;
	r = pm_table_add(t, sid, when, 1);
	t->flags[r] |= PM_FLAG_AQI_US;
	vals = json_object_get(data, "iaqi");
	for (k = 0; k < PM_ARRAY_SIZE(iaqi); k++) {
		json_t *blk = json_object_get(vals, iaqi[k].key);

		/* a pollutant the station does not measure is absent */
		if (blk)
			pm_source_set_json(t, r, iaqi[k].col,
					   json_object_get(blk, "v"), req);
	}
	pm_source_set_json(t, r, PM_COL_AQI, json_object_get(data, "aqi"), req);
out:
	json_decref(root);
	return ret;
}

const struct pm_source pm_source_waqi = {
	.name = "waqi",
	.help = "WAQI feed (api.waqi.info): US AQI sub-indices, kept as AQI",
	.endpoint = "waqi_url",
	.secret = "waqi_token",
	.build_url = build_url,
	.parse = parse,
};
