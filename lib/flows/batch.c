/*
 * One batch of rows through write-audit-publish, shared by ingest-clean
 * and backfill: land the raw bytes on a branch etl-<run>, validate and
 * clean, write the day files, commit, and merge into main only when the
 * quality gate passes; and the set-up and end of a run around batches.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/csvsrc.h"
#include "pm25/fsutil.h"
#include "pm25/pause.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "pm25/upsert.h"
#include "pm25/version.h"
#include "flow-int.h"

static const char *raw_ext(const char *source)
{
	return strcmp(source, "csv") ? "json" : "csv";
}

void pm_flow_raw_found(struct run *ru, int64_t day, const char *raw,
		       const size_t *page_end, size_t nr_pages, int *found)
{
	struct pm_buf dir = PM_BUF_INIT;
	const char **data = pm_xcalloc(nr_pages + 1, sizeof(*data));
	size_t *len = pm_xcalloc(nr_pages + 1, sizeof(*len));
	size_t i, start = 0;
	char date[16];

	for (i = 0; i < nr_pages; i++) {
		data[i] = raw + start;
		len[i] = page_end[i] - start;
		start = page_end[i];
	}
	pm_buf_addf(&dir, "raw/%s/", ru->src->name);
	if (ru->raw_per_day) {
		pm_date_format(day * 86400, date);
		pm_buf_addf(&dir, "date=%s/", date);
	}
	if (pm_store_find_same_many(ru->data, "main", dir.buf,
				    (const char *const *)data, len, nr_pages,
				    found, NULL))
		memset(found, 0, nr_pages * sizeof(*found));
	pm_buf_release(&dir);
	free(data);
	free(len);
}

void pm_flow_raw_path(const struct run *ru, int64_t day, size_t i,
		      size_t nr_pages, const struct pm_fetched *f,
		      struct pm_buf *path)
{
	char date[16], iso[32];

	pm_date_format(day * 86400, date);
	pm_time_format(ru->started, iso);
	pm_buf_setf(path, "raw/%s/date=%s/%.2s%.2s%.2s-%s", ru->src->name, date,
		    iso + 11, iso + 14, iso + 17, ru->r->run);
	if (f && f->page_station)
		pm_buf_addf(path, "-%s", f->page_station[i]);
	else if (nr_pages > 1)
		pm_buf_addf(path, "-p%zu", i + 1);
	pm_buf_addf(path, ".%s", raw_ext(ru->src->name));
}

int pm_flow_stations_merge(const char *old, size_t old_len,
			   const struct pm_table *t, struct pm_buf *out)
{
	struct pm_csv_opts co = { 0 };
	struct pm_table all;

	pm_table_init(&all);
	pm_buf_reset(out);
	if (old_len)
		pm_csv_to_table(old, old_len, "stations.csv", &co, &all, NULL);
	pm_table_meta_take(&all, t, 1);
	pm_table_sort(&all, 1);
	pm_table_write_stations(&all, out);
	pm_table_release(&all);
	return out->len != old_len || memcmp(out->buf, old, old_len);
}

/* Merge the stations of t into stations/stations.csv on branch. */
static enum pm_err publish_stations(struct run *ru, const char *branch,
				    const struct pm_table *t, int *changed,
				    struct pm_buf *err)
{
	struct pm_buf old = PM_BUF_INIT, out = PM_BUF_INIT;
	enum pm_err ret = PM_OK;

	*changed = 0;
	if (!t->meta)
		return PM_OK;
	pm_store_get(ru->data, branch, "stations/stations.csv", &old, NULL);
	if (pm_flow_stations_merge(old.buf, old.len, t, &out)) {
		ret = pm_store_put(ru->data, branch, "stations/stations.csv",
				   out.buf, out.len, err);
		*changed = 1;
	}
	pm_buf_release(&old);
	pm_buf_release(&out);
	return ret;
}

