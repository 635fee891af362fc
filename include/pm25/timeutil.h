/*
 * Calendar arithmetic and the timestamp forms found in Thai air-quality
 * data. Times are int64 seconds since 1970-01-01T00:00Z; Thailand local
 * time is UTC+7 with no daylight saving.
 */
#ifndef PM25_TIMEUTIL_H
#define PM25_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define PM_ICT_OFFSET (7 * 3600)
/* "No time": an unparseable or absent timestamp. */
#define PM_TIME_NONE INT64_MIN

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t pm_days_from_civil(int64_t y, unsigned m, unsigned d);
void pm_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);
int pm_is_leap(int64_t y);
/* Days in month m (1..12) of year y. */
unsigned pm_month_days(int64_t y, unsigned m);

enum pm_time_flags {
	/* Accept only "YYYY-MM-DD HH:00:00", years 1970-2099. */
	PM_TIME_STRICT = (1 << 0),
	/* A string without zone is UTC (default: Thailand local time). */
	PM_TIME_NAIVE_UTC = (1 << 1),
};

/*
 * Parse one timestamp (ptr, len) into *out (UTC seconds). Accepted forms:
 * "YYYY-MM-DD HH:MM[:SS]", "YYYY-MM-DDTHH:MM[:SS]" with an optional "Z"
 * or "+HH:MM" zone, and "YYYY-MM-DD" alone. Hour 24:00 means the next
 * midnight. Returns 0, or -1 if the text is not a timestamp.
 */
int pm_time_parse(const char *ptr, size_t len, unsigned flags, int64_t *out);

/*
 * Parse a date: "YYYY-MM-DD", "YYYY/MM/DD", "DD/MM/YYYY" and the same with
 * a Buddhist-era year (> 2400, minus 543). Writes days since epoch.
 */
int pm_date_parse(const char *ptr, size_t len, int64_t *days);

/*
 * Parse a clock or interval "HH:MM", "HH:MM:SS", "HH:MM - HH:MM" into the
 * seconds after midnight that label the hour: an interval is labelled by
 * its end ("00:00 - 01:00" gives 3600).
 */
int pm_clock_parse(const char *ptr, size_t len, int64_t *secs);

/*
 * Parse a duration: a whole number and a unit, s, m, h or d ("90m",
 * "24h", "2d"), into seconds > 0. Returns 0, or -1 if it is not one.
 */
int pm_duration_parse(const char *s, int64_t *secs);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void pm_time_format(int64_t t, char *out);
/* Format the UTC date of t as "YYYY-MM-DD" into out (at least 11 bytes). */
void pm_date_format(int64_t t, char *out);

/* Seconds on the monotonic clock, for measuring durations. */
double pm_mono_s(void);
/* The CLOCK_REALTIME time s seconds from now, for pthread_cond_timedwait. */
struct timespec;
void pm_timespec_in(double s, struct timespec *ts);
/*
 * Seconds to wait before retry n (1-based): first_s doubling per retry,
 * at most cap_s, +-20% by process.
 */
double pm_backoff_s(double first_s, long n, double cap_s);

/* Floor division for times before 1970. */
int64_t pm_floor_div(int64_t a, int64_t b);

#endif
