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

/*
 * The Scheduled runs past the cut, with what stands in their way: their
 * pool (paused?), their deployment (paused?), the workers online in the
 * pool and the deployment's concurrency limit and runs held.
 */
#define LATE_QUERY                                                            \
	"SELECT r.id, r.scheduled_ms, r.pool, COALESCE(p.paused, 0), "        \
	"COALESCE(d.paused, 0), (SELECT COUNT(*) FROM workers w WHERE "       \
	"w.pool = r.pool AND " PM_WORKER_ONLINE "), "                          \
	"COALESCE(v.concurrency_limit, 0), (SELECT COUNT(*) FROM flow_runs x " \
	"WHERE x.deployment = r.deployment AND x.state IN ('Pending', "       \
	"'Running', 'Cancelling')) FROM flow_runs r LEFT JOIN pools p ON "    \
	"p.name = r.pool LEFT JOIN deployments d ON d.name = r.deployment "   \
	"LEFT JOIN deployment_versions v ON v.name = d.name AND v.version = " \
	"d.version WHERE r.state = 'Scheduled' AND r.scheduled_ms < "         \
	"CAST(? AS BIGINT) ORDER BY r.scheduled_ms"

/* Why row i of a LATE_QUERY has not started, into why. */
static void late_reason(const struct pm_rows *rs, size_t i, int64_t now,
			char *why, size_t size)
{
	long long secs = (long long)((now - to_ms(pm_rows_get(rs, i, 1))) /
				     1000);
	const char *pool = pm_rows_get(rs, i, 2) ? pm_rows_get(rs, i, 2) : "-";
	long limit = strtol(pm_rows_get(rs, i, 6), NULL, 10);
	long held = strtol(pm_rows_get(rs, i, 7), NULL, 10);

	if (strcmp(pm_rows_get(rs, i, 3), "0"))
		snprintf(why, size,
			 "not started %lld s after its slot: pool %s is "
			 "paused",
			 secs, pool);
	else if (strcmp(pm_rows_get(rs, i, 4), "0"))
		snprintf(why, size,
			 "not started %lld s after its slot: its deployment "
			 "is paused",
			 secs);
	else if (!strcmp(pm_rows_get(rs, i, 5), "0"))
		snprintf(why, size,
			 "not started %lld s after its slot: no worker online "
			 "in pool %s",
			 secs, pool);
	else if (limit > 0 && held >= limit)
		snprintf(why, size,
			 "not started %lld s after its slot: its deployment's "
			 "concurrency limit (%ld) is full",
			 secs, limit);
	else
		snprintf(why, size,
			 "not started %lld s after its slot (no worker took "
			 "it)",
			 secs);
}

/*
 * A deployment's max_late_runs parameter: beyond that many Late runs,
 * the oldest are Cancelled, so that an outage leaves no pile to run.
 */
static enum pm_err cap_late(struct pm_state *st, struct pm_tick *t,
			    struct pm_buf *err)
{
	struct pm_rows deps, runs;
	enum pm_err ret;
	size_t i, k;

	ret = pm_db_query(st->db,
			  "SELECT d.name, v.parameters FROM deployments d JOIN "
			  "deployment_versions v ON v.name = d.name AND "
			  "v.version = d.version WHERE v.parameters LIKE "
			  "'%max_late_runs%' ORDER BY d.name",
			  NULL, 0, &deps, NULL, err);
	for (i = 0; !ret && i < deps.nr; i++) {
		long max = pm_deployment_max_late(pm_rows_get(&deps, i, 1));
		char why[128];

		if (max < 0)
			continue;
		ret = pm_db_query(st->db,
				  "SELECT id FROM flow_runs WHERE deployment = ? "
				  "AND state = 'Late' ORDER BY scheduled_ms DESC, "
				  "id DESC",
				  (const char *const[]){ pm_rows_get(&deps, i, 0) },
				  1, &runs, NULL, err);
		snprintf(why, sizeof(why),
			 "cancelled: more than %ld Late runs of its deployment "
			 "(max_late_runs), the oldest go",
			 max);
		for (k = (size_t)max; !ret && k < runs.nr; k++) {
			enum pm_err e = pm_state_run_move(
				st, pm_rows_get(&runs, k, 0), PM_RUN_LATE,
				PM_RUN_CANCELLED, why, err);

			if (!e)
				t->cancelled++;
			else if (e != PM_ERR_CONFLICT) /* taken meanwhile */
				ret = e;
		}
		if (!ret)
			pm_rows_release(&runs);
	}
	pm_rows_release(&deps);
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
	char cut[24], at[24];
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
	pm_state_ms_text(at, now);
	ret = pm_db_query(st->db, LATE_QUERY,
			  (const char *const[]){ at, cut }, 2, &late, NULL,
			  err);
	for (i = 0; !ret && i < late.nr; i++) {
		char why[256];
		enum pm_err e;

		late_reason(&late, i, now, why, sizeof(why));
		e = pm_state_run_move(st, pm_rows_get(&late, i, 0),
				      PM_RUN_SCHEDULED, PM_RUN_LATE, why, err);
		if (!e)
			t->late++;
		else if (e != PM_ERR_CONFLICT) /* taken meanwhile: fine */
			ret = e;
	}
	pm_rows_release(&late);
	if (!ret)
		ret = cap_late(st, t, err);
	return ret;
}