/* Upsert every day file of days into clean/hourly/ on branch. */
static enum pm_err publish_days(struct run *ru, const char *branch,
				const struct pm_day_files *days,
				size_t *changed, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, old = PM_BUF_INIT, out = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	size_t i;

	*changed = 0;
	for (i = 0; !ret && i < days->nr; i++) {
		const struct pm_buf *fresh = &days->text[i];
		int diff = 0;

		pm_buf_reset(&old);
		pm_buf_setf(&path, "clean/hourly/%s", days->name[i]);
		pm_store_get(ru->data, branch, path.buf, &old, NULL);
		ret = pm_csv_upsert(old.buf, old.len, fresh->buf, fresh->len,
				    &out, &diff, err);
		if (!ret && diff) {
			ret = pm_store_put(ru->data, branch, path.buf, out.buf,
					   out.len, err);
			(*changed)++;
		}
	}
	pm_buf_release(&path);
	pm_buf_release(&old);
	pm_buf_release(&out);
	return ret;
}

enum pm_err pm_flow_engine(struct run *ru, const struct pm_table *t,
			   const char *origin, struct pm_day_files *days,
			   struct pm_clean_report *rep, struct pm_buf *err)
{
	struct pm_clean_opts co = { 0 };
	struct pm_contract c = ru->contract;

	/*
	 * The rows were read under the contract's header and time rules
	 * already: those are for source files.
	 */
	c.header = NULL;
	c.strict_time = 0;
	co.contract = &c;
	co.table = t;
	co.table_origin = origin;
	co.days = days;
	co.now = ru->o->now;
	return pm_clean_run(&co, NULL, 0, rep, err);
}

/* Make the batch's branch from main and stage the raw pages on it. */
static enum pm_err land_raw(struct run *ru, const struct batch *b,
			    size_t *landed, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	size_t i, start = 0;
	enum pm_err ret;
	int *found;

	*landed = 0;
	ret = pm_store_branch_create(ru->data, b->branch, "main", err);
	found = pm_xcalloc(b->nr_pages + 1, sizeof(*found));
	if (!ret)
		pm_flow_raw_found(ru, b->day, b->raw, b->page_end, b->nr_pages,
				  found);
	for (i = 0; !ret && i < b->nr_pages; i++) {
		const char *p = b->raw + start;
		size_t len = b->page_end[i] - start;

		start = b->page_end[i];
		/* raw files are never rewritten, nor landed twice */
		if (found[i])
			continue;
		pm_flow_raw_path(ru, b->day, i, b->nr_pages, b->f, &path);
		ret = pm_store_put(ru->data, b->branch, path.buf, p, len, err);
		(*landed)++;
	}
	pm_buf_release(&path);
	free(found);
	return ret;
}

/*
 * Stage the day files, stations and quality report on the branch and
 * commit; id stays "" when nothing changed.
 */
static enum pm_err publish(struct run *ru, const struct batch *b,
			   const struct pm_day_files *days,
			   const struct pm_clean_report *rep, size_t landed,
			   const struct pm_kv *meta, size_t *days_changed,
			   char id[PM_ID_MAX], struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, quality = PM_BUF_INIT;
	int stations_changed = 0;
	enum pm_err ret;
	char date[16];

	pm_date_format(b->day * 86400, date);
	ret = publish_days(ru, b->branch, days, days_changed, err);
	if (!ret)
		ret = publish_stations(ru, b->branch, b->t, &stations_changed,
				       err);
	if (!ret && (landed || *days_changed || stations_changed)) {
		struct pm_clean_report shown = *rep;

		shown.unanswered = &ru->r->unanswered;
		pm_clean_report_json(&shown, &ru->contract, &quality);
		pm_buf_setf(&path, "quality/date=%s/%s.json", date, ru->r->run);
		ret = pm_store_put(ru->data, b->branch, path.buf, quality.buf,
				   quality.len, err);
	}
	pm_pause_point("publish");
	pm_buf_setf(&path, "%s %s: %s, %zu day files", ru->flow, ru->r->run,
		    date, *days_changed);
	if (!ret)
		ret = pm_store_commit(ru->data, b->branch, path.buf, meta,
				      PM_FLOW_NMETA, id, err);
	pm_buf_release(&path);
	pm_buf_release(&quality);
	return ret;
}

void pm_flow_result_release(struct pm_flow_result *r)
{
	pm_strv_release(&r->stale);
	pm_strv_release(&r->unanswered);
}

