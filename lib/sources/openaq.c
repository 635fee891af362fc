/*
 * OpenAQ v3: "latest" lists (/v3/parameters/{id}/latest,
 * /v3/locations/{id}/latest) and sensor measurements
 * (/v3/sensors/{id}/measurements). -9999 and 9999 are sentinels for no
 * data; meta.found may be a number or a string such as ">1000". Gases
 * are converted to the canonical units (ppb, CO in ppm) at 25 degC.
 */
#include "pm25/compat.h"
#include <strings.h>
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/log.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "json-int.h"
#include "source-int.h"

#define PAGE_LIMIT 1000
#define MOLAR_VOLUME 24.45 /* litres per mole at 25 degC, 1 atm */

/* OpenAQ parameter ids and names, with the units they come in. */
static const struct param {
	int id;
	const char *name, *units;
	int col;
	double mw; /* molar mass for ug/m3 <-> ppb, 0 if not a gas */
} params[] = {
	{ 1, "pm10", "µg/m³", PM_COL_PM10, 0 },
	{ 2, "pm25", "µg/m³", PM_COL_PM25, 0 },
	{ 3, "o3", "µg/m³", PM_COL_O3, 48.00 },
	{ 4, "co", "µg/m³", PM_COL_CO, 28.01 },
	{ 5, "no2", "µg/m³", PM_COL_NO2, 46.01 },
	{ 6, "so2", "µg/m³", PM_COL_SO2, 64.07 },
	{ 7, "no2", "ppm", PM_COL_NO2, 46.01 },
	{ 8, "co", "ppm", PM_COL_CO, 28.01 },
	{ 9, "so2", "ppm", PM_COL_SO2, 64.07 },
	{ 10, "o3", "ppm", PM_COL_O3, 48.00 },
	{ 98, "relativehumidity", "%", PM_COL_RH, 0 },
	{ 100, "temperature", "c", PM_COL_TEMP, 0 },
	{ 0, "wind_speed", "m/s", PM_COL_WS, 0 },
	{ 0, "wind_direction", "deg", PM_COL_WD, 0 },
};

static const struct param *param_by_id(long id)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(params); i++)
		if (params[i].id == id)
			return &params[i];
	return NULL;
}

static const struct param *param_by_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < PM_ARRAY_SIZE(params); i++)
		if (!strcasecmp(params[i].name, name))
			return &params[i];
	return NULL;
}

/* Convert v from units to the canonical unit of p's column; NAN if not. */
static double to_canonical(const struct param *p, const char *units, double v)
{
	int ug = units && (strstr(units, "g/m") != NULL);
	int ppm = units && !strcasecmp(units, "ppm");
	int ppb = units && !strcasecmp(units, "ppb");

	if (!p->mw || !units)
		return v;
	if (p->col == PM_COL_CO) {
		if (ppm)
			return v;
		if (ppb)
			return v / 1000;
		return ug ? v * MOLAR_VOLUME / p->mw / 1000 : NAN;
	}
	if (ppb)
		return v;
	if (ppm)
		return v * 1000;
	return ug ? v * MOLAR_VOLUME / p->mw : NAN;
}

static void add_header(const struct pm_source_req *req, struct pm_buf *hdr)
{
	const char *key = req->api_key ? req->api_key :
					 pm_config_str(PM_CFG_OPENAQ_API_KEY);

	if (key && *key)
		pm_buf_addf(hdr, "X-API-Key: %s\n", key);
}

static enum pm_err build_url(const struct pm_source_req *req,
			     struct pm_buf *url, struct pm_buf *err)
{
	const char *s = req->nr_stations ? req->stations[0] : NULL;

	if (!s)
		return pm_errf(err, PM_ERR_USAGE,
			       "openaq needs --station LOCATION_ID, or "
			       "--station sensor:SENSOR_ID with --from/--to");
	if (!strncmp(s, "sensor:", 7)) {
		char from[16], to[16];

		if (req->from_day == PM_TIME_NONE ||
		    req->to_day == PM_TIME_NONE)
			return pm_errf(err, PM_ERR_USAGE,
				       "openaq measurements need --from and "
				       "--to");
		pm_date_format(req->from_day * 86400, from);
		pm_date_format((req->to_day + 1) * 86400, to);
		pm_buf_addf(url,
			    "%s/sensors/%s/measurements?datetime_from=%s"
			    "&datetime_to=%s&limit=%d&page=1",
			    pm_config_str_or_default(PM_CFG_OPENAQ_URL), s + 7, from, to,
			    PAGE_LIMIT);
	} else {
		pm_buf_addf(url, "%s/locations/%s/latest?limit=%d&page=1",
			    pm_config_str_or_default(PM_CFG_OPENAQ_URL), s, PAGE_LIMIT);
	}
	return PM_OK;
}

/* The number after "/<what>/" in url, or -1. */
static long id_in_url(const char *url, const char *what)
{
	const char *p = url ? strstr(url, what) : NULL;

	return p ? strtol(p + strlen(what), NULL, 10) : -1;
}

static enum pm_err parse(const char *body, size_t len, const char *origin,
			 const struct pm_source_req *req, struct pm_table *t,
			 struct pm_buf *err)
{
	const struct param *fixed = NULL;
	json_t *root = NULL, *results, *res;
	enum pm_err ret;
	size_t i;

