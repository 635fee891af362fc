/*
 * The ingest-clean flow and backfill: fetch, land the raw bytes, parse,
 * validate, clean, write the day files on a branch etl-<run>, commit,
 * and merge into main only when the quality gate passes. Each task logs
 * one JSON line through the caller's event hook.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/contract.h"
#include "pm25/csvsrc.h"
#include "pm25/strmap.h"
#include "pm25/eda.h"
#include "pm25/fsutil.h"
#include "pm25/model.h"
#include "pm25/pause.h"
#include "pm25/pipeline.h"
#include "pm25/source.h"
#include "pm25/strv.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "pm25/upsert.h"
#include "pm25/version.h"

struct run {
	const struct pm_flow_opts *o;
	struct pm_store *data;
	struct pm_flow_result *r;
	const struct pm_source *src;
	const char *flow;
	struct pm_contract contract;
	struct pm_source_req req;
	struct pm_strv stations;
	struct pm_buf scratch; /* tmp_dir/<run> */
	struct pm_strv seen;   /* stations that sent rows */
	int64_t started;
	int raw_per_day; /* backfill: raw is landed once per day folder */
};

/* ------------------------------------------------------------ events */

static double now_ms(void)
{
	return pm_mono_s() * 1e3;
}

/* Log one task's state; extra is more "key": value pairs, or NULL. */
static void event(struct run *ru, const char *task, const char *state,
		  double t0, const char *extra)
{
	struct pm_buf b = PM_BUF_INIT;
	char ts[32];

	if (ru->o->task_clock && strcmp(state, "Retrying"))
		ru->o->task_clock(ru->o->ctx, NULL, 0); /* it ended */
	if (!ru->o->event)
		return;
	pm_time_format((int64_t)time(NULL), ts);
	pm_buf_addf(&b, "{\"ts\": \"%s\", \"level\": \"%s\", \"run\": \"%s\", "
			"\"flow\": \"%s\", \"task\": \"%s\", \"state\": \"%s\"",
		    ts,
		    !strcmp(state, "Failed")   ? "error" :
		    !strcmp(state, "Retrying") ? "warn" :
						 "info",
		    ru->r->run,
		    ru->flow, task, state);
	if (t0 >= 0)
		pm_buf_addf(&b, ", \"duration_ms\": %.1f", now_ms() - t0);
	if (extra && *extra)
		pm_buf_addf(&b, ", %s", extra);
	pm_buf_addch(&b, '}');
	ru->o->event(ru->o->ctx, b.buf);
	pm_buf_release(&b);
}

/* ------------------------------------------------------------ tasks */

static const char *const task_names[PM_FLOW_NTASKS] = {
	"health_check", "fetch", "land_raw", "parse",
	"validate",	"clean", "publish",  "gate",
};

void pm_task_policies_init(struct pm_task_policy p[PM_FLOW_NTASKS])
{
	int i;

	for (i = 0; i < PM_FLOW_NTASKS; i++) {
		memset(&p[i], 0, sizeof(p[i]));
		p[i].task = task_names[i];
		p[i].retry_delay_s = 2;
	}
}

enum pm_err pm_task_policy_set(struct pm_task_policy p[PM_FLOW_NTASKS],
			       const char *key, const char *value,
			       struct pm_buf *err)
{
	const char *dot = strchr(key, '.'), *opt;
	char *end;
	double v;
	int i;

	if (!dot)
		return PM_ERR_NOTFOUND;
	opt = dot + 1;
	for (i = 0; i < PM_FLOW_NTASKS; i++)
		if (strlen(task_names[i]) == (size_t)(dot - key) &&
		    !strncmp(key, task_names[i], (size_t)(dot - key)))
			break;
	if (i == PM_FLOW_NTASKS)
		return pm_errf(err, PM_ERR_USAGE,
			       "%s: no task '%.*s' (tasks: health_check, fetch, "
			       "land_raw, parse, validate, clean, publish, gate)",
			       key, (int)(dot - key), key);
	if (!strcmp(opt, "retry_on")) {
		if (strcmp(value, "transient") && strcmp(value, "any"))
			return pm_errf(err, PM_ERR_USAGE,
				       "%s: transient or any, not '%s'", key,
				       value);
		p[i].retry_any = !strcmp(value, "any");
		return PM_OK;
	}
	v = strtod(value, &end);
	if (end == value || *end || !(v >= 0) || v > 1e6)
		return pm_errf(err, PM_ERR_USAGE,
			       "%s: not a number of 0 or more: '%s'", key, value);
	if (!strcmp(opt, "retries") && v == (int)v && v <= 100)
		p[i].retries = (int)v;
	else if (!strcmp(opt, "retry_delay_s"))
		p[i].retry_delay_s = v;
	else if (!strcmp(opt, "timeout_s"))
		p[i].timeout_s = v;
	else
		return pm_errf(err, PM_ERR_USAGE,
			       "%s: options are retries (0-100), retry_delay_s, "
			       "retry_on and timeout_s",
			       key);
	return PM_OK;
}

static const struct pm_task_policy *policy(const struct run *ru,
					   const char *task)
{
	int i;

	for (i = 0; ru->o->tasks && i < PM_FLOW_NTASKS; i++)
		if (!strcmp(ru->o->tasks[i].task, task))
			return &ru->o->tasks[i];
	return NULL;
}

/* A task begins: tell the clock, with its limit if any; now, in ms. */
static double task_start(struct run *ru, const char *task)
{
	const struct pm_task_policy *p = policy(ru, task);

	if (ru->o->task_clock)
		ru->o->task_clock(ru->o->ctx, task,
				  p && p->timeout_s > 0 ? p->timeout_s : 0);
	return now_ms();
}

/*
 * After attempt *attempt of task failed with ret: whether to try again.
 * Transient failures (a peer unreachable or too slow) are retried, or
 * every failure with retry_on=any, up to the task's retries, after a
 * delay that doubles each time, capped at 5 minutes, +-20%.
 */
static int task_retry(struct run *ru, const char *task, enum pm_err ret,
		      int *attempt, struct pm_buf *err)
{
	const struct pm_task_policy *p = policy(ru, task);
	struct pm_buf extra = PM_BUF_INIT;
	double d;

	if (!ret || !p || *attempt > p->retries ||
	    (!p->retry_any && ret != PM_ERR_NET && ret != PM_ERR_TIMEOUT))
		return 0;
	d = pm_backoff_s(p->retry_delay_s, *attempt, 300);
	pm_buf_addf(&extra, "\"attempt\": %d, \"of\": %d, \"delay_s\": %.1f, "
			    "\"error\": ",
		    *attempt, p->retries + 1, d);
	pm_buf_add_json_str(&extra, err->buf ? err->buf : "",
			    err->buf ? err->len : 0);
	event(ru, task, "Retrying", -1, extra.buf);
	pm_buf_release(&extra);
	if (d > 0)
		usleep((useconds_t)(d * 1e6));
	(*attempt)++;
	return 1;
}

/* ------------------------------------------------------------ helpers */

/*
 * A run id for time t: 2026-11-26T04:20:00Z gives 20261126T042000Z-1a2b,
 * the suffix telling apart runs that start in the same second.
 */
