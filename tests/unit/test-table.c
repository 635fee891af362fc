/*
 * Unit tests of the canonical table, the CSV layouts and day-file row diffs.
 */
#include "test.h"
#include "pm25/buf.h"
#include "pm25/csvsrc.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "pm25/upsert.h"

TEST(table_sort_and_write)
{
	struct pm_table t;
	struct pm_buf b = PM_BUF_INIT;
	size_t r;

	pm_table_init(&t);
	r = pm_table_add(&t, pm_table_station(&t, "10t", 3), 7200, 1);
	t.col[PM_COL_PM25][r] = 12.5;
	r = pm_table_add(&t, pm_table_station(&t, "100t", 4), 3600, 2);
	t.col[PM_COL_RH][r] = 80;
	r = pm_table_add(&t, pm_table_station(&t, "10t", 3), 3600, 3);
	t.col[PM_COL_PM25][r] = 0.1;
	pm_table_sort(&t, 0);
	pm_table_write_csv(&t, &b);
	PM_ASSERT_STR_EQ(
		b.buf,
		"station_id,time_utc,pm25,pm10,o3,co,no2,so2,ws,wd,temp,rh,flags\n"
		"100t,1970-01-01T01:00:00Z,,,,,,,,,,80,0\n"
		"10t,1970-01-01T01:00:00Z,0.1,,,,,,,,,,0\n"
		"10t,1970-01-01T02:00:00Z,12.5,,,,,,,,,,0\n");
	pm_buf_release(&b);
	pm_table_release(&t);
}

TEST(table_merge)
{
	struct pm_table t;
	size_t r;

	pm_table_init(&t);
	r = pm_table_add(&t, pm_table_station(&t, "a", 1), 0, 1);
	t.col[PM_COL_PM25][r] = 1;
	r = pm_table_add(&t, pm_table_station(&t, "a", 1), 0, 2);
	t.col[PM_COL_PM10][r] = 2;
	pm_table_sort(&t, 1);
	PM_ASSERT_EQ(t.nr, 1);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 1);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM10][0], 2);
	pm_table_release(&t);
}

static enum pm_err load(const char *text, const char *station,
			struct pm_table *t, struct pm_buf *err)
{
	struct pm_csv_opts o = { 0 };

	o.station = station;
	o.zero_missing = (1u << PM_COL_WS) | (1u << PM_COL_TEMP) |
			 (1u << PM_COL_RH);
	pm_table_init(t);
	return pm_csv_to_table(text, strlen(text), "in.csv", &o, t, err);
}

static void expect_time(const struct pm_table *t, size_t r, const char *iso)
{
	char ts[32];

	pm_time_format(t->time[r], ts);
	PM_ASSERT_STR_EQ(ts, iso);
}

TEST(csvsrc_history_export)
{
	const char *text =
		"DATETIMEDATA,PM25,PM10,O3,CO,NO2,SO2,WS,TEMP,RH,WD,stationID\r\n"
		"2023-12-01 00:00:00,32.6,,,,,,1,30,53,49,02t\r\n"
		"2023-12-01 01:00:00,,,,,,,0,0,0,0,02t\r\n"
		" ";
	struct pm_table t;

	PM_ASSERT_EQ(load(text, NULL, &t, NULL), PM_OK);
	PM_ASSERT_EQ(t.nr, 2);
	expect_time(&t, 0, "2023-11-30T17:00:00Z");
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 32.6);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_WD][0], 49);
	/* met sensors write 0 for "no sensor"; WD 0 is north */
	PM_ASSERT(isnan(t.col[PM_COL_WS][1]));
	PM_ASSERT(isnan(t.col[PM_COL_TEMP][1]));
	PM_ASSERT(isnan(t.col[PM_COL_RH][1]));
	PM_ASSERT_DBL_EQ(t.col[PM_COL_WD][1], 0);
	PM_ASSERT_EQ(t.met_zero, 3);
	PM_ASSERT_EQ(t.line[1], 3);
	pm_table_release(&t);
}

TEST(csvsrc_index_column_and_no_station)
{
	const char *text = ",DATETIMEDATA,PM25,O3,TEMP,RH,WD\n"
			   "0,2024-02-01 00:00:00,20.5,-,28,70,180\n"
			   "1,2024-02-01 01:00:00,null,3,28,70,180\n";
	struct pm_buf err = PM_BUF_INIT;
	struct pm_table t;

	PM_ASSERT_EQ(load(text, NULL, &t, &err), PM_ERR_USAGE);
	PM_ASSERT(strstr(err.buf, "--station") != NULL);
	pm_table_release(&t);
	PM_ASSERT_EQ(load(text, "44t", &t, &err), PM_OK);
	PM_ASSERT_EQ(t.nr, 2);
	PM_ASSERT_STR_EQ(t.stations.keys[t.station[0]], "44t");
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 20.5);
	PM_ASSERT(isnan(t.col[PM_COL_O3][0]));
	PM_ASSERT(isnan(t.col[PM_COL_PM25][1]));
	PM_ASSERT_EQ(t.markers, 2);
	pm_table_release(&t);
	pm_buf_release(&err);
}

