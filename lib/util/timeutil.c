/*
 * Calendar conversions (Howard Hinnant's civil-day algorithms, which are
 * public domain arithmetic) and the timestamp parsers.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/timeutil.h"

int64_t pm_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int64_t pm_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = pm_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void pm_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = pm_floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

int pm_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned pm_month_days(int64_t y, unsigned m)
{
	static const unsigned char days[] = { 31, 28, 31, 30, 31, 30,
					      31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return days[m - 1] + (m == 2 && pm_is_leap(y));
}

static int digits(const char *p, size_t n, int *out)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

static int valid_ymd(int y, int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 &&
	       (unsigned)d <= pm_month_days(y, (unsigned)m);
}

int pm_time_parse(const char *p, size_t n, unsigned flags, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, s = 0, zone = 1, offset = 0;
	size_t i;

	if (flags & PM_TIME_STRICT) {
		if (n != 19 || p[4] != '-' || p[7] != '-' || p[10] != ' ' ||
		    p[13] != ':' || memcmp(p + 14, "00:00", 5) ||
		    digits(p, 4, &y) || digits(p + 5, 2, &mo) ||
		    digits(p + 8, 2, &d) || digits(p + 11, 2, &h))
			return -1;
		if (y < 1970 || y > 2099 || !valid_ymd(y, mo, d) || h > 23)
			return -1;
		*out = (pm_days_from_civil(y, (unsigned)mo, (unsigned)d) * 24 +
			h) * 3600 - PM_ICT_OFFSET;
		return 0;
	}
	if (n < 10 || p[4] != '-' || p[7] != '-' || digits(p, 4, &y) ||
	    digits(p + 5, 2, &mo) || digits(p + 8, 2, &d) ||
	    !valid_ymd(y, mo, d))
		return -1;
	i = 10;
	if (i < n) {
		if (p[i] != ' ' && p[i] != 'T')
			return -1;
		i++;
		if (n - i < 5 || p[i + 2] != ':' || digits(p + i, 2, &h) ||
		    digits(p + i + 3, 2, &mi))
			return -1;
		i += 5;
		if (i < n && p[i] == ':') {
			if (n - i < 3 || digits(p + i + 1, 2, &s))
				return -1;
			i += 3;
			/* fractional seconds are dropped */
			if (i < n && p[i] == '.') {
				i++;
				while (i < n && p[i] >= '0' && p[i] <= '9')
					i++;
			}
		}
		if (h > 24 || mi > 59 || s > 60 || (h == 24 && (mi || s)))
			return -1;
	}
	if (i < n && (p[i] == 'Z' || p[i] == 'z') && i + 1 == n) {
		zone = 0;
	} else if (i < n && (p[i] == '+' || p[i] == '-')) {
		int zh, zm = 0;

		if (n - i == 6 && p[i + 3] == ':') {
			if (digits(p + i + 1, 2, &zh) || digits(p + i + 4, 2, &zm))
				return -1;
		} else if (n - i == 5) {
			if (digits(p + i + 1, 2, &zh) || digits(p + i + 3, 2, &zm))
				return -1;
		} else if (n - i == 3) {
			if (digits(p + i + 1, 2, &zh))
				return -1;
		} else {
			return -1;
		}
		offset = (zh * 60 + zm) * 60 * (p[i] == '-' ? -1 : 1);
		zone = 0;
	} else if (i != n) {
		return -1;
	} else {
		offset = (flags & PM_TIME_NAIVE_UTC) ? 0 : PM_ICT_OFFSET;
	}
	(void)zone;
	*out = pm_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	       h * 3600 + mi * 60 + s - offset;
	return 0;
}

/* Thai month abbreviations, as Thai reports write dates: 5 ธ.ค. 2566 */
static const char *const thai_months[12] = {
	"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
	"ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
};

static int thai_date(const char *p, size_t n, int *y, int *m, int *d)
{
	size_t i = 0, j;
	int k;

	for (j = i; j < n && p[j] >= '0' && p[j] <= '9'; j++)
		;
	if (j == i || j - i > 2 || digits(p + i, j - i, d))
		return -1;
	for (i = j; i < n && p[i] == ' '; i++)
		;
	for (k = 0; k < 12; k++) {
		size_t len = strlen(thai_months[k]);

		if (n - i >= len && !memcmp(p + i, thai_months[k], len)) {
			*m = k + 1;
			i += len;
			break;
		}
	}
	if (k == 12)
		return -1;
	while (i < n && p[i] == ' ')
		i++;
	if (n - i != 4 || digits(p + i, 4, y))
		return -1;
	return 0;
}

