/*
 * Cron schedules: five fields (minute hour day-of-month month
 * day-of-week) with lists, ranges, steps and names, or @hourly, @daily,
 * @midnight, @weekly, @monthly, @yearly and @annually; read in an IANA
 * time zone. When day-of-month and day-of-week are both restricted, a
 * day matching either fires (as Vixie cron does). Local times that a
 * daylight-saving change skips do not fire; local times it repeats fire
 * once, at their first occurrence.
 */
#ifndef PM25_CRON_H
#define PM25_CRON_H

#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;

struct pm_cron {
	uint64_t minute;   /* bit m: minute m */
	uint32_t hour;	   /* bit h */
	uint32_t dom;	   /* bit d, 1..31 */
	uint16_t month;	   /* bit m, 1..12 */
	uint8_t dow;	   /* bit d, 0 = Sunday .. 6 */
	int dom_any, dow_any; /* the field was '*' */
};

/* Parse expr; PM_ERR_PARSE with the offending field in err. */
enum pm_err pm_cron_parse(struct pm_cron *c, const char *expr,
			  struct pm_buf *err);

/* Whether tz names a zone this machine knows (e.g. Asia/Bangkok). */
int pm_tz_valid(const char *tz);

/*
 * The first firing strictly after t (seconds since the epoch) in zone
 * tz, or -1 if none within five years. Changes TZ while it runs, under
 * a lock of its own: other code that reads TZ may see the switch.
 */
int64_t pm_cron_next(const struct pm_cron *c, const char *tz, int64_t t);

#endif