TEST(csvsrc_airbkk_long)
{
	const char *text = "\xEF\xBB\xBF"
			   "Date_Time,StationID,StationName,Parameter,Value\n"
			   "2023-03-27 03:00:00,137,เขตวังทองหลาง,PM2.5,14.0\n"
			   "2023-03-27 04:00:00,137,เขตวังทองหลาง,PM2.5,\n";
	struct pm_table t;

	PM_ASSERT_EQ(load(text, NULL, &t, NULL), PM_OK);
	PM_ASSERT_EQ(t.nr, 2);
	PM_ASSERT_STR_EQ(t.stations.keys[0], "137");
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 14);
	PM_ASSERT(isnan(t.col[PM_COL_PM25][1]));
	PM_ASSERT_STR_EQ(t.meta[0].name_th, "เขตวังทองหลาง");
	pm_table_release(&t);
}

TEST(csvsrc_web_report)
{
	const char *text = "No,date,time,PM2.5 (ug/m3),PM10,O3\n"
			   "1,2024-01-01,00:00 - 01:00,35.2,60,12\n"
			   "2,2024-01-01,23:00 - 24:00,N/A,61,-\n"
			   "Average,,,35.2,60.5,12\n";
	struct pm_table t;

	PM_ASSERT_EQ(load(text, "05t", &t, NULL), PM_OK);
	PM_ASSERT_EQ(t.nr, 2);
	/* 00:00 - 01:00 is labelled 01:00 local, 18:00 UTC the day before */
	expect_time(&t, 0, "2023-12-31T18:00:00Z");
	expect_time(&t, 1, "2024-01-01T17:00:00Z");
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 35.2);
	PM_ASSERT(isnan(t.col[PM_COL_PM25][1]));
	pm_table_release(&t);
}

TEST(csvsrc_unknown_layout)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_table t;

	PM_ASSERT_EQ(load("foo,bar\n1,2\n", "x", &t, &err), PM_ERR_PARSE);
	PM_ASSERT(strstr(err.buf, "in.csv: line 1: unknown column layout") ==
		  err.buf);
	pm_table_release(&t);
	PM_ASSERT_EQ(load("", "x", &t, &err), PM_ERR_PARSE);
	PM_ASSERT(strstr(err.buf, "empty") != NULL);
	pm_table_release(&t);
	pm_buf_release(&err);
}

TEST(csvsrc_long_any_order)
{
	/* parameters of one hour far apart in the file still merge */
	const char *text = "Date_Time,StationID,StationName,Parameter,Value\n"
			   "2023-03-27 03:00:00,137,x,PM2.5,14.0\n"
			   "2023-03-27 04:00:00,137,x,PM2.5,15.0\n"
			   "2023-03-27 03:00:00,137,x,PM10,30\n"
			   "2023-03-27 04:00:00,137,x,PM10,31\n";
	struct pm_table t;

	PM_ASSERT_EQ(load(text, NULL, &t, NULL), PM_OK);
	PM_ASSERT_EQ(t.nr, 2);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 14);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM10][0], 30);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][1], 15);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM10][1], 31);
	pm_table_release(&t);
}

TEST(csvsrc_thai_web_report)
{
	const char *text = "ลำดับ,วันที่,เวลา,PM2.5\n"
			   "1,01/12/2566,00:00 - 01:00,35.2\n";
	struct pm_table t;

	PM_ASSERT_EQ(load(text, "05t", &t, NULL), PM_OK);
	PM_ASSERT_EQ(t.nr, 1);
	expect_time(&t, 0, "2023-11-30T18:00:00Z");
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 35.2);
	pm_table_release(&t);
}