static void run_id(int64_t t, char *out, size_t size)
{
	unsigned rnd = (unsigned)getpid() * 2654435761u ^ (unsigned)now_ms();
	char iso[32];

	pm_time_format(t, iso);
	snprintf(out, size, "%.4s%.2s%.2sT%.2s%.2s%.2sZ-%04x", iso, iso + 5,
		 iso + 8, iso + 11, iso + 14, iso + 17, rnd & 0xffff);
}

static void make_run_id(struct run *ru)
{
	ru->started = ru->o->now == PM_TIME_NONE ? (int64_t)time(NULL) :
						   ru->o->now;
	if (ru->o->run_id)
		snprintf(ru->r->run, sizeof(ru->r->run), "%s", ru->o->run_id);
	else
		run_id(ru->started, ru->r->run, sizeof(ru->r->run));
}

void pm_flow_new_run_id(int64_t t, char *out, size_t size)
{
	run_id(t, out, size);
}

static const char *raw_ext(const char *source)
{
	return strcmp(source, "csv") ? "json" : "csv";
}

/*
 * 1 if a raw file of this source on main has exactly these bytes: in any
 * day folder for ingest-clean (a rerun lands nothing), in the day's own
 * folder for backfill (each day keeps what was fetched for it).
 */
static int raw_exists(struct run *ru, int64_t day, const char *data,
		      size_t len)
{
	struct pm_buf dir = PM_BUF_INIT;
	char *found = NULL;
	char date[16];

	pm_buf_addf(&dir, "raw/%s/", ru->src->name);
	if (ru->raw_per_day) {
		pm_date_format(day * 86400, date);
		pm_buf_addf(&dir, "date=%s/", date);
	}
	pm_store_find_same(ru->data, "main", dir.buf, data, len, &found, NULL);
	pm_buf_release(&dir);
	free(found);
	return found != NULL;
}

/* Merge the stations of t into stations/stations.csv on branch. */
static enum pm_err publish_stations(struct run *ru, const char *branch,
				    const struct pm_table *t, int *changed,
				    struct pm_buf *err)
{
	struct pm_buf old = PM_BUF_INIT, out = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	struct pm_table all;
	enum pm_err ret = PM_OK;
	size_t i;

	*changed = 0;
	if (!t->meta)
		return PM_OK;
	pm_table_init(&all);
	if (!pm_store_get(ru->data, branch, "stations/stations.csv", &old,
			  NULL) &&
	    old.len)
		pm_csv_to_table(old.buf, old.len, "stations.csv", &co, &all,
				NULL);
	for (i = 0; i < t->stations.nr && i < t->meta_alloc; i++) {
		const struct pm_station_meta *m = &t->meta[i];
		struct pm_station_meta *a;
		uint32_t s;

		if (!m->name_th && !m->name_en && isnan(m->lat))
			continue;
		s = pm_table_station(&all, t->stations.keys[i],
				     t->stations.lens[i]);
		a = pm_table_meta(&all, s);
#define TAKE(f)                                   \
	if (m->f) {                               \
		free(a->f);                       \
		a->f = pm_xstrdup(m->f);          \
	}
		TAKE(name_th);
		TAKE(name_en);
		TAKE(area_th);
		TAKE(area_en);
		TAKE(type);
#undef TAKE
		if (!isnan(m->lat))
			a->lat = m->lat;
		if (!isnan(m->lon))
			a->lon = m->lon;
	}
	pm_table_sort(&all, 1);
	pm_table_write_stations(&all, &out);
	if (out.len != old.len || memcmp(out.buf, old.buf, old.len)) {
		ret = pm_store_put(ru->data, branch, "stations/stations.csv",
				   out.buf, out.len, err);
		*changed = 1;
	}
	pm_table_release(&all);
	pm_buf_release(&old);
	pm_buf_release(&out);
	return ret;
}

/* Upsert every day file of dir into clean/hourly/ on branch. */
static enum pm_err publish_days(struct run *ru, const char *branch,
				const char *dir, size_t *changed,
				struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, fresh = PM_BUF_INIT,
		      old = PM_BUF_INIT, out = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	char **names = NULL;
	size_t n = 0, i;

	*changed = 0;
	if (!pm_is_dir(dir))
		return PM_OK;
	ret = pm_dir_list(dir, ".csv", &names, &n, err);
	for (i = 0; !ret && i < n; i++) {
		const char *base = strrchr(names[i], '/') + 1;
		int diff = 0;

		pm_buf_reset(&fresh);
		pm_buf_reset(&old);
		ret = pm_file_read(names[i], 1u << 30, &fresh, err);
		if (ret)
			break;
		pm_buf_setf(&path, "clean/hourly/%s", base);
		pm_store_get(ru->data, branch, path.buf, &old, NULL);
		ret = pm_csv_upsert(old.buf, old.len, fresh.buf, fresh.len,
				    &out, &diff, err);
		if (!ret && diff) {
			ret = pm_store_put(ru->data, branch, path.buf, out.buf,
					   out.len, err);
			(*changed)++;
		}
	}
	pm_strv_free(names);
	pm_buf_release(&path);
	pm_buf_release(&fresh);
	pm_buf_release(&old);
	pm_buf_release(&out);
	return ret;
}

/* ------------------------------------------------------------ a batch */

struct batch {
	struct pm_table *t;	/* filled by parse, or already */
	/* Parse the raw pages into t (NULL: t is already filled). */
	enum pm_err (*parse)(struct run *ru, const struct pm_fetched *f,
			     struct pm_table *t, struct pm_buf *err);
	const struct pm_fetched *f;
	const char *raw;	/* the raw bytes to land */
	const size_t *page_end; /* page boundaries in raw */
	size_t nr_pages;
	int64_t day;		/* date of raw/<source>/date=D/ */
	const char *branch;
};

static enum pm_err run_engine(struct run *ru, const char *in,
			      const char *out_dir,
			      struct pm_clean_report *rep, struct pm_buf *err)
{
	struct pm_clean_opts co = { 0 };
	struct pm_contract c = ru->contract;

	/*
	 * in is pm25's own CSV, made from rows already read under the
	 * contract's header and time rules: those are for source files.
	 */
	c.header = NULL;
	c.strict_time = 0;
	co.contract = &c;
	co.out_dir = out_dir;
	co.now = ru->o->now;
	return pm_clean_run(&co, &in, 1, rep, err);
}

/* Make the batch's branch from main and stage the raw pages on it. */
static enum pm_err land_raw(struct run *ru, const struct batch *b,
			    size_t *landed, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	char date[16], iso[32];
	size_t i, start = 0;
	enum pm_err ret;

	*landed = 0;
	ret = pm_store_branch_create(ru->data, b->branch, "main", err);
	pm_date_format(b->day * 86400, date);
	pm_time_format(ru->started, iso);
	for (i = 0; !ret && i < b->nr_pages; i++) {
		const char *p = b->raw + start;
		size_t len = b->page_end[i] - start;

		start = b->page_end[i];
		/* raw files are never rewritten, nor landed twice */
		if (raw_exists(ru, b->day, p, len))
			continue;
		pm_buf_setf(&path, "raw/%s/date=%s/%.2s%.2s%.2s-%s",
			    ru->src->name, date, iso + 11, iso + 14, iso + 17,
			    ru->r->run);
		if (b->nr_pages > 1)
			pm_buf_addf(&path, "-p%zu", i + 1);
		pm_buf_addf(&path, ".%s", raw_ext(ru->src->name));
		ret = pm_store_put(ru->data, b->branch, path.buf, p, len, err);
		(*landed)++;
	}
	pm_buf_release(&path);
	return ret;
}

