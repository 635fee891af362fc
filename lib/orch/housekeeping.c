/*
 * Sweeps, scratch folders and retention (pm25/housekeeping.h).
 */
#include "pm25/compat.h"
#include <dirent.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/records.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "pm25/worker.h"

/*
 * The state of run id: *state (owned) is its name, or "gone"; *ended
 * its end in ms, 0 if none.
 */
static enum pm_err run_state(struct pm_state *st, const char *id,
			     char **state, long long *ended,
			     struct pm_buf *err)
{
	struct pm_run run;
	enum pm_err e = pm_state_run_load(st, id, &run, NULL, NULL, err);

	*state = NULL;
	*ended = 0;
	if (e == PM_ERR_NOTFOUND) {
		*state = pm_xstrdup("gone");
		return PM_OK;
	}
	if (e)
		return e;
	*state = pm_xstrdup(pm_run_state_name(run.state));
	if (run.ended_ms != PM_MS_NONE)
		*ended = run.ended_ms;
	pm_run_release(&run);
	return PM_OK;
}

static int ended(const char *state)
{
	int s = pm_run_state_parse(state);

	return !strcmp(state, "gone") ||
	       (s >= 0 && pm_run_state_final((enum pm_run_state)s));
}

enum pm_err pm_housekeep_sweep(struct pm_state *st, const struct pm_home *h,
			       struct pm_housekeeping *hk, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	size_t crashed = 0;
	enum pm_err ret;
	struct dirent *d;
	DIR *dir;

	ret = pm_state_sweep(st, &crashed, err);
	hk->crashed += crashed;
	if (ret || !h || !(dir = opendir(h->tmp)))
		return ret;
	while (!ret && (d = readdir(dir))) {
		long long at;
		char *state;

		if (d->d_name[0] == '.' || strlen(d->d_name) >= PM_RUN_ID_MAX)
			continue;
		ret = run_state(st, d->d_name, &state, &at, err);
		if (!ret && ended(state)) {
			pm_buf_setf(&path, "%s/%s", h->tmp, d->d_name);
			pm_remove_tree(path.buf);
			hk->scratch++;
		}
		free(state);
	}
	closedir(dir);
	pm_buf_release(&path);
	return ret;
}

void pm_stale_branches_release(struct pm_stale_branches *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].branch);
		free(l->v[i].run);
		free(l->v[i].state);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * The run of branch name: etl-<run> or etl-<run>-<day>; the longest
 * such prefix that is a recorded run wins, else the whole of it.
 */
static enum pm_err branch_run(struct pm_state *st, const char *name,
			      char **run, char **state, long long *at,
			      struct pm_buf *err)
{
	char id[PM_RUN_ID_MAX + 16];
	enum pm_err ret;
	char *dash;

	snprintf(id, sizeof(id), "%s", name + 4);
	for (;;) {
		ret = run_state(st, id, state, at, err);
		if (ret || strcmp(*state, "gone"))
			break;
		dash = strrchr(id, '-');
		/* a run id keeps its own last part (…Z-1a2b) */
		if (!dash || !strchr(id, '-') || dash == strchr(id, '-'))
			break;
		free(*state);
		*state = NULL;
		*dash = '\0';
	}
	*run = pm_xstrdup(id);
	return ret;
}

enum pm_err pm_housekeep_stale_branches(struct pm_state *st,
					struct pm_store *data,
					struct pm_stale_branches *out,
					struct pm_buf *err)
{
	struct pm_strv names = PM_STRV_INIT;
	enum pm_err ret;
	size_t i;

	memset(out, 0, sizeof(*out));
	ret = pm_store_branches(data, &names, err);
	for (i = 0; !ret && i < names.nr; i++) {
		struct pm_stale_branch b = { 0 };

		if (strncmp(names.v[i], "etl-", 4) || !names.v[i][4])
			continue;
		ret = branch_run(st, names.v[i], &b.run, &b.state,
				 &b.ended_ms, err);
		if (!ret && ended(b.state)) {
			b.branch = pm_xstrdup(names.v[i]);
			PM_ALLOC_GROW(out->v, out->nr + 1, out->alloc);
			out->v[out->nr++] = b;
		} else {
			free(b.run);
			free(b.state);
		}
	}
	pm_strv_release(&names);
	if (ret)
		pm_stale_branches_release(out);
	return ret;
}

enum pm_err pm_housekeep_prune(struct pm_state *st, struct pm_store *data,
			       int days, struct pm_housekeeping *hk,
			       struct pm_strv *deleted, struct pm_buf *err)
{
	struct pm_stale_branches stale = { 0 };
	long long cut = (long long)pm_state_now_ms() - (long long)days * 86400000;
	size_t runs = 0, logs = 0, i;
	enum pm_err ret;

	/* the branches first: a pruned run's branch would look "gone" */
	ret = data ? pm_housekeep_stale_branches(st, data, &stale, err) : PM_OK;
	for (i = 0; !ret && i < stale.nr; i++) {
		const struct pm_stale_branch *b = &stale.v[i];

		long long at = b->ended_ms;

		if (!strcmp(b->state, "gone")) {
			/* no run to go by: the branch's last commit */
			struct pm_commit_list l = { 0 };

			at = LLONG_MAX;
			if (!pm_store_log(data, b->branch, 1, &l, NULL) && l.nr)
				at = (long long)l.c[0].time * 1000;
			pm_commit_list_release(&l);
		}
		if (at >= cut)
			continue;
		ret = pm_store_branch_delete(data, b->branch, err);
		if (ret)
			break;
		hk->branches++;
		if (deleted)
			pm_strv_push(deleted, b->branch);
	}
	pm_stale_branches_release(&stale);
	if (!ret)
		ret = pm_state_prune(st, days, &runs, &logs, err);
	hk->runs += runs;
	hk->logs += logs;
	return ret;
}

enum pm_err pm_housekeep_pass(struct pm_state *st, const struct pm_home *h,
			      struct pm_hk_clock *c, double now,
			      struct pm_buf *err)
{
	struct pm_housekeeping hk = { 0 };
	enum pm_err ret = PM_OK, e;
	size_t runs, logs;

	if (!c->prune_s || now - c->last_prune >= c->prune_s) {
		/* retention, on by default, cheap with its index */
		c->last_prune = now;
		ret = pm_state_prune(st, pm_state_retention_days(st), &runs, &logs, err);
	}
	if (!c->sweep_s || now - c->last_sweep >= c->sweep_s) {
		c->last_sweep = now;
		e = pm_housekeep_sweep(st, h, &hk, ret ? NULL : err);
		ret = ret ? ret : e;
	}
	return ret;
}

void pm_stale_branch_json(struct pm_buf *b, const struct pm_stale_branch *s)
{
	pm_buf_addstr(b, "{\"branch\": ");
	pm_buf_add_json_str(b, s->branch, strlen(s->branch));
	pm_buf_addstr(b, ", \"run\": ");
	pm_buf_add_json_str(b, s->run, strlen(s->run));
	pm_buf_addf(b, ", \"state\": \"%s\", \"ended_ms\": %lld}", s->state,
		    s->ended_ms);
}
