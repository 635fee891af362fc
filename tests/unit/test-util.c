/*
 * Unit tests of lib/util: pm_buf, the CSV reader, number cells and
 * formatting, time parsing and the string map.
 */
#include "test.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/csv.h"
#include "pm25/dl.h"
#include "pm25/num.h"
#include "pm25/strmap.h"
#include "pm25/timeutil.h"

TEST(buf_basic)
{
	struct pm_buf b = PM_BUF_INIT;
	char *s;
	size_t n;

	PM_ASSERT_STR_EQ(b.buf, "");
	pm_buf_addstr(&b, "abc");
	pm_buf_addf(&b, "-%d-", 42);
	pm_buf_addch(&b, 'z');
	PM_ASSERT_STR_EQ(b.buf, "abc-42-z");
	PM_ASSERT_EQ(b.len, 8);
	s = pm_buf_detach(&b, &n);
	PM_ASSERT_EQ(n, 8);
	PM_ASSERT_STR_EQ(s, "abc-42-z");
	PM_ASSERT_STR_EQ(b.buf, "");
	free(s);
}

TEST(buf_max)
{
	struct pm_buf b = PM_BUF_INIT;

	b.max = 4;
	PM_ASSERT_EQ(pm_buf_add(&b, "abcd", 4), 0);
	PM_ASSERT_EQ(pm_buf_add(&b, "e", 1), -1);
	PM_ASSERT_STR_EQ(b.buf, "abcd");
	pm_buf_release(&b);
}

TEST(buf_json)
{
	struct pm_buf b = PM_BUF_INIT;

	pm_buf_add_json_str(&b, "a\"b\\c\n<\x01>", 9);
	PM_ASSERT_STR_EQ(b.buf, "\"a\\\"b\\\\c\\n<\\u0001>\"");
	pm_buf_reset(&b);
	pm_buf_add_json_num(&b, 0.1);
	pm_buf_addch(&b, ' ');
	pm_buf_add_json_num(&b, 3);
	pm_buf_addch(&b, ' ');
	pm_buf_add_json_num(&b, NAN);
	PM_ASSERT_STR_EQ(b.buf, "0.1 3.0 null");
	pm_buf_release(&b);
}

static int next(struct pm_csv *c)
{
	return pm_csv_next(c, NULL);
}

TEST(csv_bom_crlf_quotes)
{
	const char *text = "\xEF\xBB\xBF"
			   "a,b,c\r\n"
			   "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
			   "2,\"two\nlines\",ไทย\r\n"
			   " ";
	struct pm_csv c;

	pm_csv_init(&c, text, strlen(text));
	PM_ASSERT_EQ(next(&c), 1);
	PM_ASSERT_EQ(c.nf, 3);
	PM_ASSERT(pm_str_eq(c.f[0], "a"));
	PM_ASSERT(pm_str_eq(c.f[2], "c"));
	PM_ASSERT_EQ(next(&c), 1);
	PM_ASSERT_EQ(c.rec_line, 2);
	PM_ASSERT(pm_str_eq(c.f[1], "x, y"));
	PM_ASSERT(pm_str_eq(c.f[2], "say \"hi\""));
	PM_ASSERT_EQ(next(&c), 1);
	PM_ASSERT_EQ(c.rec_line, 3);
	PM_ASSERT(pm_str_eq(c.f[1], "two\nlines"));
	PM_ASSERT(pm_str_eq(c.f[2], "ไทย"));
	PM_ASSERT_EQ(next(&c), 1);
	PM_ASSERT_EQ(c.rec_line, 5);
	PM_ASSERT(c.blank);
	PM_ASSERT_EQ(next(&c), 0);
	pm_csv_release(&c);
}

TEST(csv_unterminated_quote)
{
	const char *text = "a,b\n1,\"open\n";
	struct pm_buf err = PM_BUF_INIT;
	struct pm_csv c;

	pm_csv_init(&c, text, strlen(text));
	PM_ASSERT_EQ(pm_csv_next(&c, &err), 1);
	PM_ASSERT_EQ(pm_csv_next(&c, &err), -1);
	PM_ASSERT(strstr(err.buf, "line 2") != NULL);
	PM_ASSERT(strstr(err.buf, "unterminated") != NULL);
	pm_csv_release(&c);
	pm_buf_release(&err);
}