/*
 * Stage the day files, stations and quality report on the branch and
 * commit; id stays "" when nothing changed.
 */
static enum pm_err publish(struct run *ru, const struct batch *b,
			   const char *clean_dir,
			   const struct pm_clean_report *rep, size_t landed,
			   const struct pm_kv *meta, size_t *days_changed,
			   char id[PM_ID_MAX], struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, quality = PM_BUF_INIT;
	int stations_changed = 0;
	enum pm_err ret;
	char date[16];

	pm_date_format(b->day * 86400, date);
	ret = publish_days(ru, b->branch, clean_dir, days_changed, err);
	if (!ret)
		ret = publish_stations(ru, b->branch, b->t, &stations_changed,
				       err);
	if (!ret && (landed || *days_changed || stations_changed)) {
		pm_clean_report_json(rep, &ru->contract, &quality);
		pm_buf_setf(&path, "quality/date=%s/%s.json", date,
			    ru->r->run);
		ret = pm_store_put(ru->data, b->branch, path.buf, quality.buf,
				   quality.len, err);
	}
	pm_pause_point("publish");
	pm_buf_setf(&path, "%s %s: %s, %zu day files", ru->flow, ru->r->run,
		    date, *days_changed);
	if (!ret)
		ret = pm_store_commit(ru->data, b->branch, path.buf, meta, 5,
				      id, err);
	pm_buf_release(&path);
	pm_buf_release(&quality);
	return ret;
}

void pm_flow_result_release(struct pm_flow_result *r)
{
	pm_strv_release(&r->stale);
}

static int seen(const struct pm_strv *l, const char *id, size_t n)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (strlen(l->v[i]) == n && !memcmp(l->v[i], id, n))
			return 1;
	return 0;
}

/* The stale entry of station id ("ID" or "ID (...)"), or stale.nr. */
static size_t stale_at(const struct pm_flow_result *r, const char *id,
		       size_t n)
{
	size_t i;

	for (i = 0; i < r->stale.nr; i++)
		if (!strncmp(r->stale.v[i], id, n) &&
		    (r->stale.v[i][n] == '\0' || r->stale.v[i][n] == ' '))
			break;
	return i;
}

/* Add (or replace) the stale entry of station id. */
static void set_stale(struct pm_flow_result *r, const char *id, size_t n,
		      const char *text)
{
	size_t i = stale_at(r, id, n);

	if (i == r->stale.nr) {
		pm_strv_push(&r->stale, text);
		return;
	}
	free(r->stale.v[i]);
	r->stale.v[i] = pm_xstrdup(text);
}

/* Drop the stale entry of station id, if any (it has fresh data now). */
static void clear_stale(struct pm_flow_result *r, const char *id, size_t n)
{
	size_t i = stale_at(r, id, n);

	if (i < r->stale.nr) {
		free(r->stale.v[i]);
		r->stale.v[i] = r->stale.v[--r->stale.nr];
	}
}

/*
 * Per station of batch t: whether its newest row is older than the
 * contract's freshness limit (at the run's clock). A station asked for
 * that sent no row at all in the run is stale too (see run_finish).
 */
static void note_stale(struct run *ru, const struct pm_table *t)
{
	int64_t max_age = 0, now;
	size_t i, k, nst = t->stations.nr;
	int64_t *newest;

	for (i = 0; i < ru->contract.nr_rules; i++)
		if (ru->contract.rules[i].kind == PM_RULE_FRESHNESS)
			max_age = ru->contract.rules[i].max_age;
	for (k = 0; k < nst; k++)
		if (!seen(&ru->seen, t->stations.keys[k], t->stations.lens[k]))
			pm_strv_pushn(&ru->seen, t->stations.keys[k],
				      t->stations.lens[k]);
	/* a backfill reads the past: old rows are what it asked for */
	if (!max_age || !nst || ru->raw_per_day)
		return;
	now = ru->o->now == PM_TIME_NONE ? (int64_t)time(NULL) : ru->o->now;
	newest = pm_xmalloc(nst * sizeof(*newest));
	for (k = 0; k < nst; k++)
		newest[k] = PM_TIME_NONE;
	for (i = 0; i < t->nr; i++) {
		uint32_t s = t->station[i];

		if (s < nst && t->time[i] != PM_TIME_NONE &&
		    (newest[s] == PM_TIME_NONE || t->time[i] > newest[s]))
			newest[s] = t->time[i];
	}
	for (k = 0; k < nst; k++) {
		const char *id = t->stations.keys[k];
		size_t n = t->stations.lens[k];
		struct pm_buf text = PM_BUF_INIT;
		char iso[32];

		if (newest[k] != PM_TIME_NONE && now - newest[k] <= max_age) {
			clear_stale(ru->r, id, n);
			continue;
		}
		if (newest[k] == PM_TIME_NONE)
			continue;
		pm_time_format(newest[k], iso);
		pm_buf_addf(&text, "%.*s (newest %s)", (int)n, id, iso);
		set_stale(ru->r, id, n, text.buf);
		pm_buf_release(&text);
	}
	free(newest);
}

#define PUBLISH_TRIES 8

/*
 * One batch through the tasks after fetch: land raw on a branch, parse,
 * validate, clean, publish, and merge into main when the gate passes. A
 * merge that conflicts with a run that published meanwhile is done again
 * on top of the new main. *gate_failed is set when the gate refused.
 */