int pm_date_parse(const char *p, size_t n, int64_t *days)
{
	int y, m, d;

	if (!thai_date(p, n, &y, &m, &d))
		goto check;

	if (n >= 8 && n <= 10 && (p[4] == '-' || p[4] == '/')) {
		/* YYYY-M-D with one or two digit month and day */
		size_t j = 5, k;

		if (digits(p, 4, &y))
			return -1;
		for (k = j; k < n && p[k] != p[4]; k++)
			;
		if (k == j || k - j > 2 || k == n || digits(p + j, k - j, &m))
			return -1;
		j = k + 1;
		if (n - j < 1 || n - j > 2 || digits(p + j, n - j, &d))
			return -1;
	} else {
		/* D/M/YYYY with one or two digit day and month */
		size_t i = 0, j;

		for (j = i; j < n && p[j] != '/' && p[j] != '-'; j++)
			;
		if (j == i || j - i > 2 || j == n || digits(p + i, j - i, &d))
			return -1;
		i = j + 1;
		for (j = i; j < n && p[j] != p[i - 1]; j++)
			;
		if (j == i || j - i > 2 || j == n || digits(p + i, j - i, &m))
			return -1;
		i = j + 1;
		if (n - i != 4 || digits(p + i, 4, &y))
			return -1;
	}
check:
	if (y > 2400)
		y -= 543;
	if (!valid_ymd(y, m, d))
		return -1;
	*days = pm_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

static int clock_one(const char *p, size_t n, int64_t *secs)
{
	int h, m, s = 0;

	if (n == 4 && p[1] == ':') {
		if (digits(p, 1, &h) || digits(p + 2, 2, &m))
			return -1;
	} else if (n >= 5 && p[2] == ':') {
		if (digits(p, 2, &h) || digits(p + 3, 2, &m))
			return -1;
		if (n == 8 && p[5] == ':') {
			if (digits(p + 6, 2, &s))
				return -1;
		} else if (n != 5) {
			return -1;
		}
	} else {
		return -1;
	}
	if (h > 24 || m > 59 || s > 59 || (h == 24 && (m || s)))
		return -1;
	*secs = h * 3600 + m * 60 + s;
	return 0;
}

int pm_clock_parse(const char *p, size_t n, int64_t *secs)
{
	static const char thai_oclock[] = "น."; /* "o'clock" */
	size_t i, tl = sizeof(thai_oclock) - 1;

	while (n && p[n - 1] == ' ')
		n--;
	if (n >= tl && !memcmp(p + n - tl, thai_oclock, tl)) {
		n -= tl;
		while (n && p[n - 1] == ' ')
			n--;
	}

	for (i = 0; i < n; i++) {
		if (p[i] == '-') {
			size_t a = i, b = i + 1;
			int64_t from;

			while (a > 0 && p[a - 1] == ' ')
				a--;
			while (b < n && p[b] == ' ')
				b++;
			if (clock_one(p, a, &from) ||
			    clock_one(p + b, n - b, secs))
				return -1;
			if (*secs < from)
				*secs += 86400;
			return 0;
		}
	}
	return clock_one(p, n, secs);
}

static void put2(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

/* "YYYY-MM-DD" for years 0..9999; other years go through snprintf. */
static void put_date(int64_t days, char *out)
{
	int64_t y;
	unsigned m, d;

	pm_civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999) {
		char tmp[48];

		snprintf(tmp, sizeof(tmp), "%04lld-%02u-%02u", (long long)y, m,
			 d);
		memcpy(out, tmp, 10);
		return;
	}
	put2(out, (unsigned)(y / 100));
	put2(out + 2, (unsigned)(y % 100));
	out[4] = '-';
	put2(out + 5, m);
	out[7] = '-';
	put2(out + 8, d);
}

void pm_time_format(int64_t t, char *out)
{
	int64_t days = pm_floor_div(t, 86400), rem = t - days * 86400;

	put_date(days, out);
	out[10] = 'T';
	put2(out + 11, (unsigned)(rem / 3600));
	out[13] = ':';
	put2(out + 14, (unsigned)(rem / 60 % 60));
	out[16] = ':';
	put2(out + 17, (unsigned)(rem % 60));
	out[19] = 'Z';
	out[20] = '\0';
}

void pm_date_format(int64_t t, char *out)
{
	put_date(pm_floor_div(t, 86400), out);
	out[10] = '\0';
}

double pm_mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pm_timespec_in(double s, struct timespec *ts)
{
	if (s < 0)
		s = 0;
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += (time_t)s;
	ts->tv_nsec += (long)((s - (double)(time_t)s) * 1e9);
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

double pm_backoff_s(double first_s, long n, double cap_s)
{
	double d = first_s;
	long i;

	for (i = 1; i < n && d < cap_s; i++)
		d *= 2;
	if (d > cap_s)
		d = cap_s;
	/* +-20% by process, so that runs that failed together do not retry
	 * together */
	return d * (0.8 + 0.4 * (double)((unsigned)getpid() * 2654435761u %
					 1000) /
				  1000.0);
}

int pm_duration_parse(const char *s, int64_t *secs)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	int64_t n = 0;
	size_t i;

	if (!s || !isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)*s); s++) {
		n = n * 10 + (*s - '0');
		if (n > 100L * 366 * 86400)
			return -1;
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (s[0] == units[i].unit && !s[1] && n > 0) {
			*secs = n * units[i].secs;
			return 0;
		}
	return -1;
}