TEST(csv_field_writer)
{
	struct pm_buf b = PM_BUF_INIT;

	pm_csv_add_field(&b, "plain", 5);
	pm_buf_addch(&b, ',');
	pm_csv_add_field(&b, "a,\"b\"", 5);
	PM_ASSERT_STR_EQ(b.buf, "plain,\"a,\"\"b\"\"\"");
	pm_buf_release(&b);
}

static enum pm_cell cell(const struct pm_missing *m, const char *s, double *v)
{
	struct pm_num n;
	enum pm_cell c = pm_cell_parse(m, s, strlen(s), &n);

	*v = n.v;
	return c;
}

TEST(num_cells)
{
	struct pm_missing m;
	double v;

	pm_missing_default(&m);
	PM_ASSERT_EQ(cell(&m, "", &v), PM_CELL_MARKER);
	PM_ASSERT_EQ(cell(&m, "  - ", &v), PM_CELL_MARKER);
	PM_ASSERT_EQ(cell(&m, "N/A", &v), PM_CELL_MARKER);
	PM_ASSERT_EQ(cell(&m, "null", &v), PM_CELL_MARKER);
	PM_ASSERT_EQ(cell(&m, "-1.0", &v), PM_CELL_MARKER);
	PM_ASSERT_EQ(cell(&m, "-999.00", &v), PM_CELL_MARKER);
	PM_ASSERT_EQ(cell(&m, "-1e0", &v), PM_CELL_MARKER);
	PM_ASSERT_EQ(cell(&m, "NaN", &v), PM_CELL_JUNK);
	PM_ASSERT_EQ(cell(&m, "inf", &v), PM_CELL_JUNK);
	PM_ASSERT_EQ(cell(&m, "1e999", &v), PM_CELL_JUNK);
	PM_ASSERT_EQ(cell(&m, "1.2.3", &v), PM_CELL_JUNK);
	PM_ASSERT_EQ(cell(&m, "12 5", &v), PM_CELL_JUNK);
	PM_ASSERT_EQ(cell(&m, "--", &v), PM_CELL_JUNK);
	PM_ASSERT_EQ(cell(&m, "n/a", &v), PM_CELL_JUNK);
	PM_ASSERT_EQ(cell(&m, "\t32.6 ", &v), PM_CELL_PRESENT);
	PM_ASSERT_DBL_EQ(v, 32.6);
	PM_ASSERT_EQ(cell(&m, ".5", &v), PM_CELL_PRESENT);
	PM_ASSERT_DBL_EQ(v, 0.5);
	PM_ASSERT_EQ(cell(&m, "5.", &v), PM_CELL_PRESENT);
	PM_ASSERT_DBL_EQ(v, 5);
	PM_ASSERT_EQ(cell(&m, "-0", &v), PM_CELL_PRESENT);
	PM_ASSERT(v == 0 && signbit(v));
	PM_ASSERT_EQ(cell(&m, "+1.5e2", &v), PM_CELL_PRESENT);
	PM_ASSERT_DBL_EQ(v, 150);
	pm_missing_release(&m);
}

TEST(num_fast_path_matches_strtod)
{
	unsigned seed = 7;
	int i;

	for (i = 0; i < 200000; i++) {
		char s[40];
		struct pm_num n;
		int digits = rand_r(&seed) % 6;
		long m = rand_r(&seed) % 100000000;

		snprintf(s, sizeof(s), "%s%ld.%0*ld", i % 3 ? "" : "-",
			 m / 1000, digits, digits ? m % (long)pow(10, digits) : 0);
		if (!digits)
			s[strlen(s) - 1] = '\0';
		PM_ASSERT_EQ(pm_cell_parse(NULL, s, strlen(s), &n),
			     PM_CELL_PRESENT);
		if (n.v != strtod(s, NULL))
			pm_test_fail(__FILE__, __LINE__, "%s: %.17g != %.17g",
				     s, n.v, strtod(s, NULL));
	}
}