TEST(csvsrc_title_lines_before_header)
{
	/* report exports may open with title lines */
	const char *text = "Air quality report, station 05t\n"
			   "period: 2023-12-05\n"
			   "\n"
			   "No,date,time,PM2.5\n"
			   "1,2023-12-05,00:00 - 01:00,45.8\n";
	struct pm_buf err = PM_BUF_INIT;
	struct pm_table t;

	PM_ASSERT_EQ(load(text, "05t", &t, NULL), PM_OK);
	PM_ASSERT_EQ(t.nr, 1);
	PM_ASSERT_EQ(t.line[0], 5);
	PM_ASSERT_DBL_EQ(t.col[PM_COL_PM25][0], 45.8);
	pm_table_release(&t);
	/* no header at all: the first line's error stands */
	PM_ASSERT_EQ(load("a,b\n1,2\n3,4\n", "x", &t, &err), PM_ERR_PARSE);
	PM_ASSERT(strstr(err.buf, "line 1: unknown column layout") != NULL);
	pm_table_release(&t);
	pm_buf_release(&err);
}

TEST(csv_row_diff_by_key)
{
	static const char old[] = "station_id,time_utc,pm25\n"
				  "02t,2026-11-20T01:00:00Z,10\n"
				  "02t,2026-11-20T02:00:00Z,11\n"
				  "03t,2026-11-20T01:00:00Z,12\n";
	static const char now[] = "station_id,time_utc,pm25\n"
				  "03t,2026-11-20T02:00:00Z,13\n"
				  "02t,2026-11-20T02:00:00Z,99\n"
				  "03t,2026-11-20T01:00:00Z,12\n";
	struct pm_row_diff d;
	struct pm_buf b = PM_BUF_INIT;

	PM_ASSERT_EQ(pm_csv_row_diff(old, strlen(old), now, strlen(now), &d,
				     NULL),
		     PM_OK);
	PM_ASSERT_EQ(d.added, 1);
	PM_ASSERT_EQ(d.removed, 1);
	PM_ASSERT_EQ(d.changed, 1);
	PM_ASSERT_EQ(d.nr_keys, 3);
	PM_ASSERT_EQ(d.keys[0].mark, '-');
	PM_ASSERT_STR_EQ(d.keys[0].key, "02t,2026-11-20T01:00:00Z");
	PM_ASSERT_EQ(d.keys[1].mark, '~');
	PM_ASSERT_STR_EQ(d.keys[1].key, "02t,2026-11-20T02:00:00Z");
	PM_ASSERT_EQ(d.keys[2].mark, '+');
	pm_row_diff_json(&d, &b);
	PM_ASSERT(strstr(b.buf, "\"changed\": 1"));
	PM_ASSERT(strstr(b.buf, "{\"key\": \"03t,2026-11-20T02:00:00Z\", "
				"\"change\": \"added\"}"));
	pm_row_diff_release(&d);
	/* the same file twice: nothing */
	PM_ASSERT_EQ(pm_csv_row_diff(old, strlen(old), old, strlen(old), &d,
				     NULL),
		     PM_OK);
	PM_ASSERT_EQ(d.added + d.removed + d.changed, 0);
	pm_row_diff_release(&d);
	/* no key columns: an error, not a guess */
	PM_ASSERT_EQ(pm_csv_row_diff("a,b\n1,2\n", 8, "a,b\n", 4, &d, NULL),
		     PM_ERR_DATA);
	pm_buf_release(&b);
}

/*
 * One random day file: rows of stations s0..s3 at hours 0..23, each
 * with probability 1/2, in key order (sorted), or shuffled with a
 * repeated key now and then; values tell old from fresh.
 */
static void random_day(struct pm_buf *b, unsigned *seed, int sorted, int tag)
{
	char rows[96][48];
	int n = 0, i;

	pm_buf_reset(b);
	pm_buf_addstr(b, "station_id,time_utc,pm25\n");
	for (i = 0; i < 96; i++)
		if (rand_r(seed) % 2)
			snprintf(rows[n++], sizeof(rows[0]),
				 "s%d,2026-11-20T%02d:00:00Z,%d", i / 24,
				 i % 24, tag * 1000 + i);
	if (!sorted && n > 1) {
		for (i = n - 1; i > 0; i--) {
			int j = rand_r(seed) % (i + 1);
			char t[48];

			memcpy(t, rows[i], sizeof(t));
			memcpy(rows[i], rows[j], sizeof(t));
			memcpy(rows[j], t, sizeof(t));
		}
		if (rand_r(seed) % 2)
			memcpy(rows[0], rows[n - 1], sizeof(rows[0]));
	}
	for (i = 0; i < n; i++) {
		pm_buf_addstr(b, rows[i]);
		pm_buf_addch(b, '\n');
	}
}