/* The stale entry of station id ("ID" or "ID (...)"), or stale.nr. */
static size_t stale_at(const struct pm_flow_result *r, const char *id, size_t n)
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
		if (!pm_strv_hasn(&ru->seen, t->stations.keys[k],
				  t->stations.lens[k]))
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

void pm_flow_commit_meta(const struct run *ru, double score, size_t rows,
			 struct pm_kv meta[PM_FLOW_NMETA], char score_buf[32],
			 char rows_buf[32])
{
	snprintf(score_buf, 32, "%.6f", score);
	snprintf(rows_buf, 32, "%zu", rows);
	meta[0].key = "run";
	meta[0].value = ru->r->run;
	meta[1].key = "flow";
	meta[1].value = ru->flow;
	meta[2].key = "pm25-version";
	meta[2].value = PM25_VERSION;
	meta[3].key = "source";
	meta[3].value = ru->src->name;
	meta[4].key = "score";
	meta[4].value = score_buf;
	meta[5].key = "rows";
	meta[5].value = rows_buf;
}

/*
 * The publish and gate tasks of a batch: commit its files on its branch,
 * then merge into main if the gate passed; a merge that conflicts with a
 * run that published meanwhile is done again on top of the new main.
 * *branch_made is cleared when the branch is to be kept.
 */
static enum pm_err publish_gate(struct run *ru, const struct batch *b,
				const struct pm_clean_report *rep,
				const struct pm_day_files *days, size_t landed,
				int *gate_failed, int *branch_made,
				struct pm_buf *err)
{
	struct pm_buf extra = PM_BUF_INIT, msg = PM_BUF_INIT;
	struct pm_kv meta[PM_FLOW_NMETA];
	char score[32], rows[32], id[PM_ID_MAX];
	size_t days_changed = 0;
	enum pm_err ret;
	double t0;
	int tries;

	pm_flow_commit_meta(ru, rep->score, rep->accepted, meta, score, rows);
	for (tries = 1;; tries++) {
		/* publish */
		t0 = pm_flow_task_start(ru, "publish");
		ret = publish(ru, b, days, rep, landed, meta, &days_changed, id,
			      err);
		pm_buf_reset(&extra);
		pm_buf_addf(&extra,
			    "\"branch\": \"%s\", \"commit\": \"%s\", "
			    "\"day_files\": %zu",
			    b->branch, ret ? "" : id, days_changed);
		pm_flow_event(ru, "publish", ret ? "Failed" : "Completed", t0,
			      extra.buf);
		if (ret)
			goto out;

		/* gate */
		t0 = pm_flow_task_start(ru, "gate");
		if (!id[0]) {
			ru->r->unchanged++;
			pm_flow_event(ru, "gate", "Completed", t0,
				      "\"merged\": false, \"reason\": "
				      "\"nothing new\"");
			goto out;
		}
		if (!rep->passed) {
			*gate_failed = 1;
			ru->r->failed++;
			*branch_made = 0; /* kept for pm25 data diff */
			if (b->branch != ru->r->branch)
				snprintf(ru->r->branch, sizeof(ru->r->branch),
					 "%s", b->branch);
			pm_buf_reset(&extra);
			pm_buf_addf(
				&extra,
				"\"message\": \"Validation failed: score "
				"%.6f below gate %.2f\", \"branch\": \"%s\"",
				rep->score, ru->contract.gate, b->branch);
			pm_flow_event(ru, "gate", "Failed", t0, extra.buf);
			goto out;
		}
		pm_buf_setf(&msg, "Merge %s into main", b->branch);
		pm_pause_point("merge");
		ret = pm_store_merge(ru->data, b->branch, "main", msg.buf, meta,
				     5, id, err);
		if (ret != PM_ERR_CONFLICT || tries == PUBLISH_TRIES)
			break;
		/* another run published the same day files: do it again
		 * on top of what is on main now */
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"retry\": %d", tries);
		pm_flow_event(ru, "gate", "Retrying", t0, extra.buf);
		pm_store_branch_delete(ru->data, b->branch, NULL);
		ret = land_raw(ru, b, &landed, err);
		if (ret)
			goto out;
	}
	if (ret) {
		pm_flow_event(ru, "gate", "Failed", t0, NULL);
		*branch_made = 0;
		goto out;
	}
	ru->r->published++;
	pm_buf_reset(&extra);
	pm_buf_addf(&extra, "\"merged\": true, \"main\": \"%s\"", id);
	pm_flow_event(ru, "gate", "Completed", t0, extra.buf);
