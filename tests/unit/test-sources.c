/*
 * Unit tests of the source drivers on inline bodies, and of the HTTP
 * helpers that need no server.
 */
#include "test.h"
#include "pm25/buf.h"
#include "pm25/http.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

static enum pm_err parse(const struct pm_source *s, const char *body,
			 struct pm_table *t, struct pm_buf *err)
{
	struct pm_source_req req;

	memset(&req, 0, sizeof(req));
	req.from_day = req.to_day = PM_TIME_NONE;
	req.zero_missing = (1u << PM_COL_WS) | (1u << PM_COL_TEMP) |
			   (1u << PM_COL_RH);
	pm_table_init(t);
	return s->parse(body, strlen(body), "body", &req, t, err);
}

TEST(source_bad_bodies)
{
	static const char *bodies[][2] = {
		{ "", "body: empty body where JSON was expected" },
		{ "  \n", "body: empty body where JSON was expected" },
		{ "<!DOCTYPE html><html><body>502 Bad Gateway</body></html>",
		  "body: byte 0: expected JSON, got HTML or XML: "
		  "'<!DOCTYPE html><html><body>502 Bad Gatew...'" },
		{ "{\"stations\": [{\"stationID\": \"02t\"",
		  "body: line 1 column 33 (byte 33): '}' expected near end of "
		  "file" },
		{ "{\"stations\": [1,}",
		  "body: line 1 column 17 (byte 17): unexpected token near '}'" },
	};
	const struct pm_source *const *s;
	size_t i;

	for (s = pm_source_list(); *s; s++) {
		if (!strcmp((*s)->name, "csv"))
			continue;
		for (i = 0; i < PM_ARRAY_SIZE(bodies); i++) {
			struct pm_buf err = PM_BUF_INIT;
			struct pm_table t;

			PM_ASSERT_EQ(parse(*s, bodies[i][0], &t, &err),
				     PM_ERR_PARSE);
			PM_ASSERT_STR_EQ(err.buf, bodies[i][1]);
			pm_table_release(&t);
			pm_buf_release(&err);
		}
	}
}

TEST(source_history_null_and_dash)
{
	const char *current =
		"{\"result\":\"OK\",\"error\":\"\",\"stations\":[{\"stationID\":"
		"\"44t\",\"params\":[\"PM25\",\"WS\"],\"data\":["
		"{\"DATETIMEDATA\":\"2024-02-01 01:00:00\",\"PM25\":20.5,"
		"\"WS\":null},"
		"{\"DATETIMEDATA\":\"2024-02-01 02:00:00\",\"PM25\":null,"
		"\"WS\":0}]}]}";
	const char *legacy =
		"{\"result\":\"OK\",\"stations\":[{\"stationID\":\"03t\","
		"\"data\":[{\"DATETIMEDATA\":\"2019-01-01 00:00:00\","
		"\"PM25\":28,\"NO2\":\"-\",\"CO\":1.47}]}]}";
	struct pm_table t;
	char ts[32];

	PM_ASSERT_EQ(parse(&pm_source_air4thai_history, current, &t, NULL),
		     PM_OK);
	PM_ASSERT_EQ(t.nr, 2);
	pm_time_format(t.time[0], ts);
	PM_ASSERT_STR_EQ(ts, "2024-01-31T18:00:00Z");
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 20.5);
	PM_ASSERT(isnan(t.col[PM_COL_PM25][1]));
	PM_ASSERT(isnan(t.col[PM_COL_WS][1]));
	PM_ASSERT_EQ(t.met_zero, 1);
	pm_table_release(&t);

	/* legacy labels begin the hour: 00:00 becomes 01:00 local */
	PM_ASSERT_EQ(parse(&pm_source_air4thai_history, legacy, &t, NULL),
		     PM_OK);
	pm_time_format(t.time[0], ts);
	PM_ASSERT_STR_EQ(ts, "2018-12-31T18:00:00Z");
	PM_ASSERT(isnan(t.col[PM_COL_NO2][0]));
	PM_ASSERT_DBL_EQ(t.col[PM_COL_CO][0], 1.47);
	pm_table_release(&t);
}

TEST(source_history_api_error)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_table t;

	PM_ASSERT_EQ(parse(&pm_source_air4thai_history,
			   "{\"result\":\"Error\",\"error\":\"bad station\"}",
			   &t, &err),
		     PM_ERR_DATA);
	PM_ASSERT_STR_EQ(err.buf,
			 "body: the API answered Error: bad station");
	pm_table_release(&t);
	pm_buf_release(&err);
}