static enum pm_err batch(struct run *ru, const struct batch *b,
			 int *gate_failed, struct pm_buf *err)
{
	struct pm_clean_report rep;
	struct pm_buf in = PM_BUF_INIT, csv = PM_BUF_INIT, out_dir = PM_BUF_INIT,
		      extra = PM_BUF_INIT, msg = PM_BUF_INIT;
	struct pm_kv meta[5];
	char score[32], id[PM_ID_MAX];
	size_t days_changed = 0, landed = 0;
	int branch_made = 0, tries;
	enum pm_err ret;
	double t0;

	memset(&rep, 0, sizeof(rep));
	*gate_failed = 0;
	ru->r->batches++;

	/* land raw */
	t0 = task_start(ru, "land_raw");
	ret = land_raw(ru, b, &landed, err);
	branch_made = ret != PM_ERR_CONFLICT;
	pm_buf_addf(&extra, "\"branch\": \"%s\", \"files\": %zu, "
			    "\"unchanged\": %zu",
		    b->branch, landed, b->nr_pages - landed);
	event(ru, "land_raw", ret ? "Failed" : "Completed", t0, extra.buf);
	if (ret)
		goto out;

	/* parse */
	if (b->parse) {
		t0 = task_start(ru, "parse");
		ret = b->parse(ru, b->f, b->t, err);
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"rows\": %zu", b->t->nr);
		event(ru, "parse", ret ? "Failed" : "Completed", t0, extra.buf);
		if (ret)
			goto out;
	}
	note_stale(ru, b->t);
	if (!b->t->nr) {
		/* no data is not bad data: nothing to check or publish */
		ru->r->no_data++;
		t0 = task_start(ru, "validate");
		event(ru, "validate", "Completed", t0,
		      "\"rows\": 0, \"no_data\": true");
		goto out;
	}

	/*
	 * validate and clean: one pass of the engine checks the rows and
	 * writes the day files; the two tasks report from its result.
	 */
	t0 = task_start(ru, "validate");
	pm_buf_addf(&in, "%s/in.csv", ru->scratch.buf);
	pm_buf_addf(&out_dir, "%s/clean", ru->scratch.buf);
	pm_remove_tree(out_dir.buf);
	pm_table_write_csv(b->t, &csv);
	ret = pm_file_write_atomic(in.buf, csv.buf, csv.len, err);
	if (!ret)
		ret = run_engine(ru, in.buf, out_dir.buf, &rep, err);
	if (ret) {
		event(ru, "validate", "Failed", t0, NULL);
		goto out;
	}
	pm_buf_reset(&extra);
	pm_buf_addf(&extra, "\"rows\": %zu, \"accepted\": %zu, \"score\": ",
		    rep.input_rows, rep.accepted);
	pm_buf_add_json_num(&extra, rep.score);
	pm_buf_addf(&extra, ", \"passed\": %s", rep.passed ? "true" : "false");
	event(ru, "validate", "Completed", t0, extra.buf);
	t0 = task_start(ru, "clean");
	ru->r->input_rows += rep.input_rows;
	ru->r->accepted_rows += rep.accepted;
	ru->r->output_rows += rep.out_rows;
	/* the run's score, over every batch so far */
	ru->r->score = ru->r->input_rows ? (double)ru->r->accepted_rows /
						   (double)ru->r->input_rows :
					   0;
	pm_buf_reset(&extra);
	pm_buf_addf(&extra, "\"output_rows\": %zu, \"files\": %zu",
		    rep.out_rows, rep.out_files);
	event(ru, "clean", "Completed", t0, extra.buf);

	snprintf(score, sizeof(score), "%.6f", rep.score);
	meta[0].key = "run";
	meta[0].value = ru->r->run;
	meta[1].key = "flow";
	meta[1].value = ru->flow;
	meta[2].key = "pm25-version";
	meta[2].value = PM25_VERSION;
	meta[3].key = "source";
	meta[3].value = ru->src->name;
	meta[4].key = "score";
	meta[4].value = score;
	for (tries = 1;; tries++) {
		/* publish */
		t0 = task_start(ru, "publish");
		ret = publish(ru, b, out_dir.buf, &rep, landed, meta,
			      &days_changed, id, err);
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"branch\": \"%s\", \"commit\": \"%s\", "
				    "\"day_files\": %zu",
			    b->branch, ret ? "" : id, days_changed);
		event(ru, "publish", ret ? "Failed" : "Completed", t0,
		      extra.buf);
		if (ret)
			goto out;

		/* gate */
		t0 = task_start(ru, "gate");
		if (!id[0]) {
			ru->r->unchanged++;
			event(ru, "gate", "Completed", t0,
			      "\"merged\": false, \"reason\": \"nothing new\"");
			goto out;
		}
		if (!rep.passed) {
			*gate_failed = 1;
			ru->r->failed++;
			branch_made = 0; /* kept for pm25 data diff */
			if (b->branch != ru->r->branch)
				snprintf(ru->r->branch, sizeof(ru->r->branch),
					 "%s", b->branch);
			pm_buf_reset(&extra);
			pm_buf_addf(&extra,
				    "\"message\": \"Validation failed: score "
				    "%.6f below gate %.2f\", \"branch\": \"%s\"",
				    rep.score, ru->contract.gate, b->branch);
			event(ru, "gate", "Failed", t0, extra.buf);
			goto out;
		}
		pm_buf_setf(&msg, "Merge %s into main", b->branch);
		pm_pause_point("merge");
		ret = pm_store_merge(ru->data, b->branch, "main", msg.buf,
				     meta, 5, id, err);
		if (ret != PM_ERR_CONFLICT || tries == PUBLISH_TRIES)
			break;
		/* another run published the same day files: do it again
		 * on top of what is on main now */
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"retry\": %d", tries);
		event(ru, "gate", "Retrying", t0, extra.buf);
		pm_store_branch_delete(ru->data, b->branch, NULL);
		ret = land_raw(ru, b, &landed, err);
		if (ret)
			goto out;
	}
	if (ret) {
		event(ru, "gate", "Failed", t0, NULL);
		branch_made = 0;
		goto out;
	}
	ru->r->published++;
	pm_buf_reset(&extra);
	pm_buf_addf(&extra, "\"merged\": true, \"main\": \"%s\"", id);
	event(ru, "gate", "Completed", t0, extra.buf);
out:
	if (branch_made)
		pm_store_branch_delete(ru->data, b->branch, NULL);
	pm_clean_report_release(&rep);
	pm_buf_release(&in);
	pm_buf_release(&csv);
	pm_buf_release(&out_dir);
	pm_buf_release(&extra);
	pm_buf_release(&msg);
	return ret;
}

/* ------------------------------------------------------------ setup */

static enum pm_err run_start(struct run *ru, struct pm_store *data,
			     const struct pm_flow_opts *o,
			     struct pm_flow_result *r, const char *flow,
			     struct pm_buf *err)
{
	enum pm_err ret = PM_OK;
	double t0;

	memset(ru, 0, sizeof(*ru));
	memset(r, 0, sizeof(*r));
	ru->o = o;
	ru->data = data;
	ru->r = r;
	ru->flow = flow;
	r->passed = 1;
	pm_buf_init(&ru->scratch);
	pm_contract_init(&ru->contract);
	make_run_id(ru);
	t0 = now_ms();
	ru->src = pm_source_find(o->source ? o->source : "csv");
	if (!ru->src)
		ret = pm_errf(err, PM_ERR_USAGE, "unknown source '%s'",
			      o->source);
	if (!ret && o->contract)
		ret = pm_contract_load(&ru->contract, o->contract, err);
	else if (!ret)
		pm_contract_default(&ru->contract);
	if (!ret) {
		pm_buf_addf(&ru->scratch, "%s/%s", o->tmp_dir, r->run);
		ret = pm_mkdir_p(ru->scratch.buf, err);
	}
	if (!ret && o->file && access(o->file, R_OK))
		ret = pm_errf(err, PM_ERR_NOTFOUND, "%s: %s", o->file,
			      strerror(errno));
	if (!ret && o->input && access(o->input, R_OK))
		ret = pm_errf(err, PM_ERR_NOTFOUND, "%s: %s", o->input,
			      strerror(errno));
	if (!ret) {
		char id[PM_ID_MAX];
		int attempt = 1;

		/* the store answers */
		do {
			t0 = task_start(ru, "health_check");
			ret = pm_store_resolve(data, "main", id, err);
		} while (task_retry(ru, "health_check", ret, &attempt, err));
	}
	event(ru, "health_check", ret ? "Failed" : "Completed", t0, NULL);
	if (ret)
		return ret;
	if (o->stations) {
		const char *p = o->stations;

		while (*p) {
			size_t n = strcspn(p, ",");

			if (n)
				pm_strv_pushn(&ru->stations, p, n);
			p += n + (p[n] == ',');
		}
	}
	ru->req.file = o->file;
	ru->req.url = o->url;
	ru->req.stations = (const char *const *)ru->stations.v;
	ru->req.nr_stations = ru->stations.nr;
	ru->req.station = ru->stations.nr ? ru->stations.v[0] : NULL;
	ru->req.from_day = o->from_day;
	ru->req.to_day = o->to_day;
	ru->req.hour_label = o->hour_label;
	ru->req.missing = &ru->contract.missing;
	ru->req.zero_missing = ru->contract.zero_missing;
	snprintf(r->branch, sizeof(r->branch), "etl-%s", r->run);
	return PM_OK;
}