/* The upsert by definition: per key the last line of old then fresh. */
static void upsert_reference(const struct pm_buf *old,
			     const struct pm_buf *fresh, struct pm_buf *out)
{
	char last[96][48];
	const struct pm_buf *in[2] = { old, fresh };
	int k, i;

	memset(last, 0, sizeof(last));
	for (k = 0; k < 2; k++) {
		const char *p = strchr(in[k]->buf, '\n') + 1;

		while (*p) {
			const char *e = strchr(p, '\n');
			int s = p[1] - '0', h = (int)strtol(p + 14, NULL, 10);

			snprintf(last[s * 24 + h], sizeof(last[0]), "%.*s",
				 (int)(e - p), p);
			p = e + 1;
		}
	}
	pm_buf_reset(out);
	pm_buf_addstr(out, "station_id,time_utc,pm25\n");
	for (i = 0; i < 96; i++)
		if (last[i][0]) {
			pm_buf_addstr(out, last[i]);
			pm_buf_addch(out, '\n');
		}
}

TEST(csv_upsert_merge_and_sort_agree)
{
	struct pm_buf old = PM_BUF_INIT, fresh = PM_BUF_INIT, out = PM_BUF_INIT,
		      want = PM_BUF_INIT;
	unsigned seed = 7;
	int round, changed;

	for (round = 0; round < 400; round++) {
		/* both sorted (the one-pass merge), either not (the sort) */
		random_day(&old, &seed, round % 4 != 1, 1);
		random_day(&fresh, &seed, round % 4 != 2, 2);
		if (round % 8 == 3)
			pm_buf_setf(&old, "station_id,time_utc,pm25\n");
		PM_ASSERT_EQ(pm_csv_upsert(old.buf, old.len, fresh.buf,
					   fresh.len, &out, &changed, NULL),
			     PM_OK);
		upsert_reference(&old, &fresh, &want);
		PM_ASSERT_STR_EQ(out.buf, want.buf);
		PM_ASSERT_EQ(changed, strcmp(out.buf, old.buf) != 0);
	}
	pm_buf_release(&old);
	pm_buf_release(&fresh);
	pm_buf_release(&out);
	pm_buf_release(&want);
}

/* Two files parsed apart and appended: the table of one pass over both. */
TEST(table_append_is_one_pass)
{
	static const char a[] = "DATETIMEDATA,PM25,stationID\n"
				"2024-01-01 01:00:00,5,02t\n"
				"not a time,6,03t\n"
				"2024-01-01 02:00:00,-,02t\n";
	static const char b[] = "DATETIMEDATA,PM25,stationID\n"
				"2024-01-01 03:00:00,7,04t\n"
				"2024-01-01 03:00:00,8,02t\n"
				"bad,9,02t\n";
	struct pm_table t1, t2, both;
	struct pm_csv_opts o = { 0 };
	size_t i;
	int c;

	pm_table_init(&t1);
	pm_table_init(&t2);
	pm_table_init(&both);
	PM_ASSERT_EQ(pm_csv_to_table(a, strlen(a), "a", &o, &t1, NULL), PM_OK);
	PM_ASSERT_EQ(pm_csv_to_table(b, strlen(b), "b", &o, &t2, NULL), PM_OK);
	PM_ASSERT_EQ(pm_csv_to_table(a, strlen(a), "a", &o, &both, NULL),
		     PM_OK);
	PM_ASSERT_EQ(pm_csv_to_table(b, strlen(b), "b", &o, &both, NULL),
		     PM_OK);
	pm_table_append(&t1, &t2);
	PM_ASSERT_EQ(t1.nr, both.nr);
	PM_ASSERT_EQ(t1.stations.nr, both.stations.nr);
	PM_ASSERT_EQ(t1.markers, both.markers);
	PM_ASSERT_EQ(t1.nr_bad, both.nr_bad);
	for (i = 0; i < t1.nr_bad; i++) {
		PM_ASSERT_EQ(t1.bad[i].row, both.bad[i].row);
		PM_ASSERT_STR_EQ(t1.bad[i].text, both.bad[i].text);
	}
	for (i = 0; i < t1.nr; i++) {
		PM_ASSERT_STR_EQ(t1.stations.keys[t1.station[i]],
				 both.stations.keys[both.station[i]]);
		PM_ASSERT_EQ(t1.time[i], both.time[i]);
		PM_ASSERT_EQ(t1.line[i], both.line[i]);
		for (c = 0; c < PM_NCOLS; c++)
			PM_ASSERT(
				t1.col[c][i] == both.col[c][i] ||
				(isnan(t1.col[c][i]) && isnan(both.col[c][i])));
	}
	pm_table_release(&t1);
	pm_table_release(&t2);
	pm_table_release(&both);
}
