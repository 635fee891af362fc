/*
 * Cron: parsing, and next firings in Asia/Bangkok (no daylight saving)
 * and America/New_York (2026: clocks go forward on 8 March at 02:00 and
 * back on 1 November at 02:00).
 */
#include "test.h"
#include "pm25/buf.h"
#include "pm25/cron.h"
#include "pm25/timeutil.h"

static int64_t at(const char *iso)
{
	int64_t t;

	PM_ASSERT(!pm_time_parse(iso, strlen(iso), 0, &t));
	return t;
}

static void next_is(const char *expr, const char *tz, const char *after,
		    const char *want)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_cron c;
	char got[32];
	int64_t t;

	PM_ASSERT_EQ(pm_cron_parse(&c, expr, &err), PM_OK);
	t = pm_cron_next(&c, tz, at(after));
	PM_ASSERT(t >= 0);
	pm_time_format(t, got);
	if (strcmp(got, want))
		pm_test_fail(__FILE__, __LINE__, "'%s' in %s after %s: %s, not %s",
			     expr, tz, after, got, want);
	pm_buf_release(&err);
}

TEST(cron_parse_errors)
{
	static const char *const bad[] = { "61 * * * *", "* * *", "a b c d e",
					   "*/0 * * * *", "* * 0 * *",
					   "* * * 13 *", "1-0 * * * *",
					   "* * * * * *", "@sometimes", "" };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_cron c;
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(bad); i++) {
		pm_buf_reset(&err);
		if (pm_cron_parse(&c, bad[i], &err) != PM_ERR_PARSE)
			pm_test_fail(__FILE__, __LINE__, "'%s' parsed", bad[i]);
		PM_ASSERT(strstr(err.buf, "cron"));
	}
	PM_ASSERT_EQ(pm_cron_parse(&c, "*/15 9-17 * jan-mar mon-fri", &err),
		     PM_OK);
	PM_ASSERT_EQ(c.minute, (1ull << 0) | (1ull << 15) | (1ull << 30) |
				       (1ull << 45));
	PM_ASSERT_EQ(c.month, 0xe);
	PM_ASSERT_EQ(c.dow, 0x3e);
	PM_ASSERT_EQ(pm_cron_parse(&c, "0 0 * * 7", &err), PM_OK);
	PM_ASSERT_EQ(c.dow, 1); /* 7 is Sunday */
	pm_buf_release(&err);
}

TEST(cron_next_bangkok)
{
	const char *bkk = "Asia/Bangkok";

	next_is("@hourly", bkk, "2026-11-26T06:35:00Z", "2026-11-26T07:00:00Z");
	next_is("5 * * * *", bkk, "2026-11-26T06:35:00Z", "2026-11-26T07:05:00Z");
	next_is("5 * * * *", bkk, "2026-11-26T07:05:00Z", "2026-11-26T08:05:00Z");
	/* 00:00 in Bangkok is 17:00 UTC the day before */
	next_is("@daily", bkk, "2026-11-26T06:35:00Z", "2026-11-26T17:00:00Z");
	/* weekdays at 09:00 local: Friday 10:00 local goes to Monday */
	next_is("0 9 * * 1-5", bkk, "2026-11-27T03:00:00Z",
		"2026-11-30T02:00:00Z");
	/* the 13th or a Friday */
	next_is("0 0 13 * 5", bkk, "2026-11-28T00:00:00Z",
		"2026-12-03T17:00:00Z");
	next_is("0 3 * * 0", bkk, "2026-11-26T00:00:00Z",
		"2026-11-28T20:00:00Z");
	next_is("@yearly", bkk, "2026-11-26T00:00:00Z", "2026-12-31T17:00:00Z");
}

TEST(cron_next_daylight_saving)
{
	const char *ny = "America/New_York";

	/* 02:30 does not exist on 8 March: that day has no firing */
	next_is("30 2 * * *", ny, "2026-03-07T07:31:00Z",
		"2026-03-09T06:30:00Z");
	/* hourly across the gap: 01:00 EST, then 03:00 EDT */
	next_is("0 * * * *", ny, "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z");
	/* 01:30 happens twice on 1 November: it fires once, the first time */
	next_is("30 1 * * *", ny, "2026-11-01T04:00:00Z",
		"2026-11-01T05:30:00Z");
	next_is("30 1 * * *", ny, "2026-11-01T05:30:00Z",
		"2026-11-02T06:30:00Z");
	/* 09:00 follows the clock: 13:00 UTC in summer, 14:00 in winter */
	next_is("0 9 * * *", ny, "2026-10-31T14:00:00Z", "2026-11-01T14:00:00Z");
	next_is("0 9 * * *", ny, "2026-10-30T14:00:00Z", "2026-10-31T13:00:00Z");
}

TEST(cron_time_zones)
{
	PM_ASSERT(pm_tz_valid("Asia/Bangkok"));
	PM_ASSERT(pm_tz_valid("America/New_York"));
	PM_ASSERT(pm_tz_valid("UTC"));
	PM_ASSERT(!pm_tz_valid("Mars/Olympus_Mons"));
	PM_ASSERT(!pm_tz_valid("../../etc/passwd"));
	PM_ASSERT(!pm_tz_valid(""));
}