static void run_finish(struct run *ru)
{
	size_t i;

	/* stations asked for by name that sent nothing at all */
	for (i = 0; !ru->raw_per_day && i < ru->stations.nr; i++)
		if (strcmp(ru->stations.v[i], "all") &&
		    !seen(&ru->seen, ru->stations.v[i],
			  strlen(ru->stations.v[i]))) {
			struct pm_buf text = PM_BUF_INIT;

			pm_buf_addf(&text, "%s (no rows)", ru->stations.v[i]);
			set_stale(ru->r, ru->stations.v[i],
				  strlen(ru->stations.v[i]), text.buf);
			pm_buf_release(&text);
		}
	pm_strv_release(&ru->seen);
	pm_store_resolve(ru->data, "main", ru->r->main_commit, NULL);
	if (ru->scratch.len)
		pm_remove_tree(ru->scratch.buf);
	pm_buf_release(&ru->scratch);
	pm_contract_release(&ru->contract);
	pm_strv_release(&ru->stations);
}

/* The local date raw data lands under: the run's, or the range's end. */
static int64_t fetch_day(const struct run *ru)
{
	if (ru->o->to_day != PM_TIME_NONE)
		return ru->o->to_day;
	return pm_floor_div(ru->started + PM_ICT_OFFSET, 86400);
}

static enum pm_err parse_pages(struct run *ru, const struct pm_fetched *f,
			       struct pm_table *t, struct pm_buf *err)
{
	return pm_source_parse(ru->src, &ru->req, f, t, err);
}

/* The fetch task under its policy; *t0 is when its last attempt began. */
static enum pm_err fetch(struct run *ru, struct pm_fetched *f, double *t0,
			 struct pm_buf *err)
{
	enum pm_err ret;
	int attempt = 1;

	do {
		pm_fetched_release(f);
		memset(f, 0, sizeof(*f));
		*t0 = task_start(ru, "fetch");
		ret = pm_source_fetch(ru->src, &ru->req, f, err);
	} while (task_retry(ru, "fetch", ret, &attempt, err));
	return ret;
}

/* ------------------------------------------------------------ flows */

enum pm_err pm_flow_ingest_clean(struct pm_store *data,
				 const struct pm_flow_opts *o,
				 struct pm_flow_result *r, struct pm_buf *err)
{
	struct run ru;
	struct pm_fetched f;
	struct pm_table t;
	struct pm_buf extra = PM_BUF_INIT;
	enum pm_err ret;
	double t0;
	int gate_failed = 0;

	memset(&f, 0, sizeof(f));
	pm_table_init(&t);
	ret = run_start(&ru, data, o, r, "ingest-clean", err);
	if (ret)
		goto out;
	ret = fetch(&ru, &f, &t0, err);
	pm_buf_addf(&extra, "\"source\": \"%s\", \"pages\": %zu, \"bytes\": %zu",
		    ru.src->name, f.nr_pages, f.len);
	event(&ru, "fetch", ret ? "Failed" : "Completed", t0, extra.buf);
	if (ret)
		goto out;
	{
		struct batch b = { &t, parse_pages, &f, f.data, f.page_end,
				   f.nr_pages, fetch_day(&ru), r->branch };

		ret = batch(&ru, &b, &gate_failed, err);
	}
	if (!ret && gate_failed) {
		r->passed = 0;
		ret = pm_errf(err, PM_ERR_GATE,
			      "Validation failed: score %.6f below gate %.2f; "
			      "main unchanged, see pm25 data diff main %s",
			      r->score, ru.contract.gate, r->branch);
	}
out:
	if (ru.flow)
		run_finish(&ru);
	pm_fetched_release(&f);
	pm_table_release(&t);
	pm_buf_release(&extra);
	return ret;
}

/* Rows of t whose label falls on local day, into out. */
/*
 * The rows of t by local day, in file order within a day: rows of day
 * first + k are row[start[k] .. start[k + 1]). Rows without a time are
 * left out.
 */
struct day_index {
	int64_t first;
	size_t days;
	size_t *start; /* owned, days + 1 */
	size_t *row;   /* owned */
};

static void day_index_build(struct day_index *x, const struct pm_table *t,
			    int64_t first, int64_t last)
{
	int64_t *day = pm_xcalloc(t->nr + 1, sizeof(*day));
	size_t i, k;

	x->first = first;
	x->days = (size_t)(last - first + 1);
	x->start = pm_xcalloc(x->days + 2, sizeof(*x->start));
	x->row = pm_xcalloc(t->nr + 1, sizeof(*x->row));
	for (i = 0; i < t->nr; i++) {
		day[i] = t->time[i] == PM_TIME_NONE ?
				 -1 :
				 pm_floor_div(t->time[i] + PM_ICT_OFFSET,
					      86400) - first;
		if (day[i] >= 0 && (size_t)day[i] < x->days)
			x->start[day[i] + 2]++;
		else
			day[i] = -1;
	}
	for (k = 2; k <= x->days + 1; k++)
		x->start[k] += x->start[k - 1];
	for (i = 0; i < t->nr; i++)
		if (day[i] >= 0)
			x->row[x->start[day[i] + 1]++] = i;
	free(day);
}

static void day_index_release(struct day_index *x)
{
	free(x->start);
	free(x->row);
	memset(x, 0, sizeof(*x));
}

static void day_slice(const struct pm_table *t, const struct day_index *x,
		      int64_t day, struct pm_table *out)
{
	size_t k = (size_t)(day - x->first), j;
	int c;

	for (j = x->start[k]; j < x->start[k + 1]; j++) {
		size_t i = x->row[j], r;
		uint32_t s;

		s = pm_table_station(out, t->stations.keys[t->station[i]],
				     t->stations.lens[t->station[i]]);
		r = pm_table_add(out, s, t->time[i], t->line[i]);
		for (c = 0; c < PM_NCOLS; c++)
			out->col[c][r] = t->col[c][i];
		out->flags[r] = t->flags[i];
	}
}

static enum pm_err read_input(struct run *ru, struct pm_table *all,
			      struct pm_buf *err)
{
	struct pm_csv_opts co = { 0 };
	struct pm_buf data = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	char **names = NULL;
	size_t n = 0, i;

	pm_clean_csv_opts(&ru->contract, &co);
	co.station = ru->req.station;
	if (pm_is_dir(ru->o->input)) {
		ret = pm_dir_list(ru->o->input, ".csv", &names, &n, err);
		if (!ret && !n)
			ret = pm_errf(err, PM_ERR_NOTFOUND, "%s: no *.csv files",
				      ru->o->input);
	} else {
		names = pm_xcalloc(2, sizeof(*names));
		names[0] = pm_xstrdup(ru->o->input);
		n = 1;
	}
	for (i = 0; !ret && i < n; i++) {
		pm_buf_reset(&data);
		ret = pm_file_read(names[i], 1u << 30, &data, err);
		if (!ret)
			ret = pm_csv_to_table(data.buf, data.len, names[i], &co,
					      all, err);
	}
	pm_strv_free(names);
	pm_buf_release(&data);
	return ret;
}

