/*
 * Deployments in the state database: the current version of each in
 * deployments, every version in deployment_versions. A change that
 * alters nothing makes no version.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "db.h"
#include "pm25/deployment.h"
#include "pm25/state.h"
#include "state-int.h"

#define VERSION_COLUMNS                                                       \
	"v.flow, v.cron, v.timezone, v.missed, v.work_pool, v.image, "       \
	"v.parameters, v.concurrency_limit, v.version, d.paused"

static void from_row(const struct pm_rows *rs, const char *name,
		     struct pm_deployment *d)
{
	memset(d, 0, sizeof(*d));
	d->name = pm_xstrdup(name);
	d->flow = pm_state_dup(pm_rows_get(rs, 0, 0));
	d->cron = pm_state_dup(pm_rows_get(rs, 0, 1));
	d->timezone = pm_state_dup(pm_rows_get(rs, 0, 2));
	d->missed = pm_state_dup(pm_rows_get(rs, 0, 3));
	d->work_pool = pm_state_dup(pm_rows_get(rs, 0, 4));
	d->image = pm_state_dup(pm_rows_get(rs, 0, 5));
	d->parameters = pm_state_dup(pm_rows_get(rs, 0, 6));
	d->concurrency_limit = strtol(pm_rows_get(rs, 0, 7), NULL, 10);
	d->version = strtol(pm_rows_get(rs, 0, 8), NULL, 10);
	d->paused = strcmp(pm_rows_get(rs, 0, 9), "0") != 0;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int same(const struct pm_deployment *a, const struct pm_deployment *b)
{
	return same_str(a->flow, b->flow) && same_str(a->cron, b->cron) &&
	       same_str(a->timezone, b->timezone) &&
	       same_str(a->missed, b->missed) &&
	       same_str(a->work_pool, b->work_pool) &&
	       same_str(a->image, b->image) &&
	       same_str(a->parameters, b->parameters) &&
	       a->concurrency_limit == b->concurrency_limit;
}

enum pm_err pm_state_deployment_get(struct pm_state *st, const char *name,
				    long v, struct pm_deployment *d,
				    struct pm_buf *err)
{
	struct pm_rows rs;
	char ver[24];
	enum pm_err ret;

	snprintf(ver, sizeof(ver), "%ld", v);
	memset(d, 0, sizeof(*d));
	ret = pm_db_query(st->db,
			  "SELECT " VERSION_COLUMNS " FROM deployments d JOIN "
			  "deployment_versions v ON v.name = d.name AND "
			  "v.version = CASE WHEN CAST(? AS INTEGER) = 0 THEN "
			  "d.version ELSE CAST(? AS INTEGER) END WHERE d.name = ?",
			  (const char *const[]){ ver, ver, name }, 3, &rs, NULL,
			  err);
	if (ret)
		return ret;
	if (!rs.nr)
		ret = pm_errf(err, PM_ERR_NOTFOUND,
			      v ? "deployment %s has no version %ld" :
				  "no deployment %s",
			      name, v);
	else
		from_row(&rs, name, d);
	pm_rows_release(&rs);
	return ret;
}

enum pm_err pm_state_deployment_put(struct pm_state *st,
				    const struct pm_deployment *d,
				    const char *change, long *version,
				    int *created, struct pm_buf *err)
{
	struct pm_deployment cur;
	struct pm_rows rs = { 0 };
	char now[24], ver[24], limit[24];
	enum pm_err ret;

	*created = 0;
	*version = 0;
	ret = pm_deployment_check(d, err);
	if (ret)
		return ret;
	ret = pm_db_begin(st->db, err);
	if (ret)
		return ret;
	ret = pm_db_query(st->db, "SELECT name FROM pools WHERE name = ?",
			  (const char *const[]){ d->work_pool }, 1, &rs, NULL,
			  err);
	if (!ret && !rs.nr)
		ret = pm_errf(err, PM_ERR_NOTFOUND,
			      "deployment %s: no work pool %s (pm25 pool "
			      "create %s)",
			      d->name, d->work_pool, d->work_pool);
	pm_rows_release(&rs);
	if (ret)
		goto out;
	ret = pm_state_deployment_get(st, d->name, 0, &cur, NULL);
	if (!ret && same(&cur, d)) {
		*version = cur.version;
		pm_deployment_release(&cur);
		ret = pm_db_commit(st->db, err);
		goto out;
	}
	*version = ret ? 1 : cur.version + 1;
	pm_deployment_release(&cur);
	pm_state_ms_text(now, pm_state_now_ms());
	snprintf(ver, sizeof(ver), "%ld", *version);
	snprintf(limit, sizeof(limit), "%ld", d->concurrency_limit);
	ret = pm_db_query(st->db,
			  "INSERT INTO deployments (name, flow, version, "
			  "created_ms, updated_ms) VALUES (?, ?, ?, ?, ?) "
			  "ON CONFLICT (name) DO UPDATE SET flow = excluded.flow, "
			  "version = excluded.version, updated_ms = "
			  "excluded.updated_ms",
			  (const char *const[]){ d->name, d->flow, ver, now,
						 now },
			  5, NULL, NULL, err);
	if (!ret)
		ret = pm_db_query(
			st->db,
			"INSERT INTO deployment_versions (name, version, flow, "
			"cron, timezone, missed, work_pool, image, parameters, "
			"concurrency_limit, change, created_ms) VALUES (?, ?, ?, "
			"?, ?, ?, ?, ?, ?, ?, ?, ?)",
			(const char *const[]){ d->name, ver, d->flow, d->cron,
					       d->timezone, d->missed,
					       d->work_pool, d->image,
					       d->parameters, limit, change,
					       now },
			12, NULL, NULL, err);
	if (!ret)
		ret = pm_db_commit(st->db, err);
	if (!ret)
		*created = 1;
out:
	if (ret)
		pm_db_rollback(st->db);
	return ret;
}

enum pm_err pm_state_deployment_pause(struct pm_state *st, const char *name,
				      int paused, struct pm_buf *err)
{
	size_t changed = 0;
	char now[24];
	enum pm_err ret;

	pm_state_ms_text(now, pm_state_now_ms());
	ret = pm_db_query(st->db,
			  "UPDATE deployments SET paused = ?, updated_ms = ? "
			  "WHERE name = ?",
			  (const char *const[]){ paused ? "1" : "0", now, name },
			  3, NULL, &changed, err);
	if (!ret && !changed)
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no deployment %s", name);
	return ret;
}