out:
	pm_buf_release(&extra);
	pm_buf_release(&msg);
	return ret;
}

/* ", "unanswered": [ids]" of the stations that did not answer, if any. */
static void add_unanswered(struct pm_buf *b, const struct pm_strv *u)
{
	size_t i;

	if (!u->nr)
		return;
	pm_buf_addstr(b, ", \"unanswered\": [");
	for (i = 0; i < u->nr; i++) {
		if (i)
			pm_buf_addstr(b, ", ");
		pm_buf_add_json_str(b, u->v[i], strcspn(u->v[i], ":"));
	}
	pm_buf_addch(b, ']');
}

void pm_flow_validated(struct run *ru, int64_t day,
		       const struct pm_clean_report *rep, double ms)
{
	struct pm_buf extra = PM_BUF_INIT;
	char date[16];
	double t0;

	t0 = pm_flow_task_start(ru, "validate") - ms;
	if (day != PM_TIME_NONE) {
		pm_date_format(day * 86400, date);
		pm_buf_addf(&extra, "\"day\": \"%s\", ", date);
	}
	pm_buf_addf(&extra, "\"rows\": %zu, \"accepted\": %zu, \"score\": ",
		    rep->input_rows, rep->accepted);
	pm_buf_add_json_num(&extra, rep->score);
	pm_buf_addf(&extra, ", \"passed\": %s", rep->passed ? "true" : "false");
	pm_flow_event(ru, "validate", "Completed", t0, extra.buf);
	t0 = pm_flow_task_start(ru, "clean");
	ru->r->input_rows += rep->input_rows;
	ru->r->accepted_rows += rep->accepted;
	ru->r->output_rows += rep->out_rows;
	/* the run's score, over every batch so far */
	ru->r->score = ru->r->input_rows ? (double)ru->r->accepted_rows /
						   (double)ru->r->input_rows :
					   0;
	pm_buf_reset(&extra);
	pm_buf_addf(&extra, "\"output_rows\": %zu, \"files\": %zu",
		    rep->out_rows, rep->out_files);
	pm_flow_event(ru, "clean", "Completed", t0, extra.buf);
	pm_buf_release(&extra);
}

enum pm_err pm_flow_validate(struct run *ru, const struct pm_table *t,
			     int64_t day, struct pm_day_files *days,
			     struct pm_clean_report *rep, struct pm_buf *err)
{
	struct pm_buf in = PM_BUF_INIT;
	enum pm_err ret;
	double t0;

	t0 = pm_flow_task_start(ru, "validate");
	pm_buf_addf(&in, "%s/in.csv", ru->scratch.buf);
	ret = pm_flow_engine(ru, t, in.buf, days, rep, err);
	if (ret)
		pm_flow_event(ru, "validate", "Failed", t0, NULL);
	else
		pm_flow_validated(ru, day, rep, pm_flow_now_ms() - t0);
	pm_buf_release(&in);
	return ret;
}

/* The land_raw task of a batch: its branch made, its raw pages on it. */
static enum pm_err land_raw_task(struct run *ru, const struct batch *b,
				 size_t *landed, int *branch_made,
				 struct pm_buf *err)
{
	struct pm_buf extra = PM_BUF_INIT;
	enum pm_err ret;
	double t0;

	t0 = pm_flow_task_start(ru, "land_raw");
	ret = land_raw(ru, b, landed, err);
	*branch_made = ret != PM_ERR_CONFLICT;
	pm_buf_addf(&extra,
		    "\"branch\": \"%s\", \"files\": %zu, "
		    "\"unchanged\": %zu",
		    b->branch, *landed, b->nr_pages - *landed);
	pm_flow_event(ru, "land_raw", ret ? "Failed" : "Completed", t0,
		      extra.buf);
	pm_buf_release(&extra);
	return ret;
}