enum pm_err pm_flow_backfill(struct pm_store *data,
			     const struct pm_flow_opts *o,
			     struct pm_flow_result *r, struct pm_buf *err)
{
	struct pm_table all;
	struct day_index idx = { 0 };
	struct pm_buf extra = PM_BUF_INIT, dir = PM_BUF_INIT,
		      branch = PM_BUF_INIT;
	struct pm_fetched whole;
	struct run ru;
	enum pm_err ret;
	int64_t first, last, day;
	size_t i, total, done = 0, no_time = 0;
	int replay = !o->input && (o->file || o->url);
	double t0;

	memset(&whole, 0, sizeof(whole));
	pm_table_init(&all);
	ret = run_start(&ru, data, o, r, "backfill", err);
	if (ret)
		goto out;
	ru.raw_per_day = 1;
	first = o->from_day;
	last = o->to_day;
	if (o->input) {
		t0 = task_start(&ru, "parse");
		ret = read_input(&ru, &all, err);
		for (i = 0; !ret && i < all.nr; i++) {
			if (all.time[i] == PM_TIME_NONE) {
				no_time++;
				continue;
			}
			day = pm_floor_div(all.time[i] + PM_ICT_OFFSET, 86400);
			if (first == PM_TIME_NONE || day < first)
				first = o->from_day == PM_TIME_NONE ? day :
								      first;
			if (last == PM_TIME_NONE || day > last)
				last = o->to_day == PM_TIME_NONE ? day : last;
		}
		pm_buf_addf(&extra, "\"rows\": %zu, \"without_time\": %zu",
			    all.nr, no_time);
		event(&ru, "parse", ret ? "Failed" : "Completed", t0,
		      extra.buf);
		if (ret)
			goto out;
	}
	if (first == PM_TIME_NONE || last == PM_TIME_NONE || first > last) {
		ret = pm_errf(err, PM_ERR_USAGE,
			      "backfill needs --from and --to, or --input "
			      "with dated rows");
		goto out;
	}
	total = (size_t)(last - first + 1);
	if (replay) {
		/*
		 * A recording, or a URL given as such, holds every day at
		 * once: read and parse it once, then take each day's rows
		 * from it, so that the days without any cost nothing. Only
		 * the source's own API is asked day by day.
		 */
		ru.req.from_day = first;
		ru.req.to_day = last;
		ret = fetch(&ru, &whole, &t0, err);
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"bytes\": %zu", whole.len);
		event(&ru, "fetch", ret ? "Failed" : "Completed", t0,
		      extra.buf);
		if (!ret) {
			t0 = task_start(&ru, "parse");
			ret = parse_pages(&ru, &whole, &all, err);
			pm_buf_reset(&extra);
			pm_buf_addf(&extra, "\"rows\": %zu", all.nr);
			event(&ru, "parse", ret ? "Failed" : "Completed", t0,
			      extra.buf);
		}
		if (ret)
			goto out;
	}
	if (o->input || replay)
		day_index_build(&idx, &all, first, last);
	for (day = first; day <= last; day++, done++) {
		struct pm_fetched f;
		struct pm_table t;
		struct pm_buf raw = PM_BUF_INIT;
		char date[16], compact[16];
		int gate_failed = 0;

		pm_date_format(day * 86400, date);
		if (o->progress)
			o->progress(o->ctx, done, total, date);
		pm_buf_setf(&dir, "raw/%s/date=%s/", ru.src->name, date);
		if (!o->force) {
			struct pm_strv l = PM_STRV_INIT;

			pm_store_list(data, "main", dir.buf, &l, NULL);
			if (l.nr) {
				r->skipped++;
				pm_strv_release(&l);
				continue;
			}
		}
		memset(&f, 0, sizeof(f));
		pm_table_init(&t);
		t0 = now_ms();
		if (o->input || replay) {
			day_slice(&all, &idx, day, &t);
			if (!t.nr) {
				r->no_data += replay;
				pm_table_release(&t);
				continue;
			}
			if (replay) {
				/* the recording is the raw record */
				pm_buf_add(&raw, whole.data, whole.len);
				f.page_end = pm_xmalloc(whole.nr_pages *
							sizeof(*f.page_end));
				memcpy(f.page_end, whole.page_end,
				       whole.nr_pages * sizeof(*f.page_end));
				f.nr_pages = whole.nr_pages;
			} else {
				/* the day's rows as read are its raw record */
				pm_table_write_csv(&t, &raw);
				f.page_end = pm_xmalloc(sizeof(*f.page_end));
				f.page_end[0] = raw.len;
				f.nr_pages = 1;
			}
			f.data = pm_buf_detach(&raw, &f.len);
		} else {
			ru.req.from_day = ru.req.to_day = day;
			ret = fetch(&ru, &f, &t0, err);
			pm_buf_reset(&extra);
			pm_buf_addf(&extra, "\"day\": \"%s\", \"bytes\": %zu",
				    date, f.len);
			event(&ru, "fetch", ret ? "Failed" : "Completed", t0,
			      extra.buf);
		}
		if (!ret && (t.nr || !(o->input || replay))) {
			struct batch b;

			snprintf(compact, sizeof(compact), "%.4s%.2s%.2s", date,
				 date + 5, date + 8);
			pm_buf_setf(&branch, "etl-%s-%s", r->run, compact);
			b.t = &t;
			b.parse = o->input || replay ? NULL : parse_pages;
			b.f = &f;
			b.raw = f.data;
			b.page_end = f.page_end;
			b.nr_pages = f.nr_pages;
			b.day = day;
			b.branch = branch.buf;
			ret = batch(&ru, &b, &gate_failed, err);
			if (gate_failed)
				r->passed = 0;
		}
		pm_fetched_release(&f);
		pm_table_release(&t);
		pm_buf_release(&raw);
		if (ret)
			goto out;
	}
	if (o->progress)
		o->progress(o->ctx, total, total, NULL);
	if (!r->passed)
		ret = pm_errf(err, PM_ERR_GATE,
			      "Validation failed on %zu of %zu days; their "
			      "branches are kept (pm25 data branches)",
			      r->failed, r->batches);
out:
	if (ru.flow)
		run_finish(&ru);
	day_index_release(&idx);
	pm_table_release(&all);
	pm_fetched_release(&whole);
	pm_buf_release(&extra);
	pm_buf_release(&dir);
	pm_buf_release(&branch);
	return ret;
}

/* ------------------------------------------------------------ data out */

