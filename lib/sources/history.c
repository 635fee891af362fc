/*
 * Air4Thai history, getHistoryData.php: hourly values per station.
 * Two shapes exist. The current forweb endpoint labels each hour by its
 * end and writes missing values as null. The legacy webV2 endpoint labels
 * hours by their start and writes missing values as "-"; its labels are
 * moved one hour later, so both shapes land on hour-ending times.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/csvsrc.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "json-int.h"
#include "source-int.h"

#define ALL_PARAMS "PM25,PM10,O3,CO,NO2,SO2,WS,TEMP,RH,WD"

static enum pm_err build_url(const struct pm_source_req *req,
			     struct pm_buf *url, struct pm_buf *err)
{
	char from[16], to[16];
	size_t i;

	if (!req->nr_stations)
		return pm_errf(err, PM_ERR_USAGE,
			       "air4thai-history needs --station ID");
	if (req->from_day == PM_TIME_NONE || req->to_day == PM_TIME_NONE)
		return pm_errf(err, PM_ERR_USAGE,
			       "air4thai-history needs --from and --to");
	pm_date_format(req->from_day * 86400, from);
	pm_date_format(req->to_day * 86400, to);
	pm_buf_addf(url, "%s?stationID=",
		    pm_config_str_or_default(PM_CFG_AIR4THAI_HISTORY_URL));
	for (i = 0; i < req->nr_stations; i++)
		pm_buf_addf(url, "%s%s", i ? "," : "", req->stations[i]);
	pm_buf_addf(url,
		    "&param=%s&type=hr&sdate=%s&edate=%s&stime=00&etime=23",
		    req->params ? req->params : ALL_PARAMS, from, to);
	return PM_OK;
}

/* 1 if any value is the string "-": the legacy shape. */
static int is_legacy(const json_t *stations)
{
	const json_t *st, *row, *v;
	const char *key;
	size_t i, k;

	json_array_foreach(stations, i, st) {
		json_array_foreach(json_object_get(st, "data"), k, row) {
			json_object_foreach((json_t *)row, key, v) {
				if (json_is_string(v) &&
				    !strcmp(json_string_value(v), "-"))
					return 1;
			}
		}
	}
	return 0;
}

static enum pm_err parse(const char *body, size_t len, const char *origin,
			 const struct pm_source_req *req, struct pm_table *t,
			 struct pm_buf *err)
{
	json_t *root = NULL, *stations, *st;
	const char *result;
	enum pm_err ret;
	int64_t shift = 0;
	size_t i, k;

	ret = pm_json_load(body, len, origin, &root, err);
	if (ret)
		return ret;
	result = pm_json_str(root, "result");
	if (result && strcmp(result, "OK")) {
		const char *msg = pm_json_str(root, "error");

		ret = pm_errf(err, PM_ERR_DATA, "%s: the API answered %s: %s",
			      origin, result, msg && *msg ? msg : "no reason");
		goto out;
	}
	stations = json_object_get(root, "stations");
	if (!json_is_array(stations)) {
		ret = pm_errf(err, PM_ERR_PARSE,
			      "%s: no \"stations\" array: not an Air4Thai "
			      "history response",
			      origin);
		goto out;
	}
	if (req->hour_label ? !strcmp(req->hour_label, "begin") :
			      is_legacy(stations))
		shift = 3600;
	json_array_foreach(stations, i, st) {
		const char *id = pm_json_str(st, "stationID");
		json_t *data = json_object_get(st, "data"), *row;
		uint32_t sid;

		if (!id || !*id || !json_is_array(data)) {
			ret = pm_errf(err, PM_ERR_PARSE,
				      "%s: stations[%zu]: no stationID or no "
				      "data array",
				      origin, i);
			goto out;
		}
		sid = pm_table_station(t, id, strlen(id));
		json_array_foreach(data, k, row) {
			const char *ts = pm_json_str(row, "DATETIMEDATA");
			const char *key;
			json_t *v;
			int64_t when;
			size_t r;

			if (!ts || pm_time_parse(ts, strlen(ts), 0, &when))
				when = PM_TIME_NONE;
			else
				when += shift;
			r = pm_table_add(t, sid, when, (uint32_t)k + 1);
			if (when == PM_TIME_NONE)
				pm_table_note_bad_time(t, r, ts ? ts : "",
						       ts ? strlen(ts) : 0);
			json_object_foreach(row, key, v) {
				int col = pm_csv_measure_alias(key,
							       strlen(key));

				if (col >= 0 && col < PM_NMEASURES)
					pm_source_set_json(t, r, col, v, req);
			}
		}
	}
out:
	json_decref(root);
	return ret;
}

const struct pm_source pm_source_air4thai_history = {
	.name = "air4thai-history",
	.help = "Air4Thai hourly history (getHistoryData.php), current and "
		"legacy shapes",
	.endpoint = "air4thai_history_url",
	.build_url = build_url,
	.parse = parse,
	.per_station = 1,
};