TEST(num_format_matches_printf)
{
	unsigned seed = 11;
	char a[64], b[64];
	int i, d;

	for (i = 0; i < 300000; i++) {
		double v = (rand_r(&seed) - RAND_MAX / 2) / 1000.0 /
			   (1 + rand_r(&seed) % 7);

		if (i % 5 == 0)
			v = (double)(rand_r(&seed) % 100000) / 8192; /* ties */
		for (d = 0; d <= 4; d++) {
			pm_num_format(a, sizeof(a), v, d);
			snprintf(b, sizeof(b), "%.*f", d, v);
			if (strcmp(a, b))
				pm_test_fail(__FILE__, __LINE__,
					     "%.17g at %d: %s != %s", v, d, a,
					     b);
		}
	}
	pm_num_format(a, sizeof(a), -0.0, 3);
	PM_ASSERT_STR_EQ(a, "-0.000");
	pm_num_format(a, sizeof(a), 2.0625, 3);
	PM_ASSERT_STR_EQ(a, "2.062");
}

TEST(num_format_shortest)
{
	char s[64];

	pm_num_format_shortest(s, sizeof(s), 60);
	PM_ASSERT_STR_EQ(s, "60");
	pm_num_format_shortest(s, sizeof(s), 0.1);
	PM_ASSERT_STR_EQ(s, "0.1");
	pm_num_format_shortest(s, sizeof(s), 24.06944465637207);
	PM_ASSERT_STR_EQ(s, "24.06944465637207");
}

static int64_t parse(const char *s, unsigned flags)
{
	int64_t t;

	if (pm_time_parse(s, strlen(s), flags, &t))
		return -1;
	return t;
}

TEST(time_strict)
{
	char out[32];

	/* the workload's examples */
	pm_time_format(parse("2024-01-01 03:00:00", PM_TIME_STRICT), out);
	PM_ASSERT_STR_EQ(out, "2023-12-31T20:00:00Z");
	pm_time_format(parse("2024-01-01 10:00:00", PM_TIME_STRICT), out);
	PM_ASSERT_STR_EQ(out, "2024-01-01T03:00:00Z");
	PM_ASSERT_EQ(parse("2024-01-05T10:00:00", PM_TIME_STRICT), -1);
	PM_ASSERT_EQ(parse("2024-01-05 10:00", PM_TIME_STRICT), -1);
	PM_ASSERT_EQ(parse("2024-1-5 10:00:00", PM_TIME_STRICT), -1);
	PM_ASSERT_EQ(parse("2024-01-05 10:30:00", PM_TIME_STRICT), -1);
	PM_ASSERT_EQ(parse("2023-02-29 00:00:00", PM_TIME_STRICT), -1);
	PM_ASSERT(parse("2024-02-29 00:00:00", PM_TIME_STRICT) > 0);
	PM_ASSERT_EQ(parse("1969-12-31 23:00:00", PM_TIME_STRICT), -1);
	PM_ASSERT_EQ(parse("2100-01-01 00:00:00", PM_TIME_STRICT), -1);
	PM_ASSERT_EQ(parse("2024-01-01 24:00:00", PM_TIME_STRICT), -1);
}

TEST(time_lenient_and_zones)
{
	char out[32];

	pm_time_format(parse("2025-02-11T22:00:00+07:00", 0), out);
	PM_ASSERT_STR_EQ(out, "2025-02-11T15:00:00Z");
	pm_time_format(parse("2023-10-16T12:00:00+00:00", 0), out);
	PM_ASSERT_STR_EQ(out, "2023-10-16T12:00:00Z");
	pm_time_format(parse("2016-03-06T12:00:00-07:00", 0), out);
	PM_ASSERT_STR_EQ(out, "2016-03-06T19:00:00Z");
	pm_time_format(parse("2024-01-01T00:00:00Z", 0), out);
	PM_ASSERT_STR_EQ(out, "2024-01-01T00:00:00Z");
	pm_time_format(parse("2024-01-01 24:00", 0), out);
	PM_ASSERT_STR_EQ(out, "2024-01-01T17:00:00Z");
	PM_ASSERT_EQ(parse("2024-13-01 00:00", 0), -1);
	PM_ASSERT_EQ(parse("yesterday", 0), -1);
}