static int wanted_station(const char *list, const char *id, size_t len)
{
	const char *p = list;

	if (!list || !*list)
		return 1;
	while (*p) {
		size_t n = strcspn(p, ",");

		if (n == len && !memcmp(p, id, len))
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

enum pm_err pm_data_table(struct pm_store *data, const char *ref,
			  int64_t from_day, int64_t to_day,
			  const char *stations, struct pm_table *t,
			  char commit[PM_ID_MAX], struct pm_buf *err)
{
	struct pm_strv files = PM_STRV_INIT;
	struct pm_buf body = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	struct pm_table all;
	enum pm_err ret;
	size_t i;
	int c;

	pm_table_init(&all);
	co.time_flags = PM_TIME_NAIVE_UTC;
	ret = pm_store_resolve(data, ref, commit, err);
	if (!ret)
		ret = pm_store_list(data, commit, "clean/hourly/", &files, err);
	for (i = 0; !ret && i < files.nr; i++) {
		pm_buf_reset(&body);
		ret = pm_store_get(data, commit, files.v[i], &body, err);
		if (!ret)
			ret = pm_csv_to_table(body.buf, body.len, files.v[i], &co,
					      &all, err);
	}
	pm_buf_reset(&body);
	if (!ret && !pm_store_get(data, commit, "stations/stations.csv", &body,
				  NULL))
		pm_csv_to_table(body.buf, body.len, "stations.csv", &co, &all,
				NULL);
	if (ret)
		goto out;
	pm_table_sort(&all, 1);
	for (i = 0; i < all.nr; i++) {
		uint32_t sid = all.station[i], s;
		int64_t day;
		size_t r;

		if (all.time[i] == PM_TIME_NONE ||
		    !wanted_station(stations, all.stations.keys[sid],
				    all.stations.lens[sid]))
			continue;
		day = pm_floor_div(all.time[i] + PM_ICT_OFFSET, 86400);
		if ((from_day != PM_TIME_NONE && day < from_day) ||
		    (to_day != PM_TIME_NONE && day > to_day))
			continue;
		s = pm_table_station(t, all.stations.keys[sid],
				     all.stations.lens[sid]);
		if (sid < all.meta_alloc && all.meta) {
			struct pm_station_meta *m = pm_table_meta(t, s);

			if (!m->name_en && all.meta[sid].name_en)
				m->name_en = pm_xstrdup(all.meta[sid].name_en);
			if (!m->name_th && all.meta[sid].name_th)
				m->name_th = pm_xstrdup(all.meta[sid].name_th);
		}
		r = pm_table_add(t, s, all.time[i], all.line[i]);
		for (c = 0; c < PM_NCOLS; c++)
			t->col[c][r] = all.col[c][i];
		t->flags[r] = all.flags[i];
	}
	if (!t->nr)
		ret = pm_errf(err, PM_ERR_DATA,
			      "no clean data in %s for those stations and dates",
			      ref);
out:
	pm_table_release(&all);
	pm_strv_release(&files);
	pm_buf_release(&body);
	return ret;
}

/*
 * PM2.5 by station and hour, gathered straight from the day files: a
 * training read keeps 12 bytes a row, not a whole table.
 */
struct hourly {
	uint32_t *hour;
	double *v;
	double *w[PM_NWEATHER]; /* when the set keeps weather */
	size_t nr, alloc;
};

static const int weather_col[PM_NWEATHER] = { PM_COL_TEMP, PM_COL_RH,
					      PM_COL_WS };

struct gather {
	struct pm_strmap ids;
	struct hourly *st;
	size_t st_alloc;
	const char *stations;
	int64_t from_day, to_day;
	uint32_t last; /* the station of the previous row */
	int weather;
};

/* Whether id a sorts after id b, by bytes and then length. */
static int id_after(const struct pm_strmap *m, uint32_t a, uint32_t b)
{
	size_t la = m->lens[a], lb = m->lens[b];
	int c = memcmp(m->keys[a], m->keys[b], la < lb ? la : lb);

	return c > 0 || (c == 0 && la > lb);
}

static int gather_row(void *ctx, const struct pm_csv_row *row)
{
	struct gather *g = ctx;
	struct hourly *h;
	int64_t day;
	uint32_t k;
	int q;

	if (row->time == PM_TIME_NONE || !row->station.len)
		return 0;
	day = pm_floor_div(row->time + PM_ICT_OFFSET, 86400);
	if ((g->from_day != PM_TIME_NONE && day < g->from_day) ||
	    (g->to_day != PM_TIME_NONE && day > g->to_day))
		return 0;
	if (g->last < g->ids.nr && g->ids.lens[g->last] == row->station.len &&
	    !memcmp(g->ids.keys[g->last], row->station.ptr, row->station.len)) {
		k = g->last; /* rows come in runs of one station */
	} else {
		if (!wanted_station(g->stations, row->station.ptr,
				    row->station.len))
			return 0;
		k = g->last = pm_strmap_intern(&g->ids, row->station.ptr,
					       row->station.len);
	}
	if (k >= g->st_alloc) {
		size_t n = g->st_alloc ? 2 * g->st_alloc : 16;

		g->st = pm_xrealloc(g->st, n * sizeof(*g->st));
		memset(g->st + g->st_alloc, 0,
		       (n - g->st_alloc) * sizeof(*g->st));
		g->st_alloc = n;
	}
	h = &g->st[k];
	if (h->nr == h->alloc) {
		h->alloc = h->alloc ? 2 * h->alloc : 256;
		h->hour = pm_xrealloc(h->hour, h->alloc * sizeof(*h->hour));
		h->v = pm_xrealloc(h->v, h->alloc * sizeof(*h->v));
		for (q = 0; g->weather && q < PM_NWEATHER; q++)
			h->w[q] = pm_xrealloc(h->w[q],
					      h->alloc * sizeof(*h->w[q]));
	}
	for (q = 0; g->weather && q < PM_NWEATHER; q++)
		h->w[q][h->nr] = (row->present & (1u << weather_col[q])) ?
					 row->val[weather_col[q]].v :
					 NAN;
	h->hour[h->nr] = (uint32_t)pm_floor_div(row->time, 3600);
	h->v[h->nr++] = (row->present & (1u << PM_COL_PM25)) ?
				row->val[PM_COL_PM25].v :
				NAN;
	return 0;
}

enum pm_err pm_data_series(struct pm_store *data, const char *ref,
			   int64_t from_day, int64_t to_day,
			   const char *stations, struct pm_series_set *set,
			   char commit[PM_ID_MAX], struct pm_buf *err)
{
	struct pm_strv files = PM_STRV_INIT;
	struct pm_buf body = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	struct pm_csv_counts counts;
	struct gather g;
	uint32_t *order = NULL;
	enum pm_err ret;
	size_t i, k;

	memset(&g, 0, sizeof(g));
	pm_strmap_init(&g.ids);
	g.last = UINT32_MAX;
	g.weather = set->weather;
	g.stations = stations;
	g.from_day = from_day;
	g.to_day = to_day;
	co.time_flags = PM_TIME_NAIVE_UTC;
	ret = pm_store_resolve(data, ref, commit, err);
	if (!ret)
		ret = pm_store_list(data, commit, "clean/hourly/", &files, err);
	for (i = 0; !ret && i < files.nr; i++) {
		pm_buf_reset(&body);
		ret = pm_store_get(data, commit, files.v[i], &body, err);
		if (!ret)
			ret = pm_csv_read(body.buf, body.len, files.v[i], &co,
					  gather_row, &g, &counts, err);
	}
	/* stations in byte order, as the table sort gave them */
	order = pm_xcalloc(g.ids.nr + 1, sizeof(*order));
	for (i = 0; i < g.ids.nr; i++)
		order[i] = (uint32_t)i;
	for (i = 1; i < g.ids.nr; i++)
		for (k = i; k > 0 && id_after(&g.ids, order[k - 1], order[k]);
		     k--) {
			uint32_t tmp = order[k];

			order[k] = order[k - 1];
			order[k - 1] = tmp;
		}
	for (i = 0; !ret && i < g.ids.nr; i++) {
		const struct hourly *h = &g.st[order[i]];
		uint32_t first = UINT32_MAX, last = 0;
		double *p, *w[PM_NWEATHER] = { NULL };
		int q;

		for (k = 0; k < h->nr; k++) {
			first = h->hour[k] < first ? h->hour[k] : first;
			last = h->hour[k] > last ? h->hour[k] : last;
		}
		if (!h->nr)
			continue;
		p = pm_xmalloc((size_t)(last - first + 1) * sizeof(*p));
		for (k = 0; k <= last - first; k++)
			p[k] = NAN;
		for (k = 0; k < h->nr; k++) /* a later row of an hour wins */
			p[h->hour[k] - first] = h->v[k];
		for (q = 0; g.weather && q < PM_NWEATHER; q++) {
			w[q] = pm_xmalloc((size_t)(last - first + 1) *
					  sizeof(double));
			for (k = 0; k <= last - first; k++)
				w[q][k] = NAN;
			for (k = 0; k < h->nr; k++)
				w[q][h->hour[k] - first] = h->w[q][k];
		}
		pm_series_add(set, g.ids.keys[order[i]], g.ids.lens[order[i]],
			      first, (size_t)(last - first + 1), p,
			      (const double *const *)w);
		free(p);
		for (q = 0; q < PM_NWEATHER; q++)
			free(w[q]);
	}
	if (!ret && !set->nr)
		ret = pm_errf(err, PM_ERR_DATA,
			      "no clean PM2.5 data in %s for those stations "
			      "and dates",
			      ref);
	for (i = 0; i < g.st_alloc; i++) {
		int q;

		free(g.st[i].hour);
		free(g.st[i].v);
		for (q = 0; q < PM_NWEATHER; q++)
			free(g.st[i].w[q]);
	}
	free(g.st);
	free(order);
	pm_strmap_release(&g.ids);
	pm_strv_release(&files);
	pm_buf_release(&body);
	return ret;
}

enum pm_err pm_flow_eda(struct pm_store *data, int64_t from_day,
			int64_t to_day, const char *stations, int publish,
			struct pm_buf *html, char commit[PM_ID_MAX],
			struct pm_buf *err)
{
	struct pm_buf sub = PM_BUF_INIT, path = PM_BUF_INIT,
		      branch = PM_BUF_INIT;
	struct pm_kv meta[2];
	struct pm_table t;
	char id[PM_ID_MAX], date[16];
	enum pm_err ret;

	pm_table_init(&t);
	ret = pm_data_table(data, "main", from_day, to_day, stations, &t,
			    commit, err);
	if (ret)
		goto out;
	pm_buf_addf(&sub, "data commit %.12s", commit);
	pm_eda_html(&t, "PM2.5 exploratory report", sub.buf, html);
	if (!publish)
		goto out;
	pm_date_format((int64_t)time(NULL), date);
	pm_buf_addf(&path, "reports/eda/%s.html", date);
	pm_buf_addf(&branch, "eda-%ld-%ld", (long)time(NULL), (long)getpid());
	meta[0].key = "flow";
	meta[0].value = "eda";
	meta[1].key = "data-commit";
	meta[1].value = commit;
	ret = pm_store_branch_create(data, branch.buf, "main", err);
	if (!ret)
		ret = pm_store_put(data, branch.buf, path.buf, html->buf,
				   html->len, err);
	if (!ret)
		ret = pm_store_commit(data, branch.buf, "eda report", meta, 2,
				      id, err);
	if (!ret)
		ret = pm_store_merge(data, branch.buf, "main", "eda report",
				     meta, 2, id, err);
	pm_store_branch_delete(data, branch.buf, NULL);
out:
	pm_table_release(&t);
	pm_buf_release(&sub);
	pm_buf_release(&path);
	pm_buf_release(&branch);
	return ret;
}

/* ------------------------------------------------------------ train-model */

enum pm_err pm_flow_train(struct pm_store *data, struct pm_store *models,
			  int64_t from_day, int64_t to_day,
			  const char *stations, const struct pm_fit_opts *fo,
			  struct pm_train_result *r, struct pm_buf *err)
{
	struct pm_series_set set = { 0 };
	struct pm_buf art = PM_BUF_INIT, old = PM_BUF_INIT;
	char id[PM_ID_MAX], run[40], date[16], rmse[32];
	int64_t now = (int64_t)time(NULL);
	struct pm_kv meta[4];
	double b0, b[PM_MAX_FEATURES];
	int has_champion = 0, champ_nfeat = -1;
	struct pm_metrics mine;
	enum pm_err e;

	memset(r, 0, sizeof(*r));
	if (!pm_store_get(models, "main", PM_CHAMPION_PATH, &old, NULL))
		champ_nfeat = pm_model_read(old.buf, old.len, &b0, b, NULL);
	has_champion = champ_nfeat > 0;
	/* the champion's features may need the weather columns too */
	set.weather = (fo && fo->weather) || champ_nfeat > PM_NFEATURES;
	e = pm_data_series(data, "main", from_day, to_day, stations, &set,
			   r->data_commit, err);
	if (!e)
		e = pm_model_fit(&set, fo, &r->fit, err);
	if (e)
		goto out;
	r->stations = set.nr;
	run_id(now, run, sizeof(run));
	pm_date_format(now, date);
	pm_model_artefact(&art, &r->fit, &set, r->data_commit, run);
	mine = r->fit.model;
	if (has_champion) {
		struct pm_fit both = r->fit;

		/* both on the same rows: those with the features of both */
		pm_model_score(&set, &r->fit, b0, b, (size_t)champ_nfeat,
			       &r->champion);
		both.nfeat = (size_t)champ_nfeat;
		pm_model_score(&set, &both, r->fit.intercept, r->fit.coef,
			       r->fit.nfeat, &mine);
	}
	r->promoted = !has_champion || mine.rmse < r->champion.rmse;
	snprintf(r->branch, sizeof(r->branch), "train-%s", run);
	snprintf(r->path, sizeof(r->path), "models/linreg_pm25_%s.json", date);
	if (!has_champion)
		snprintf(r->reason, sizeof(r->reason), "no champion yet");
	else
		snprintf(r->reason, sizeof(r->reason),
			 "test RMSE %.4f %s the champion's %.4f on the same "
			 "hours",
			 mine.rmse,
			 r->promoted ? "beats" : "does not beat",
			 r->champion.rmse);
	snprintf(rmse, sizeof(rmse), "%.6f", r->fit.model.rmse);
	meta[0].key = "run";
	meta[0].value = run;
	meta[1].key = "data-commit";
	meta[1].value = r->data_commit;
	meta[2].key = "rmse";
	meta[2].value = rmse;
	meta[3].key = "pm25-version";
	meta[3].value = PM25_VERSION;
	e = pm_store_branch_create(models, r->branch, "main", err);
	if (!e)
		e = pm_store_put(models, r->branch, r->path, art.buf, art.len,
				 err);
	if (!e && r->promoted)
		e = pm_store_put(models, r->branch, PM_CHAMPION_PATH, art.buf, art.len,
				 err);
	if (!e)
		e = pm_store_commit(models, r->branch, "train-model", meta, 4,
				    id, err);
	if (!e && r->promoted) {
		e = pm_store_merge(models, r->branch, "main",
				   "Promote the new champion", meta, 4, id, err);
		if (!e)
			pm_store_branch_delete(models, r->branch, NULL);
	}
out:
	pm_series_release(&set);
	pm_buf_release(&art);
	pm_buf_release(&old);
	return e;
}