	ret = pm_json_load(body, len, origin, &root, err);
	if (ret)
		return ret;
	results = json_object_get(root, "results");
	if (!json_is_array(results)) {
		const char *detail = pm_json_str(root, "detail");

		ret = pm_errf(err, PM_ERR_PARSE,
			      "%s: no \"results\" array: not an OpenAQ v3 "
			      "response%s%s",
			      origin, detail ? ": " : "", detail ? detail : "");
		goto out;
	}
	if (req->params)
		fixed = param_by_name(req->params);
	if (!fixed)
		fixed = param_by_id(id_in_url(origin, "/parameters/"));
	if (!fixed)
		fixed = param_by_id(id_in_url(origin, "parameters_"));
	json_array_foreach(results, i, res) {
		const json_t *period = json_object_get(res, "period");
		const json_t *par = json_object_get(res, "parameter");
		const struct param *p = fixed;
		const char *units = NULL, *ts;
		long loc = (long)json_integer_value(
			json_object_get(res, "locationsId"));
		long sensor = (long)json_integer_value(
			json_object_get(res, "sensorsId"));
		json_t *coord = json_object_get(res, "coordinates");
		char id[64];
		int64_t when;
		uint32_t sid;
		size_t r;
		double v = NAN;

		if (json_is_object(par)) {
			p = param_by_name(pm_json_str(par, "name"));
			units = pm_json_str(par, "units");
		}
		if (!p && !json_is_object(par)) {
			/* a bare "latest" list says nothing: PM2.5 */
			p = param_by_id(2);
			if (i == 0)
				pm_log(PM_LOG_WARN, "openaq",
				       "%s: no parameter in the reply or the "
				       "URL; reading it as pm25 (use --param)",
				       origin);
		}
		if (!p) {
			ret = pm_errf(err, PM_ERR_DATA,
				      "%s: results[%zu]: unknown parameter; "
				      "name it with --param (pm25, pm10, ...)",
				      origin, i);
			goto out;
		}
		if (!units)
			units = p->units;
		if (json_is_object(period))
			ts = pm_json_str(json_object_get(period, "datetimeTo"),
					 "utc");
		else
			ts = pm_json_str(json_object_get(res, "datetime"),
					 "utc");
		if (!ts || pm_time_parse(ts, strlen(ts), PM_TIME_NAIVE_UTC,
					 &when))
			when = PM_TIME_NONE;
		if (loc > 0)
			snprintf(id, sizeof(id), "openaq-%ld", loc);
		else if (sensor > 0)
			snprintf(id, sizeof(id), "openaq-sensor-%ld", sensor);
		else if (id_in_url(origin, "/sensors/") > 0)
			snprintf(id, sizeof(id), "openaq-sensor-%ld",
				 id_in_url(origin, "/sensors/"));
		else
			snprintf(id, sizeof(id), "%s",
				 req->station ? req->station : "openaq");
		sid = pm_table_station(t, id, strlen(id));
		if (json_is_object(coord)) {
			struct pm_station_meta *m = pm_table_meta(t, sid);

			m->lat = json_number_value(
				json_object_get(coord, "latitude"));
			m->lon = json_number_value(
				json_object_get(coord, "longitude"));
		}
		r = pm_table_add(t, sid, when, (uint32_t)i + 1);
		if (when == PM_TIME_NONE)
			pm_table_note_bad_time(t, r, ts ? ts : "",
					       ts ? strlen(ts) : 0);
		{
			json_t *jv = json_object_get(res, "value");

			if (json_is_number(jv))
				v = json_number_value(jv);
			if (!json_is_number(jv) || v == -9999 || v == 9999) {
				t->markers++;
				continue;
			}
		}
		v = to_canonical(p, units, v);
		if (isnan(v)) {
			t->junk++;
			continue;
		}
		{
			json_t *num = json_real(v);

			pm_source_set_json(t, r, p->col, num, req);
			json_decref(num);
		}
	}
out:
	json_decref(root);
	return ret;
}

/* More pages when meta.found says so ("found": 2500 or ">1000"). */
static int next_page(const char *body, size_t len, const char *url, int page,
		     struct pm_buf *next)
{
	json_t *root = json_loadb(body, len, 0, NULL), *found;
	size_t nres, limit;
	const char *p;
	int more = 0;

	if (!root)
		return 0;
	found = json_object_get(json_object_get(root, "meta"), "found");
	limit = (size_t)json_integer_value(
		json_object_get(json_object_get(root, "meta"), "limit"));
	nres = json_array_size(json_object_get(root, "results"));
	if (json_is_integer(found))
		more = (size_t)json_integer_value(found) > (size_t)page * limit;
	else if (json_is_string(found))
		more = json_string_value(found)[0] == '>' && nres &&
		       nres >= limit;
	json_decref(root);
	p = strstr(url, "page=");
	if (!more || !p || !limit)
		return 0;
	pm_buf_add(next, url, (size_t)(p - url));
	pm_buf_addf(next, "page=%d", page + 1);
	p += 5;
	while (*p >= '0' && *p <= '9')
		p++;
	pm_buf_addstr(next, p);
	return 1;
}

const struct pm_source pm_source_openaq = {
	.name = "openaq",
	.help = "OpenAQ v3 latest values and sensor measurements",
	.endpoint = "openaq_url",
	.secret = "openaq_api_key",
	.build_url = build_url,
	.parse = parse,
	.next_page = next_page,
	.headers = add_header,
};