TEST(source_air4thai_strings_and_no_data)
{
	const char *body =
		"{\"stations\":[{\"stationID\":\"02t\",\"nameTH\":\"x \","
		"\"lat\":\"13.5\",\"long\":\"100.5\",\"AQILast\":{\"date\":"
		"\"2025-05-10\",\"time\":\"22:00\",\"PM25\":{\"color_id\":\"2\","
		"\"aqi\":\"27\",\"value\":\"15.5\"},\"NO2\":{\"color_id\":\"0\","
		"\"aqi\":\"-1\",\"value\":\"-1\"},\"SO2\":{\"color_id\":\"1\","
		"\"aqi\":\"-999\",\"value\":\"3\"}}}]}";
	struct pm_table t;
	char ts[32];

	PM_ASSERT_EQ(parse(&pm_source_air4thai, body, &t, NULL), PM_OK);
	pm_time_format(t.time[0], ts);
	PM_ASSERT_STR_EQ(ts, "2025-05-10T15:00:00Z");
	/* a 24-hour mean is not an hourly value */
	PM_ASSERT(isnan(t.col[PM_COL_PM25][0]));
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25_24H][0], 15.5);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_AQI_PM25][0], 27);
	PM_ASSERT(isnan(t.col[PM_COL_NO2][0]));
	PM_ASSERT_DBL_EQ(t.col[PM_COL_SO2][0], 3);
	PM_ASSERT(isnan(t.col[PM_COL_AQI_SO2][0]));
	PM_ASSERT_STR_EQ(t.meta[0].name_th, "x");
	PM_ASSERT_DBL_EQ(t.meta[0].lat, 13.5);
	pm_table_release(&t);
}

TEST(source_waqi_aqi_and_clock)
{
	const char *body =
		"{\"status\":\"ok\",\"data\":{\"aqi\":143,\"idx\":5773,"
		"\"iaqi\":{\"pm25\":{\"v\":143},\"t\":{\"v\":27.5}},"
		"\"time\":{\"s\":\"2025-02-11 22:00:00\",\"tz\":\"+07:00\","
		"\"v\":1739311200}}}";
	struct pm_buf err = PM_BUF_INIT;
	struct pm_table t;
	char ts[32];

	PM_ASSERT_EQ(parse(&pm_source_waqi, body, &t, NULL), PM_OK);
	pm_time_format(t.time[0], ts);
	/* time.v is the local clock written as an epoch */
	PM_ASSERT_STR_EQ(ts, "2025-02-11T15:00:00Z");
	PM_ASSERT(isnan(t.col[PM_COL_PM25][0]));
	PM_ASSERT_DBL_EQ(t.col[PM_COL_AQI_PM25][0], 143);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_TEMP][0], 27.5);
	PM_ASSERT(t.flags[0] & PM_FLAG_AQI_US);
	pm_table_release(&t);
	PM_ASSERT_EQ(parse(&pm_source_waqi,
			   "{\"status\":\"error\",\"data\":\"Invalid key\"}",
			   &t, &err),
		     PM_ERR_DATA);
	PM_ASSERT_STR_EQ(err.buf, "body: WAQI status error: Invalid key");
	pm_table_release(&t);
	pm_buf_release(&err);
}

TEST(source_openaq_sentinels)
{
	const char *body =
		"{\"meta\":{\"found\":\">1000\",\"limit\":1000},\"results\":["
		"{\"value\":-9999.0,\"parameter\":{\"name\":\"pm25\",\"units\":"
		"\"µg/m³\"},\"period\":{\"datetimeTo\":{\"utc\":"
		"\"2024-01-01T01:00:00Z\"}},\"sensorsId\":7},"
		"{\"value\":9999,\"parameter\":{\"name\":\"pm25\"},\"period\":"
		"{\"datetimeTo\":{\"utc\":\"2024-01-01T02:00:00Z\"}},"
		"\"sensorsId\":7},"
		"{\"value\":0.05,\"parameter\":{\"name\":\"o3\",\"units\":"
		"\"ppm\"},\"period\":{\"datetimeTo\":{\"utc\":"
		"\"2024-01-01T03:00:00Z\"}},\"sensorsId\":7}]}";
	struct pm_table t;

	PM_ASSERT_EQ(parse(&pm_source_openaq, body, &t, NULL), PM_OK);
	PM_ASSERT_EQ(t.nr, 3);
	PM_ASSERT(isnan(t.col[PM_COL_PM25][0]));
	PM_ASSERT(isnan(t.col[PM_COL_PM25][1]));
	PM_ASSERT_EQ(t.markers, 2);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_O3][2], 50); /* ppm to ppb */
	PM_ASSERT_STR_EQ(t.stations.keys[0], "openaq-sensor-7");
	pm_table_release(&t);
}

TEST(http_redact_and_backoff)
{
	struct pm_http_opts o = PM_HTTP_OPTS_INIT;
	struct pm_buf b = PM_BUF_INIT;
	unsigned seed = 1;
	int n;

	pm_http_redact("https://api.waqi.info/feed/x/?token=SECRET&a=1", &b);
	PM_ASSERT_STR_EQ(b.buf, "https://api.waqi.info/feed/x/?token=***&a=1");
	pm_buf_release(&b);
	o.backoff_ms = 100;
	o.backoff_cap_ms = 1000;
	for (n = 1; n <= 8; n++) {
		long want = 100L << (n - 1), d;

		if (want > 1000)
			want = 1000;
		d = pm_http_backoff(&o, n, &seed);
		PM_ASSERT(d >= want / 2 && d <= want);
	}
}
