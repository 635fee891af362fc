/*
 * The scheduler: from each active deployment's cron schedule it creates
 * the flow runs of the coming slots ahead of time, once per (deployment,
 * slot) however many schedulers run (a unique index decides), applies
 * the missed-run policy to slots that passed while nobody scheduled, and
 * marks Scheduled runs that did not start in time as Late, with why.
 */
#ifndef PM25_SCHEDULER_H
#define PM25_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_state;

struct pm_tick {
	size_t created;	 /* runs made for coming or missed slots */
	size_t existing; /* slots another scheduler had already made */
	size_t skipped;	 /* missed slots the policy dropped */
	size_t late;	 /* Scheduled runs now Late */
	size_t cancelled; /* Late runs over a deployment's max_late_runs */
};

/*
 * One pass at time now (ms): slots up to now + ahead_ms; a slot is
 * missed, and a Scheduled run late, when more than late_ms old.
 */
enum pm_err pm_schedule_tick(struct pm_state *st, int64_t now,
			     int64_t ahead_ms, int64_t late_ms,
			     struct pm_tick *t, struct pm_buf *err);

#endif