TEST(time_clock_and_dates)
{
	int64_t s, d;
	char out[16];

	PM_ASSERT_EQ(pm_clock_parse("00:00 - 01:00", 13, &s), 0);
	PM_ASSERT_EQ(s, 3600);
	PM_ASSERT_EQ(pm_clock_parse("23:00-24:00", 11, &s), 0);
	PM_ASSERT_EQ(s, 86400);
	PM_ASSERT_EQ(pm_clock_parse("7:00", 4, &s), 0);
	PM_ASSERT_EQ(s, 7 * 3600);
	PM_ASSERT_EQ(pm_clock_parse("25:00", 5, &s), -1);
	PM_ASSERT_EQ(pm_date_parse("2020/12/1", 9, &d), 0);
	pm_date_format(d * 86400, out);
	PM_ASSERT_STR_EQ(out, "2020-12-01");
	PM_ASSERT_EQ(pm_date_parse("05/01/2567", 10, &d), 0);
	pm_date_format(d * 86400, out);
	PM_ASSERT_STR_EQ(out, "2024-01-05");
	PM_ASSERT_EQ(pm_date_parse("31/02/2024", 10, &d), -1);
	/* Thai report forms: "5 ธ.ค. 2566", clocks with "น." */
	PM_ASSERT_EQ(pm_date_parse("5 ธ.ค. 2566", strlen("5 ธ.ค. 2566"), &d),
		     0);
	pm_date_format(d * 86400, out);
	PM_ASSERT_STR_EQ(out, "2023-12-05");
	PM_ASSERT_EQ(pm_date_parse("29 ก.พ. 2567", strlen("29 ก.พ. 2567"), &d),
		     0);
	PM_ASSERT_EQ(pm_clock_parse("00:00 - 01:00 น.",
				    strlen("00:00 - 01:00 น."), &s),
		     0);
	PM_ASSERT_EQ(s, 3600);
}

TEST(time_durations)
{
	int64_t d = 0;

	PM_ASSERT_EQ(pm_duration_parse("90m", &d), 0);
	PM_ASSERT_EQ(d, 5400);
	PM_ASSERT_EQ(pm_duration_parse("24h", &d), 0);
	PM_ASSERT_EQ(d, 86400);
	PM_ASSERT_EQ(pm_duration_parse("2d", &d), 0);
	PM_ASSERT_EQ(d, 2 * 86400);
	PM_ASSERT_EQ(pm_duration_parse("45s", &d), 0);
	PM_ASSERT_EQ(d, 45);
	PM_ASSERT_EQ(pm_duration_parse("0h", &d), -1);
	PM_ASSERT_EQ(pm_duration_parse("h", &d), -1);
	PM_ASSERT_EQ(pm_duration_parse("24", &d), -1);
	PM_ASSERT_EQ(pm_duration_parse("24hh", &d), -1);
	PM_ASSERT_EQ(pm_duration_parse("-1h", &d), -1);
	PM_ASSERT_EQ(pm_duration_parse("99999999999999d", &d), -1);
	PM_ASSERT_EQ(pm_duration_parse(NULL, &d), -1);
}

TEST(time_civil_round_trip)
{
	int64_t z;

	for (z = -800000; z < 800000; z += 17) {
		int64_t y;
		unsigned m, d;

		pm_civil_from_days(z, &y, &m, &d);
		PM_ASSERT_EQ(pm_days_from_civil(y, m, d), z);
	}
	PM_ASSERT_EQ(pm_days_from_civil(1970, 1, 1), 0);
	PM_ASSERT_EQ(pm_days_from_civil(2000, 3, 1), 11017);
}

TEST(strmap_intern)
{
	struct pm_strmap m = PM_STRMAP_INIT;
	char key[32];
	int i;

	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "st%dt", i);
		PM_ASSERT_EQ(pm_strmap_intern(&m, key, strlen(key)), i);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "st%dt", i);
		PM_ASSERT_EQ(pm_strmap_find(&m, key, strlen(key)), i);
		PM_ASSERT_EQ(pm_strmap_intern(&m, key, strlen(key)), i);
	}
	PM_ASSERT_EQ(pm_strmap_find(&m, "", 0), -1);
	PM_ASSERT_EQ(pm_strmap_intern(&m, "", 0), 5000);
	PM_ASSERT_EQ(m.nr, 5001);
	pm_strmap_release(&m);
}

