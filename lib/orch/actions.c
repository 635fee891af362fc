/*
 * Deployment and model actions (pm25/actions.h).
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/actions.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/deployment.h"
#include "pm25/pipeline.h"
#include "pm25/records.h"
#include "pm25/source.h"
#include "pm25/strv.h"

/* Store the n deployments d (then released) read from file. */
static enum pm_err apply(struct pm_state *st, struct pm_deployment *d,
			 size_t n, const char *file,
			 struct pm_deploy_saved **out, size_t *nr,
			 struct pm_buf *err)
{
	struct pm_pool_info pool;
	enum pm_err e = PM_OK;
	size_t i;

	/* every pool first: a file applies whole or not at all */
	for (i = 0; !e && i < n; i++) {
		e = pm_state_pool_get(st, d[i].work_pool, &pool, err);
		if (e == PM_ERR_NOTFOUND)
			pm_errf(err, e,
				"%s: deployment %s: no work pool %s (pm25 pool "
				"create %s)",
				file, d[i].name, d[i].work_pool, d[i].work_pool);
		free(pool.name);
		free(pool.type);
	}
	if (!e)
		*out = pm_xcalloc(n ? n : 1, sizeof(**out));
	for (i = 0; !e && i < n; i++) {
		struct pm_deploy_saved *s = &(*out)[i];

		e = pm_state_deployment_put(st, &d[i], "apply", &s->version,
					    &s->created, err);
		/* paused: true holds a new deployment until it is resumed */
		if (!e && s->created && s->version == 1 && d[i].paused)
			e = pm_state_deployment_pause(st, d[i].name, 1, err);
		if (!e) {
			snprintf(s->name, sizeof(s->name), "%s", d[i].name);
			(*nr)++;
		}
	}
	pm_deployments_release(d, n);
	return e;
}

enum pm_err pm_action_apply(struct pm_state *st, const char *file,
			    struct pm_deploy_saved **out, size_t *nr,
			    struct pm_buf *err)
{
	struct pm_deployment *d = NULL;
	size_t n = 0;
	enum pm_err e = pm_deployments_load(file, &d, &n, err);

	*out = NULL;
	*nr = 0;
	return e ? e : apply(st, d, n, file, out, nr, err);
}

enum pm_err pm_action_apply_text(struct pm_state *st, const char *text,
				 size_t len, const char *origin,
				 struct pm_deploy_saved **out, size_t *nr,
				 struct pm_buf *err)
{
	struct pm_deployment *d = NULL;
	size_t n = 0;
	enum pm_err e = pm_deployments_parse(text, len, origin, &d, &n, err);

	*out = NULL;
	*nr = 0;
	return e ? e : apply(st, d, n, origin, out, nr, err);
}


/* Merge key=value pairs into the JSON object text *params. */
static void merge_params(char **params, const struct pm_kv *kv, size_t n)
{
	json_t *o = json_loads(*params ? *params : "{}", 0, NULL);
	size_t i;

	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	for (i = 0; i < n; i++)
		json_object_set_new(o, kv[i].key, json_string(kv[i].value));
	free(*params);
	*params = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
}

static void take(char **field, const char *v)
{
	free(*field);
	*field = pm_xstrdup(v);
}

static enum pm_err save(struct pm_state *st, const struct pm_deployment *d,
			const char *change, struct pm_deploy_saved *out,
			struct pm_buf *err)
{
	snprintf(out->name, sizeof(out->name), "%s", d->name);
	return pm_state_deployment_put(st, d, change, &out->version,
				       &out->created, err);
}

enum pm_err pm_action_update(struct pm_state *st, const char *name,
			     const struct pm_deploy_change *c,
			     struct pm_deploy_saved *out, struct pm_buf *err)
{
	struct pm_buf change = PM_BUF_INIT;
	struct pm_deployment d;
	enum pm_err e;
	size_t i;

	memset(&d, 0, sizeof(d));
	e = pm_state_deployment_get(st, name, 0, &d, err);
	if (e)
		goto out;
	pm_buf_addstr(&change, "update");
	if (c->work_pool) {
		take(&d.work_pool, c->work_pool);
		pm_buf_addf(&change, " --work-pool %s", c->work_pool);
	}
	if (c->image) {
		take(&d.image, c->image);
		pm_buf_addf(&change, " --image %s", c->image);
	}
	if (c->cron) {
		free(d.cron);
		d.cron = *c->cron ? pm_xstrdup(c->cron) : NULL;
		pm_buf_addf(&change, " --cron '%s'", c->cron);
	}
	if (c->timezone) {
		take(&d.timezone, c->timezone);
		pm_buf_addf(&change, " --timezone %s", c->timezone);
	}
	if (c->concurrency >= 0) {
		d.concurrency_limit = c->concurrency;
		pm_buf_addf(&change, " --concurrency %ld", c->concurrency);
	}
	for (i = 0; i < c->nparams; i++)
		pm_buf_addf(&change, " --param %s=%s", c->params[i].key,
			    c->params[i].value);
	merge_params(&d.parameters, c->params, c->nparams);
	e = save(st, &d, change.buf, out, err);
out:
	pm_deployment_release(&d);
	pm_buf_release(&change);
	return e;
}