enum pm_err pm_flow_publish_day(struct run *ru, const struct batch *b,
				const struct pm_day_files *days,
				const struct pm_clean_report *rep,
				int *gate_failed, struct pm_buf *err)
{
	size_t landed = 0;
	int branch_made = 0;
	enum pm_err ret;

	*gate_failed = 0;
	ret = land_raw_task(ru, b, &landed, &branch_made, err);
	if (!ret)
		ret = publish_gate(ru, b, rep, days, landed, gate_failed,
				   &branch_made, err);
	if (branch_made)
		pm_store_branch_delete(ru->data, b->branch, NULL);
	return ret;
}

enum pm_err pm_flow_parse_task(struct run *ru, const struct batch *b,
			       int *empty, struct pm_buf *err)
{
	struct pm_buf extra = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	double t0;

	*empty = 0;
	if (b->parse) {
		t0 = pm_flow_task_start(ru, "parse");
		ret = b->parse(ru, b->f, b->t, err);
		pm_buf_addf(&extra, "\"rows\": %zu", b->t->nr);
		add_unanswered(&extra, &ru->r->unanswered);
		pm_flow_event(ru, "parse", ret ? "Failed" : "Completed", t0,
			      extra.buf);
		pm_buf_release(&extra);
		if (ret)
			return ret;
	}
	note_stale(ru, b->t);
	if (!b->t->nr) {
		/* no data is not bad data: nothing to check or publish */
		*empty = 1;
		ru->r->no_data++;
		t0 = pm_flow_task_start(ru, "validate");
		pm_flow_event(ru, "validate", "Completed", t0,
			      "\"rows\": 0, \"no_data\": true");
	}
	return PM_OK;
}

/*
 * One batch through the tasks after fetch: land raw on a branch, parse,
 * validate, clean, publish, and merge into main when the gate passes. A
 * merge that conflicts with a run that published meanwhile is done again
 * on top of the new main. *gate_failed is set when the gate refused.
 */
enum pm_err pm_flow_batch(struct run *ru, const struct batch *b,
			  int *gate_failed, struct pm_buf *err)
{
	struct pm_clean_report rep;
	struct pm_day_files days = { 0 };
	size_t landed = 0;
	int branch_made = 0, empty;
	enum pm_err ret;

	memset(&rep, 0, sizeof(rep));
	*gate_failed = 0;
	ru->r->batches++;

	ret = land_raw_task(ru, b, &landed, &branch_made, err);
	if (ret)
		goto out;

	ret = pm_flow_parse_task(ru, b, &empty, err);
	if (ret || empty)
		goto out;

	/*
	 * validate and clean: one pass of the engine checks the rows and
	 * writes the day files; the two tasks report from its result.
	 */
	ret = pm_flow_validate(ru, b->t, PM_TIME_NONE, &days, &rep, err);
	if (!ret)
		ret = publish_gate(ru, b, &rep, &days, landed, gate_failed,
				   &branch_made, err);
out:
	if (branch_made)
		pm_store_branch_delete(ru->data, b->branch, NULL);
	pm_clean_report_release(&rep);
	pm_day_files_release(&days);
	return ret;
}

enum pm_err pm_flow_run_start(struct run *ru, struct pm_store *data,
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
	pm_table_init(&ru->feed);
	pm_contract_init(&ru->contract);
	pm_flow_make_run_id(ru);
	t0 = pm_flow_now_ms();
	ru->src = pm_source_find(o->source ? o->source : "csv");
	if (!ru->src)
		ret = pm_errf(err, PM_ERR_USAGE, "unknown source '%s'",
			      o->source);
	else
		r->source = ru->src->name;
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
	ru->req.missing = &ru->contract.missing;
	ru->req.zero_missing = ru->contract.zero_missing;
	snprintf(r->branch, sizeof(r->branch), "etl-%s", r->run);
	if (!ret)
		pm_flow_request(ru);
	if (ret) {
		pm_flow_event(ru, "health_check", "Failed", t0, NULL);
		return ret;
	}
	return pm_flow_health_check(ru, err);
}

void pm_flow_run_finish(struct run *ru)
{
	size_t i;

	/* stations asked for by name that sent nothing at all */
	for (i = 0; !ru->raw_per_day && !ru->all_stations &&
		    i < ru->stations.nr;
	     i++)
		if (!pm_strv_hasn(&ru->seen, ru->stations.v[i],
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
	pm_table_release(&ru->feed);
}
