/*
 * Cron expressions and their next firing in a time zone. Days are walked
 * in local time; each candidate wall time is turned into an instant with
 * mktime() and kept only if it reads back as the same wall time, which
 * drops times that a daylight-saving change skips.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include <time.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/cron.h"

static const char *const month_names[] = { "jan", "feb", "mar", "apr",
					    "may", "jun", "jul", "aug",
					    "sep", "oct", "nov", "dec" };
static const char *const dow_names[] = { "sun", "mon", "tue", "wed",
					  "thu", "fri", "sat" };

/* A number or (for names) a three-letter name at *p; -1 if neither. */
static long atom(const char **p, const char *const *names, int nr_names,
		 int base)
{
	const char *s = *p;
	long v = 0;
	int i;

	if (*s >= '0' && *s <= '9') {
		while (*s >= '0' && *s <= '9' && v < 1000)
			v = v * 10 + (*s++ - '0');
		*p = s;
		return v;
	}
	for (i = 0; names && i < nr_names; i++)
		if (!strncasecmp(s, names[i], 3)) {
			*p = s + 3;
			return i + base;
		}
	return -1;
}

/* Parse one field into bits lo..hi; -1 on error. */
static int field(const char *text, size_t len, int lo, int hi,
		 const char *const *names, int nr_names, int name_base,
		 uint64_t *bits, int *any)
{
	char buf[128];
	const char *p;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	*bits = 0;
	*any = !strcmp(buf, "*") || !strcmp(buf, "?");
	for (p = buf;;) {
		long a, b, step = 1, v;

		if (*p == '*') {
			a = lo;
			b = hi;
			p++;
		} else {
			a = atom(&p, names, nr_names, name_base);
			b = a;
			if (a < 0)
				return -1;
			if (*p == '-') {
				p++;
				b = atom(&p, names, nr_names, name_base);
				if (b < 0)
					return -1;
			}
		}
		if (*p == '/') {
			p++;
			step = atom(&p, NULL, 0, 0);
			if (step <= 0)
				return -1;
			if (a == b && buf[0] != '*')
				b = hi; /* "5/15" means 5-hi/15 */
		}
		if (a < lo || b > hi || a > b)
			return -1;
		for (v = a; v <= b; v += step)
			*bits |= 1ull << v;
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

static const struct {
	const char *name, *expr;
} macros[] = {
	{ "@hourly", "0 * * * *" },   { "@daily", "0 0 * * *" },
	{ "@midnight", "0 0 * * *" }, { "@weekly", "0 0 * * 0" },
	{ "@monthly", "0 0 1 * *" },  { "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
};

enum pm_err pm_cron_parse(struct pm_cron *c, const char *expr,
			  struct pm_buf *err)
{
	static const char *const what[] = { "minute", "hour", "day of month",
					    "month", "day of week" };
	const char *f[5], *p = expr;
	size_t n[5], i;
	uint64_t bits;
	int any;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < PM_ARRAY_SIZE(macros); i++)
		if (!strcasecmp(expr, macros[i].name))
			return pm_cron_parse(c, macros[i].expr, err);
	for (i = 0; i < 5; i++) {
		while (*p == ' ' || *p == '\t')
			p++;
		f[i] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		n[i] = (size_t)(p - f[i]);
		if (!n[i])
			return pm_errf(err, PM_ERR_PARSE,
				       "cron '%s': needs 5 fields (minute hour "
				       "day-of-month month day-of-week) or "
				       "@hourly/@daily/...",
				       expr);
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p)
		return pm_errf(err, PM_ERR_PARSE,
			       "cron '%s': more than 5 fields", expr);
	for (i = 0; i < 5; i++) {
		static const int lo[] = { 0, 0, 1, 1, 0 }, hi[] = { 59, 23, 31,
								     12, 7 };
		int r = field(f[i], n[i], lo[i], hi[i],
			      i == 3 ? month_names : i == 4 ? dow_names : NULL,
			      i == 3 ? 12 : 7, i == 3 ? 1 : 0, &bits, &any);

		if (r)
			return pm_errf(err, PM_ERR_PARSE,
				       "cron '%s': bad %s field '%.*s'", expr,
				       what[i], (int)n[i], f[i]);
		switch (i) {
		case 0:
			c->minute = bits;
			break;
		case 1:
			c->hour = (uint32_t)bits;
			break;
		case 2:
			c->dom = (uint32_t)bits;
			c->dom_any = any;
			break;
		case 3:
			c->month = (uint16_t)bits;
			break;
		default:
			/* 7 is Sunday too */
			c->dow = (uint8_t)((bits | (bits >> 7)) & 0x7f);
			c->dow_any = any;
		}
	}
	return PM_OK;
}

int pm_tz_valid(const char *tz)
{
	struct pm_buf path = PM_BUF_INIT;
	FILE *f;
	int ok;

	if (!tz || !*tz || strstr(tz, "..") || tz[0] == '/')
		return 0;
	if (!strcmp(tz, "UTC"))
		return 1;
	pm_buf_addf(&path, "/usr/share/zoneinfo/%s", tz);
	f = fopen(path.buf, "rb");
	ok = f != NULL;
	if (f) {
		char magic[4];

		ok = fread(magic, 1, 4, f) == 4 && !memcmp(magic, "TZif", 4);
		fclose(f);
	}
	pm_buf_release(&path);
	return ok;
}

static int day_matches(const struct pm_cron *c, int mday, int mon, int wday)
{
	int dom = (c->dom >> mday) & 1, dow = (c->dow >> wday) & 1;

	if (!((c->month >> (mon + 1)) & 1))
		return 0;
	if (c->dom_any || c->dow_any)
		return dom && dow;
	return dom || dow;
}

/* The instant of local wall time y-m-d h:mi, or -1 if the zone skips it. */
static int64_t local_instant(int y, int m, int d, int h, int mi)
{
	int isdst;

	/* a repeated wall time: the first (daylight) reading first */
	for (isdst = 1; isdst >= 0; isdst--) {
		struct tm tm;
		time_t t;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y;
		tm.tm_mon = m;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_isdst = isdst;
		t = mktime(&tm);
		if (t != (time_t)-1 && tm.tm_year == y && tm.tm_mon == m &&
		    tm.tm_mday == d && tm.tm_hour == h && tm.tm_min == mi &&
		    tm.tm_isdst == isdst)
			return (int64_t)t;
	}
	return -1;
}

/* TZ is the process's: one switch at a time (the server's threads). */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

int64_t pm_cron_next(const struct pm_cron *c, const char *tz, int64_t t)
{
	char *old;
	int64_t found = -1;
	time_t now = (time_t)t;
	struct tm day;
	int i;

	pthread_mutex_lock(&tz_lock);
	old = getenv("TZ") ? pm_xstrdup(getenv("TZ")) : NULL;
	setenv("TZ", tz && *tz ? tz : "UTC", 1);
	tzset();
	localtime_r(&now, &day);
	day.tm_hour = day.tm_min = day.tm_sec = 0;
	for (i = 0; i < 5 * 366 && found < 0; i++) {
		struct tm d = day;
		int h, mi;

		d.tm_mday += i;
		d.tm_hour = 12; /* noon: always exists */
		d.tm_isdst = -1;
		mktime(&d);
		if (!day_matches(c, d.tm_mday, d.tm_mon, d.tm_wday))
			continue;
		for (h = 0; h < 24 && found < 0; h++) {
			if (!((c->hour >> h) & 1))
				continue;
			for (mi = 0; mi < 60; mi++) {
				int64_t at;

				if (!((c->minute >> mi) & 1))
					continue;
				at = local_instant(d.tm_year, d.tm_mon,
						   d.tm_mday, h, mi);
				if (at > t) {
					found = at;
					break;
				}
			}
		}
	}
	if (old) {
		setenv("TZ", old, 1);
		free(old);
	} else {
		unsetenv("TZ");
	}
	tzset();
	pthread_mutex_unlock(&tz_lock);
	return found;
}