enum pm_err pm_action_rollback(struct pm_state *st, const char *name, long to,
			       struct pm_deploy_saved *out, struct pm_buf *err)
{
	struct pm_deployment now, old;
	struct pm_buf change = PM_BUF_INIT;
	enum pm_err e;
	long want;

	memset(&now, 0, sizeof(now));
	memset(&old, 0, sizeof(old));
	e = pm_state_deployment_get(st, name, 0, &now, err);
	want = to ? to : now.version - 1;
	if (!e && want < 1)
		e = pm_errf(err, PM_ERR_NOTFOUND,
			    "%s has no version before %ld", name, now.version);
	if (!e)
		e = pm_state_deployment_get(st, name, want, &old, err);
	if (!e) {
		old.paused = now.paused;
		pm_buf_addf(&change, "rollback to version %ld", want);
		e = save(st, &old, change.buf, out, err);
	}
	pm_deployment_release(&now);
	pm_deployment_release(&old);
	pm_buf_release(&change);
	return e;
}

/*
 * A deployment may resume only when its source has what it needs (a
 * token): otherwise every run it makes would fail the same way.
 */
static enum pm_err ready_to_run(struct pm_state *st, const char *name,
				struct pm_buf *err)
{
	struct pm_deployment d;
	const struct pm_source *src;
	json_t *p;
	enum pm_err e;

	memset(&d, 0, sizeof(d));
	e = pm_state_deployment_get(st, name, 0, &d, err);
	if (e)
		return e;
	p = json_loads(d.parameters ? d.parameters : "{}", 0, NULL);
	src = pm_source_find(json_string_value(json_object_get(p, "source")) ?
				     json_string_value(
					     json_object_get(p, "source")) :
				     "");
	if (src && !json_object_get(p, "file") && !json_object_get(p, "url") &&
	    !json_object_get(p, "api_key"))
		e = pm_source_ready(src, err);
	if (e) {
		struct pm_buf pre = PM_BUF_INIT;

		pm_buf_addf(&pre, "%s stays paused: ", name);
		pm_err_prefix(err, pre.buf);
		pm_buf_release(&pre);
	}
	json_decref(p);
	pm_deployment_release(&d);
	return e;
}

enum pm_err pm_action_pause(struct pm_state *st, const char *name, int paused,
			    struct pm_buf *err)
{
	enum pm_err e = paused ? PM_OK : ready_to_run(st, name, err);

	return e ? e : pm_state_deployment_pause(st, name, paused, err);
}

enum pm_err pm_action_run(struct pm_state *st, const char *name,
			  const struct pm_kv *params, size_t nparams,
			  char id[PM_RUN_ID_MAX], struct pm_deployment *d,
			  struct pm_buf *err)
{
	struct pm_run_new r = { 0 };
	enum pm_err e;

	memset(d, 0, sizeof(*d));
	e = pm_state_deployment_get(st, name, 0, d, err);
	if (e)
		return e;
	merge_params(&d->parameters, params, nparams);
	r.flow = d->flow;
	r.deployment = d->name;
	r.pool = d->work_pool;
	r.parameters = d->parameters;
	r.state = PM_RUN_SCHEDULED;
	r.reason = "asked for with pm25 deployment run";
	r.deployment_version = d->version;
	r.max_attempts = pm_deployment_attempts(d);
	return pm_state_run_create(st, &r, id, err);
}

enum pm_err pm_action_model_promote(struct pm_store *models, const char *branch,
				    char path[96], struct pm_buf *err)
{
	struct pm_strv l = PM_STRV_INIT;
	struct pm_buf art = PM_BUF_INIT;
	char id[PM_ID_MAX];
	enum pm_err e;

	*path = '\0';
	/* the branch's model becomes the champion */
	e = pm_store_list(models, branch, "models/linreg_pm25_", &l, err);
	if (!e && !l.nr)
		e = pm_errf(err, PM_ERR_NOTFOUND, "%s holds no model", branch);
	if (!e) {
		snprintf(path, 96, "%s", l.v[l.nr - 1]);
		e = pm_store_get(models, branch, path, &art, err);
	}
	if (!e)
		e = pm_store_put(models, branch, PM_CHAMPION_PATH, art.buf,
				 art.len, err);
	if (!e)
		e = pm_store_commit(models, branch, "Promote by hand", NULL, 0,
				    id, err);
	if (!e)
		e = pm_store_merge(models, branch, "main", "Promote by hand",
				   NULL, 0, id, err);
	if (!e)
		pm_store_branch_delete(models, branch, NULL);
	pm_strv_release(&l);
	pm_buf_release(&art);
	return e;
}

enum pm_err pm_action_cancel(struct pm_state *st, const char *id,
			     const char *by, enum pm_run_state *to,
			     struct pm_buf *err)
{
	struct pm_buf why = PM_BUF_INIT;
	struct pm_run run;
	enum pm_err e = pm_state_run_load(st, id, &run, NULL, NULL, err);

	*to = PM_RUN_CANCELLED;
	if (e)
		return e;
	if (run.state == PM_RUN_RUNNING || run.state == PM_RUN_RETRYING)
		*to = PM_RUN_CANCELLING;
	pm_run_release(&run);
	pm_buf_addf(&why, "cancelled from %s", by);
	e = pm_state_run_set(st, id, *to, why.buf, err);
	pm_buf_release(&why);
	return e;
}
