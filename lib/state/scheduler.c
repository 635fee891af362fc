/*
 * Scheduling deployments' cron slots into flow runs. Slots are counted
 * from the deployment's newest scheduled slot (or from when its current
 * version was made), so a scheduler that was down finds the slots it
 * missed and treats them by the deployment's policy: all, latest or none.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/cron.h"
#include "db.h"
#include "pm25/deployment.h"
#include "pm25/pause.h"
#include "pm25/scheduler.h"
#include "pm25/state.h"
#include "state-int.h"

#define MAX_SLOTS 10000 /* per deployment and pass */

static int64_t to_ms(const char *s)
{
	return s ? strtoll(s, NULL, 10) : 0;
}

/* Create the run of one slot; an existing one counts as such. */
static enum pm_err make_run(struct pm_state *st, const struct pm_deployment *d,
			    int64_t slot, int missed, struct pm_tick *t,
			    struct pm_buf *err)
{
	struct pm_run_new r = { 0 };
	char id[PM_RUN_ID_MAX];
	enum pm_err ret;

	r.flow = d->flow;
	r.deployment = d->name;
	r.pool = d->work_pool;
	r.parameters = d->parameters;
	r.state = PM_RUN_SCHEDULED;
	r.reason = missed ? "slot missed while no scheduler ran" :
			    "scheduled from the deployment's cron";
	r.scheduled_ms = slot;
	r.slot_ms = slot;
	r.deployment_version = d->version;
	r.max_attempts = pm_deployment_attempts(d);
	ret = pm_state_run_create(st, &r, id, err);
	if (ret == PM_ERR_CONFLICT) {
		t->existing++;
		return PM_OK;
	}
	if (!ret)
		t->created++;
	return ret;
}

static enum pm_err schedule_one(struct pm_state *st,
				const struct pm_deployment *d, int64_t from,
				int64_t now, int64_t ahead_ms, int64_t late_ms,
				struct pm_tick *t, struct pm_buf *err)
{
	struct pm_cron c;
	int64_t s = from, last_missed = -1;
	enum pm_err ret = PM_OK;
	int n;

	if (pm_cron_parse(&c, d->cron, err))
		return PM_ERR_USAGE;
	for (n = 0; !ret && n < MAX_SLOTS; n++) {
		int64_t next = pm_cron_next(&c, d->timezone, s / 1000);

		if (next < 0 || next * 1000 > now + ahead_ms)
			break;
		s = next * 1000;
		if (s < now - late_ms) { /* missed */
			if (!strcmp(d->missed, "all"))
				ret = make_run(st, d, s, 1, t, err);
			else {
				if (last_missed >= 0)
					t->skipped++;
				last_missed = s;
			}
			continue;
		}
		ret = make_run(st, d, s, 0, t, err);
	}
	if (!ret && last_missed >= 0) {
		if (!strcmp(d->missed, "latest"))
			ret = make_run(st, d, last_missed, 1, t, err);
		else
			t->skipped++;
	}
	return ret;
}

enum pm_err pm_schedule_tick(struct pm_state *st, int64_t now,
			     int64_t ahead_ms, int64_t late_ms,
			     struct pm_tick *t, struct pm_buf *err)
{
	struct pm_rows deps = { 0 }, late = { 0 };
	char cut[24];
	enum pm_err ret;
	size_t i;

	memset(t, 0, sizeof(*t));
	/* per deployment: its newest slot, or when this version began */
	ret = pm_db_query(st->db,
			  "SELECT d.name, COALESCE((SELECT MAX(r.slot_ms) FROM "
			  "flow_runs r WHERE r.deployment = d.name), v.created_ms) "
			  "FROM deployments d JOIN deployment_versions v ON "
			  "v.name = d.name AND v.version = d.version WHERE "
			  "d.paused = 0 AND v.cron IS NOT NULL ORDER BY d.name",
			  NULL, 0, &deps, NULL, err);
	/* a test stops here so that schedulers race on the same slots */
	pm_pause_point("schedule");
	for (i = 0; !ret && i < deps.nr; i++) {
		struct pm_deployment d;

		ret = pm_state_deployment_get(st, pm_rows_get(&deps, i, 0), 0,
					      &d, err);
		if (!ret)
			ret = schedule_one(st, &d, to_ms(pm_rows_get(&deps, i, 1)),
					   now, ahead_ms, late_ms, t, err);
		pm_deployment_release(&d);
	}
	pm_rows_release(&deps);
	if (ret)
		return ret;
	/* Scheduled runs that should have started by now are Late */
	pm_state_ms_text(cut, now - late_ms);
	ret = pm_db_query(st->db,
			  "SELECT id, scheduled_ms FROM flow_runs WHERE state = "
			  "'Scheduled' AND scheduled_ms < ? ORDER BY scheduled_ms",
			  (const char *const[]){ cut }, 1, &late, NULL, err);
	for (i = 0; !ret && i < late.nr; i++) {
		char why[128];
		enum pm_err e;

		snprintf(why, sizeof(why),
			 "not started %lld s after its slot (no worker took it)",
			 (long long)((now - to_ms(pm_rows_get(&late, i, 1))) /
				     1000));
		e = pm_state_run_move(st, pm_rows_get(&late, i, 0),
				      PM_RUN_SCHEDULED, PM_RUN_LATE, why, err);
		if (!e)
			t->late++;
		else if (e != PM_ERR_CONFLICT) /* taken meanwhile: fine */
			ret = e;
	}
	pm_rows_release(&late);
	return ret;
}