/* Libraries loaded on first use: by the built soname, or the fallback. */
/* Whether a library whose file name starts with name is mapped. */
static int mapped(const char *name)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[1024];
	int found = 0;

	PM_ASSERT(f != NULL);
	while (!found && fgets(line, sizeof(line), f)) {
		const char *slash = strrchr(line, '/');

		found = slash && !strncmp(slash + 1, name, strlen(name));
	}
	fclose(f);
	return found;
}

TEST(dl_load_on_first_use)
{
	struct pm_dl z = { "", "libz.so.1", "zlib1g", NULL };
	const char *(*version)(void);
	const char *(*zver)(void);

	/* nothing has asked for libcurl yet: it is not mapped */
	PM_ASSERT(!pm_dl_loaded(&pm_dl_curl));
	PM_ASSERT(!mapped("libcurl"));
	version = (const char *(*)(void))pm_dl_sym(&pm_dl_curl, "curl_version");
	PM_ASSERT(pm_dl_loaded(&pm_dl_curl));
	PM_ASSERT(mapped("libcurl"));
	PM_ASSERT(!strncmp(version(), "libcurl/", 8));
	zver = (const char *(*)(void))pm_dl_sym(&z, "zlibVersion");
	PM_ASSERT(!strcmp(z.soname, "libz.so.1"));
	PM_ASSERT(zver() && zver()[0] == '1');
}

TEST(config_precedence_and_checks)
{
	const char file[] = "store: lakefs\nretention_days: 7\n"
			    "database_url: postgresql://u:pw9@db/x\n";
	struct pm_buf err = PM_BUF_INIT, shown = PM_BUF_INIT;

	unsetenv("PM25_STORE");
	unsetenv("PM25_RETENTION_DAYS");
	unsetenv("PM25_DATABASE_URL");
	PM_ASSERT_STR_EQ(pm_config_str(PM_CFG_STORE), "local");
	PM_ASSERT_EQ(pm_config_origin(PM_CFG_STORE), PM_CFG_FROM_DEFAULT);
	PM_ASSERT_EQ(pm_config_parse(file, strlen(file), "f", &err), PM_OK);
	PM_ASSERT_STR_EQ(pm_config_str(PM_CFG_STORE), "lakefs");
	PM_ASSERT_EQ(pm_config_origin(PM_CFG_STORE), PM_CFG_FROM_FILE);
	PM_ASSERT_EQ(pm_config_long(PM_CFG_RETENTION_DAYS), 7);
	setenv("PM25_STORE", "local", 1);
	PM_ASSERT_STR_EQ(pm_config_str(PM_CFG_STORE), "local");
	PM_ASSERT_EQ(pm_config_origin(PM_CFG_STORE), PM_CFG_FROM_ENV);
	/* an empty variable unsets the file's value */
	setenv("PM25_STORE", "", 1);
	PM_ASSERT(pm_config_str(PM_CFG_STORE) == NULL);
	unsetenv("PM25_STORE");
	pm_config_shown(PM_CFG_DATABASE_URL, &shown);
	PM_ASSERT_STR_EQ(shown.buf, "postgresql://u:***@db/x");
	PM_ASSERT_EQ(pm_config_check(PM_CFG_ALERT_TRIES, "0", "X", &err),
		     PM_ERR_USAGE);
	PM_ASSERT(strstr(err.buf, "X: '0' is not a whole number from 1") != NULL);
	PM_ASSERT_EQ(pm_config_check(PM_CFG_STORE, "s3", "X", &err),
		     PM_ERR_USAGE);
	PM_ASSERT_EQ(pm_config_check(PM_CFG_LOKI_URL, "http://l:3100", "X",
				     &err),
		     PM_OK);
	/* a broken file keeps nothing */
	PM_ASSERT_EQ(pm_config_parse("store: local\nfoo: 1\n", 20, "f", &err),
		     PM_ERR_USAGE);
	PM_ASSERT_STR_EQ(err.buf, "f:2: foo: not a setting (pm25 config ls "
				  "lists them)");
	PM_ASSERT_EQ(pm_config_origin(PM_CFG_STORE), PM_CFG_FROM_DEFAULT);
	pm_config_release();
	pm_buf_release(&err);
	pm_buf_release(&shown);
}
