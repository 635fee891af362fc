/*
 * Unit tests of data contracts and the cleaning engine.
 */
#include "test.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/contract.h"
#include "pm25/fsutil.h"
#include "pm25/timeutil.h"

TEST(contract_default)
{
	struct pm_contract c;
	size_t i;
	int seen = 0;

	pm_contract_init(&c);
	pm_contract_default(&c);
	PM_ASSERT_STR_EQ(c.name, "pm25");
	PM_ASSERT_DBL_EQ(c.gate, 0.90);
	PM_ASSERT_EQ(c.max_gap, 3);
	for (i = 0; i < c.nr_rules; i++)
		if (!strcmp(c.rules[i].name, "pm25_range")) {
			PM_ASSERT_DBL_EQ(c.rules[i].max, 1000);
			seen = 1;
		}
	PM_ASSERT(seen);
	pm_contract_release(&c);
}

TEST(contract_files_load)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_contract c;

	pm_contract_init(&c);
	PM_ASSERT_EQ(pm_contract_load(&c, pm_test_src("contracts/pm25.yaml"),
				      &err),
		     PM_OK);
	PM_ASSERT_EQ(pm_contract_load(
			     &c, pm_test_src("bench/workload-contract.yaml"),
			     &err),
		     PM_OK);
	PM_ASSERT_EQ(c.nr_rules, 12);
	PM_ASSERT_STR_EQ(c.rules[0].name, "timestamp");
	PM_ASSERT_STR_EQ(c.rules[1].name, "station_id");
	PM_ASSERT_STR_EQ(c.rules[11].name, "wd_range");
	PM_ASSERT(c.strict_time);
	PM_ASSERT_EQ(c.decimals, 3);
	pm_contract_release(&c);
	pm_buf_release(&err);
}

static const char *contract_error(const char *yaml)
{
	static char msg[512];
	struct pm_buf err = PM_BUF_INIT;
	struct pm_contract c;

	pm_contract_init(&c);
	if (pm_contract_parse(&c, yaml, strlen(yaml), "c.yaml", &err) ==
	    PM_OK)
		snprintf(msg, sizeof(msg), "ok");
	else
		snprintf(msg, sizeof(msg), "%s", err.buf);
	pm_contract_release(&c);
	pm_buf_release(&err);
	return msg;
}

TEST(contract_errors_name_line_and_column)
{
	PM_ASSERT_STR_EQ(contract_error("columns:\n"
					"  - {name: pm25, min: 0, max: lots}\n"),
			 "c.yaml:2:31: expected a number, got 'lots'");
	PM_ASSERT_STR_EQ(contract_error("gate: 0.9\ncolumnz: []\n"),
			 "c.yaml:2:1: unknown key 'columnz'");
	PM_ASSERT_STR_EQ(
		contract_error("columns:\n  - {name: pm25, severity: fatal}\n"),
		"c.yaml:2:28: severity must be error or warn");
	PM_ASSERT(strstr(contract_error("columns: [\n  {name: pm25\n"),
			 "c.yaml:") != NULL);
	PM_ASSERT_STR_EQ(contract_error("columns:\n  - {name: pm2.5}\n"),
			 "c.yaml:2:12: unknown column 'pm2.5'");
	PM_ASSERT_STR_EQ(contract_error("gate: 2\ncolumns: []\n"),
			 "c.yaml:1:7: gate must be in [0, 1]");
}

static void run_clean(const char *csv, const char *yaml,
		      struct pm_clean_report *r, const char *out_dir)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_clean_opts o = { 0 };
	struct pm_contract c;
	const char *in = pm_test_file("in.csv", csv);
	char *path = strdup(in);

	pm_contract_init(&c);
	if (yaml) {
		if (pm_contract_parse(&c, yaml, strlen(yaml), "t", &err))
			pm_test_fail(__FILE__, __LINE__, "%s", err.buf);
	} else {
		pm_contract_default(&c);
	}
	o.contract = &c;
	o.out_dir = out_dir;
	o.now = PM_TIME_NONE;
	if (pm_clean_run(&o, (const char *const *)&path, 1, r, &err))
		pm_test_fail(__FILE__, __LINE__, "%s", err.buf);
	free(path);
	pm_contract_release(&c);
	pm_buf_release(&err);
}

#define HDR "DATETIMEDATA,PM25,PM10,O3,CO,NO2,SO2,WS,TEMP,RH,WD,stationID\n"

TEST(clean_duplicates_keep_last_after_exact)
{
	/* A, B, A' for one key: A' is an exact copy of A, so B survives */
	struct pm_clean_report r;
	struct pm_buf day = PM_BUF_INIT, err = PM_BUF_INIT;

	run_clean(HDR "2024-01-01 08:00:00,10,,,,,,,,,,02t\n"
		      "2024-01-01 08:00:00,11,,,,,,,,,,02t\n"
		      "2024-01-01 08:00:00,10.0,,,,,,,,,,02t\n",
		  NULL, &r, "out");
	PM_ASSERT_EQ(r.input_rows, 3);
	PM_ASSERT_EQ(r.exact_dups, 1);
	PM_ASSERT_EQ(r.key_dups, 1);
	PM_ASSERT_EQ(r.accepted, 1);
	PM_ASSERT_EQ(pm_file_read("out/date=2024-01-01.csv", 1 << 20, &day,
				  &err),
		     PM_OK);
	PM_ASSERT(strstr(day.buf, "02t,2024-01-01T01:00:00Z,11,") != NULL);
	pm_clean_report_release(&r);
	pm_buf_release(&day);
	pm_buf_release(&err);
}

TEST(clean_validation_and_gate)
{
	struct pm_clean_report r;

	run_clean(HDR "2024-01-01 08:00:00,10,,,,,,,,,,02t\n"
		      "2024-01-01 09:00:00,1001,,,,,,,,,,02t\n"
		      "2024-01-01 10:00:00,12,,,,,,,,500,,02t\n"
		      "2024-01-01 11:30:00,12,,,,,,,,,,02t\n"
		      "2024-01-01 12:00:00,12,,,,,,,,,,\n",
		  NULL, &r, NULL);
	PM_ASSERT_EQ(r.input_rows, 5);
	PM_ASSERT_EQ(r.rejected, 3);
	PM_ASSERT_EQ(r.accepted, 2);
	PM_ASSERT(!r.passed);
	PM_ASSERT_DBL_EQ(r.score, 0.4);
	pm_clean_report_release(&r);
}

TEST(clean_interpolates_gaps_up_to_three)
{
	static const char *yaml = "columns:\n"
				  "  - {name: pm25, min: 0, max: 1000}\n"
				  "interpolate: {columns: [pm25], max_gap: 3}\n";
	struct pm_clean_report r;

	/* hours 0..9 local: a 3-hour gap (filled) then a 4-hour gap (not) */
	run_clean(HDR "2024-01-01 00:00:00,10,,,,,,,,,,a\n"
		      "2024-01-01 04:00:00,14,,,,,,,,,,a\n"
		      "2024-01-01 09:00:00,19,,,,,,,,,,a\n",
		  yaml, &r, "out");
	PM_ASSERT_EQ(r.grid_rows, 10);
	PM_ASSERT_EQ(r.rows_added, 7);
	PM_ASSERT_EQ(r.pm25_missing_before, 7);
	PM_ASSERT_EQ(r.pm25_interpolated, 3);
	PM_ASSERT_EQ(r.pm25_missing_after, 4);
	PM_ASSERT_EQ(r.out_rows, 10);
	pm_clean_report_release(&r);
}
