/*
 * Many days of a backfill in one commit. Each day is validated, cleaned
 * and gated on its own, as in the day-by-day cycle; the days that pass
 * are gathered, then published together: one branch, one commit and one
 * merge into main for a chunk of days. A day that fails its gate goes
 * the day-by-day way (its own branch, kept), after the days before it
 * are published. main ends with the files the day-by-day cycle leaves:
 * each day's fragments are upserted in day order, over main's files.
 * The chunk owns copies of everything it will publish.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/pause.h"
#include "pm25/strmap.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "pm25/upsert.h"
#include "flow-int.h"

/* A chunk is published once its days' bytes reach this. */
#define CHUNK_BYTES (64u << 20)

struct chunk_day {
	int64_t day;
	char *raw; /* owned: the raw pages, back to back */
	size_t *page_end, nr_pages;
	char **page_station;	   /* owned, or NULL */
	struct pm_day_files files; /* the day's clean fragments */
	struct pm_buf quality;	   /* its quality report */
	struct pm_table meta;	   /* its stations' metadata, if has_meta */
	int has_meta;
	int fresh_day; /* its raw folder is not on main */
	size_t input_rows, accepted;
	int published; /* set by the flush */
};

void pm_chunk_init(struct chunk *c)
{
	memset(c, 0, sizeof(*c));
}

static void day_release(struct chunk_day *d)
{
	size_t i;

	free(d->raw);
	free(d->page_end);
	if (d->page_station) {
		for (i = 0; i < d->nr_pages; i++)
			free(d->page_station[i]);
		free(d->page_station);
	}
	pm_day_files_release(&d->files);
	pm_buf_release(&d->quality);
	pm_table_release(&d->meta);
}

static void chunk_clear(struct chunk *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		day_release(&c->d[i]);
	c->nr = 0;
	c->bytes = 0;
}

void pm_chunk_release(struct chunk *c)
{
	chunk_clear(c);
	free(c->d);
	memset(c, 0, sizeof(*c));
}

/* Keep what day b will publish: its raw pages, fragments and report. */
static void chunk_add(struct run *ru, struct chunk *c, const struct batch *b,
		      struct pm_day_files *files,
		      const struct pm_clean_report *rep)
{
	struct chunk_day *d;
	struct pm_clean_report shown = *rep;
	size_t len = b->nr_pages ? b->page_end[b->nr_pages - 1] : 0, i;

	PM_ALLOC_GROW(c->d, c->nr + 1, c->alloc);
	d = &c->d[c->nr++];
	memset(d, 0, sizeof(*d));
	d->day = b->day;
	d->fresh_day = b->fresh_day;
	d->raw = pm_xmalloc(len + 1);
	if (len)
		memcpy(d->raw, b->raw, len);
	d->nr_pages = b->nr_pages;
	d->page_end = pm_xcalloc(b->nr_pages + 1, sizeof(*d->page_end));
	memcpy(d->page_end, b->page_end, b->nr_pages * sizeof(*d->page_end));
	if (b->f && b->f->page_station) {
		d->page_station = pm_xcalloc(b->nr_pages + 1, sizeof(char *));
		for (i = 0; i < b->nr_pages; i++)
			d->page_station[i] = pm_xstrdup(b->f->page_station[i]);
	}
	d->files = *files; /* taken */
	memset(files, 0, sizeof(*files));
	shown.unanswered = &ru->r->unanswered;
	pm_buf_init(&d->quality);
	pm_clean_report_json(&shown, &ru->contract, &d->quality);
	pm_table_init(&d->meta);
	if (b->t->meta) {
		pm_table_meta_take(&d->meta, b->t, 1);
		d->has_meta = 1;
	}
	d->input_rows = rep->input_rows;
	d->accepted = rep->accepted;
	c->bytes += len + d->quality.len;
	for (i = 0; i < d->files.nr; i++)
		c->bytes += d->files.text[i].len;
}

/*
 * The files a chunk rewrites, by path: main's text at first, then each
 * day's upsert in turn; dirty once it differs from main's.
 */
struct staging {
	struct pm_strmap on_main; /* the day files and stations main has */
	struct pm_strmap paths;
	struct pm_buf *text;
	int *dirty;
	size_t alloc;
};

static void staging_release(struct staging *s)
{
	size_t i;

	for (i = 0; i < s->paths.nr; i++)
		pm_buf_release(&s->text[i]);
	free(s->text);
	free(s->dirty);
	pm_strmap_release(&s->paths);
	pm_strmap_release(&s->on_main);
	memset(s, 0, sizeof(*s));
}

/* The files of branch that days may rewrite: one listing per folder. */
static void staging_start(struct run *ru, const char *branch, struct staging *s)
{
	static const char *const dirs[] = { "clean/hourly/", "stations/" };
	struct pm_strv l = PM_STRV_INIT;
	size_t i, k;

	for (k = 0; k < PM_ARRAY_SIZE(dirs); k++) {
		pm_strv_release(&l);
		pm_store_list(ru->data, branch, dirs[k], &l, NULL);
		for (i = 0; i < l.nr; i++)
			pm_strmap_intern(&s->on_main, l.v[i], strlen(l.v[i]));
	}
	pm_strv_release(&l);
}

/* The staged text of path, read from branch the first time. */
static struct pm_buf *staging_at(struct run *ru, struct staging *s,
				 const char *branch, const char *path,
				 size_t *k)
{
	size_t n = s->paths.nr;

	*k = (size_t)pm_strmap_intern(&s->paths, path, strlen(path));
	if (s->paths.nr > n) {
		if (s->paths.nr > s->alloc) {
			size_t a = s->alloc ? s->alloc * 2 : 64;

			s->text = pm_xrealloc(s->text, a * sizeof(*s->text));
			s->dirty = pm_xrealloc(s->dirty, a * sizeof(*s->dirty));
			s->alloc = a;
		}
		pm_buf_init(&s->text[*k]);
		s->dirty[*k] = 0;
		if (pm_strmap_find(&s->on_main, path, strlen(path)) >= 0)
			pm_store_get(ru->data, branch, path, &s->text[*k],
				     NULL);
	}
	return &s->text[*k];
}

/*
 * Stage day d on branch: the raw pages main lacks, its stations, and
 * its quality report if any of that, or the changed day files its
 * fragments made (fold_days), changed anything. *landed counts the raw
 * pages staged.
 */
static enum pm_err stage_day(struct run *ru, const char *branch,
			     struct chunk_day *d, struct staging *s,
			     size_t changed, size_t *landed, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT, out = PM_BUF_INIT;
	struct pm_fetched f;
	enum pm_err ret = PM_OK;
	size_t i, start = 0, k, day_landed = 0;
	int *found = pm_xcalloc(d->nr_pages + 1, sizeof(*found));
	char date[16];

	memset(&f, 0, sizeof(f));
	f.page_station = d->page_station;
	pm_flow_raw_found(ru, d->day, d->raw, d->page_end, d->nr_pages, found);
	for (i = 0; !ret && i < d->nr_pages; i++) {
		size_t len = d->page_end[i] - start;
		const char *p = d->raw + start;

		start = d->page_end[i];
		if (found[i])
			continue;
		pm_flow_raw_path(ru, d->day, i, d->nr_pages, &f, &path);
		ret = pm_store_put(ru->data, branch, path.buf, p, len, err);
		day_landed++;
	}
	if (!ret && d->has_meta) {
		struct pm_buf *old = staging_at(ru, s, branch,
						"stations/stations.csv", &k),
			      tmp;

		if (pm_flow_stations_merge(old->buf, old->len, &d->meta,
					   &out)) {
			tmp = *old;
			*old = out;
			out = tmp;
			s->dirty[k] = 1;
			changed++;
		}
	}
	if (!ret && (day_landed || changed)) {
		pm_date_format(d->day * 86400, date);
		pm_buf_setf(&path, "quality/date=%s/%s.json", date, ru->r->run);
		ret = pm_store_put(ru->data, branch, path.buf, d->quality.buf,
				   d->quality.len, err);
		d->published = 1;
	}
	*landed += day_landed;
	free(found);
	pm_buf_release(&path);
	pm_buf_release(&out);
	return ret;
}

/* One day file's fragments, in day order: (day, file of that day). */
struct fold {
	size_t k;	    /* the path in the staging */
	size_t *day, *file; /* owned */
	int *changed;	    /* owned: per fragment */
	size_t nr, alloc;
};

struct fold_job {
	struct chunk *c;
	struct staging *s;
	struct fold *f;
	size_t n, from; /* folds from, from + 2, ... */
	enum pm_err ret;
	struct pm_buf err;
};

static void *fold_main(void *arg)
{
	struct fold_job *j = arg;
	struct pm_buf out = PM_BUF_INIT, tmp;
	size_t i, m;

	for (i = j->from; !j->ret && i < j->n; i += 2) {
		struct fold *f = &j->f[i];
		struct pm_buf *text = &j->s->text[f->k];

		for (m = 0; !j->ret && m < f->nr; m++) {
			const struct pm_buf *fresh =
				&j->c->d[f->day[m]].files.text[f->file[m]];
			int diff = 0;

			j->ret =
				pm_csv_upsert(text->buf, text->len, fresh->buf,
					      fresh->len, &out, &diff, &j->err);
			if (!j->ret && diff) {
				tmp = *text;
				*text = out;
				out = tmp;
				j->s->dirty[f->k] = 1;
			}
			f->changed[m] = diff;
		}
	}
	pm_buf_release(&out);
	return NULL;
}

/*
 * The day files of the chunk's days: each file's fragments upserted in
 * day order over main's text, two threads taking every other file;
 * changed[i] counts the files day i changed.
 */
static enum pm_err fold_days(struct run *ru, const char *branch,
			     struct chunk *c, struct staging *s,
			     size_t *changed, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	struct fold *f = NULL;
	struct fold_job jobs[2];
	size_t nf = 0, af = 0, i, j, k, m;
	enum pm_err ret = PM_OK;
	pthread_t th;
	int threaded;

	for (i = 0; i < c->nr; i++)
		for (j = 0; j < c->d[i].files.nr; j++) {
			struct fold *x;

			pm_buf_setf(&path, "clean/hourly/%s",
				    c->d[i].files.name[j]);
			staging_at(ru, s, branch, path.buf, &k);
			for (m = 0; m < nf && f[m].k != k; m++)
				;
			if (m == nf) {
				PM_ALLOC_GROW(f, nf + 1, af);
				memset(&f[nf], 0, sizeof(f[nf]));
				f[nf++].k = k;
			}
			x = &f[m];
			if (x->nr == x->alloc) {
				x->alloc = x->alloc ? 2 * x->alloc : 4;
				x->day = pm_xrealloc(x->day,
						     x->alloc * sizeof(size_t));
				x->file = pm_xrealloc(
					x->file, x->alloc * sizeof(size_t));
				x->changed = pm_xrealloc(
					x->changed, x->alloc * sizeof(int));
			}
			x->day[x->nr] = i;
			x->file[x->nr++] = j;
		}
	for (i = 0; i < 2; i++) {
		jobs[i].c = c;
		jobs[i].s = s;
		jobs[i].f = f;
		jobs[i].n = nf;
		jobs[i].from = i;
		jobs[i].ret = PM_OK;
		pm_buf_init(&jobs[i].err);
	}
	threaded = nf > 1 && !pthread_create(&th, NULL, fold_main, &jobs[1]);
	fold_main(&jobs[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		fold_main(&jobs[1]);
	for (i = 0; i < 2 && !ret; i++)
		if (jobs[i].ret)
			ret = pm_errf(err, jobs[i].ret, "%s", jobs[i].err.buf);
	for (i = 0; i < nf; i++) {
		for (m = 0; m < f[i].nr; m++)
			changed[f[i].day[m]] += (size_t)f[i].changed[m];
		free(f[i].day);
		free(f[i].file);
		free(f[i].changed);
	}
	for (i = 0; i < 2; i++)
		pm_buf_release(&jobs[i].err);
	free(f);
	pm_buf_release(&path);
	return ret;
}

/* land_raw and publish: every day staged on branch, then one commit. */
static enum pm_err stage_commit(struct run *ru, struct chunk *c,
				const char *branch, size_t *files,
				char id[PM_ID_MAX], struct pm_buf *err)
{
	struct pm_buf extra = PM_BUF_INIT, msg = PM_BUF_INIT;
	struct pm_kv meta[PM_FLOW_NMETA];
	struct staging s;
	char score[32], rows[32], first[16], last[16];
	size_t i, landed = 0, input = 0, accepted = 0, *changed;
	enum pm_err ret;
	double t0;

	memset(&s, 0, sizeof(s));
	*files = 0;
	id[0] = '\0';
	t0 = pm_flow_task_start(ru, "land_raw");
	ret = pm_store_branch_create(ru->data, branch, "main", err);
	changed = pm_xcalloc(c->nr + 1, sizeof(*changed));
	if (!ret) {
		staging_start(ru, branch, &s);
		ret = fold_days(ru, branch, c, &s, changed, err);
	}
	for (i = 0; !ret && i < c->nr; i++) {
		c->d[i].published = 0;
		ret = stage_day(ru, branch, &c->d[i], &s, changed[i], &landed,
				err);
		input += c->d[i].input_rows;
		accepted += c->d[i].accepted;
	}
	free(changed);
	pm_buf_addf(&extra, "\"branch\": \"%s\", \"files\": %zu, \"days\": %zu",
		    branch, landed, c->nr);
	pm_flow_event(ru, "land_raw", ret ? "Failed" : "Completed", t0,
		      extra.buf);
	if (ret)
		goto out;

	t0 = pm_flow_task_start(ru, "publish");
	*files = 0; /* the day files rewritten, each once */
	for (i = 0; !ret && i < s.paths.nr; i++) {
		if (!s.dirty[i])
			continue;
		ret = pm_store_put(ru->data, branch, s.paths.keys[i],
				   s.text[i].buf, s.text[i].len, err);
		*files += !strncmp(s.paths.keys[i], "clean/", 6);
	}
	pm_pause_point("publish");
	pm_date_format(c->d[0].day * 86400, first);
	pm_date_format(c->d[c->nr - 1].day * 86400, last);
	pm_buf_addf(&msg, "%s %s: %s", ru->flow, ru->r->run, first);
	if (c->nr > 1)
		pm_buf_addf(&msg, " to %s", last);
	pm_buf_addf(&msg, ", %zu day files", *files);
	pm_flow_commit_meta(ru, input ? (double)accepted / (double)input : 0,
			    accepted, meta, score, rows);
	if (!ret)
		ret = pm_store_commit(ru->data, branch, msg.buf, meta,
				      PM_FLOW_NMETA, id, err);
	pm_buf_reset(&extra);
	pm_buf_addf(&extra,
		    "\"branch\": \"%s\", \"commit\": \"%s\", "
		    "\"day_files\": %zu, \"days\": %zu",
		    branch, ret ? "" : id, *files, c->nr);
	pm_flow_event(ru, "publish", ret ? "Failed" : "Completed", t0,
		      extra.buf);
out:
	staging_release(&s);
	pm_buf_release(&extra);
	pm_buf_release(&msg);
	return ret;
}

enum pm_err pm_chunk_flush(struct run *ru, struct chunk *c, struct pm_buf *err)
{
	struct pm_buf branch = PM_BUF_INIT, extra = PM_BUF_INIT,
		      msg = PM_BUF_INIT;
	struct pm_kv meta[PM_FLOW_NMETA];
	char id[PM_ID_MAX], first[16], score[32], rows[32];
	size_t i, files = 0, published = 0, input = 0, accepted = 0;
	enum pm_err ret = PM_OK;
	int tries, keep = 0;
	double t0 = 0;

	if (!c->nr)
		return PM_OK;
	for (i = 0; i < c->nr; i++) {
		input += c->d[i].input_rows;
		accepted += c->d[i].accepted;
	}
	pm_flow_commit_meta(ru, input ? (double)accepted / (double)input : 0,
			    accepted, meta, score, rows);
	pm_date_format(c->d[0].day * 86400, first);
	pm_buf_addf(&branch, "etl-%s-%.4s%.2s%.2s", ru->r->run, first,
		    first + 5, first + 8);
	for (tries = 1;; tries++) {
		ret = stage_commit(ru, c, branch.buf, &files, id, err);
		if (ret) {
			keep = ret != PM_ERR_CONFLICT;
			goto out;
		}
		t0 = pm_flow_task_start(ru, "gate");
		if (!id[0]) {
			ru->r->unchanged += c->nr;
			pm_flow_event(ru, "gate", "Completed", t0,
				      "\"merged\": false, \"reason\": "
				      "\"nothing new\"");
			goto out;
		}
		pm_buf_setf(&msg, "Merge %s into main", branch.buf);
		pm_pause_point("merge");
		/* run, flow, version, source and score, as a day's merge */
		ret = pm_store_merge(ru->data, branch.buf, "main", msg.buf,
				     meta, 5, id, err);
		if (ret != PM_ERR_CONFLICT || tries == PUBLISH_TRIES)
			break;
		/* another run published some of these day files: stage
		 * the days again on top of what main holds now */
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"retry\": %d", tries);
		pm_flow_event(ru, "gate", "Retrying", t0, extra.buf);
		pm_store_branch_delete(ru->data, branch.buf, NULL);
	}
	if (ret) {
		pm_flow_event(ru, "gate", "Failed", t0, NULL);
		keep = 1;
		goto out;
	}
	for (i = 0; i < c->nr; i++)
		published += c->d[i].published;
	ru->r->published += published;
	ru->r->unchanged += c->nr - published;
	pm_buf_addf(&extra, "\"merged\": true, \"main\": \"%s\", \"days\": %zu",
		    id, published);
	pm_flow_event(ru, "gate", "Completed", t0, extra.buf);
out:
	if (!keep)
		pm_store_branch_delete(ru->data, branch.buf, NULL);
	chunk_clear(c);
	pm_buf_release(&branch);
	pm_buf_release(&extra);
	pm_buf_release(&msg);
	return ret;
}

/* The gate of a validated day: join the chunk, or a branch of its own. */
static enum pm_err gate_day(struct run *ru, struct chunk *c,
			    const struct batch *b, struct pm_day_files *files,
			    const struct pm_clean_report *rep, int *gate_failed,
			    struct pm_buf *err)
{
	enum pm_err ret;

	if (rep->passed) {
		chunk_add(ru, c, b, files, rep);
		if (c->nr >= (size_t)ru->o->commit_days ||
		    c->bytes >= CHUNK_BYTES)
			return pm_chunk_flush(ru, c, err);
		return PM_OK;
	}
	/*
	 * The gate refused the day: the days before it go to main first,
	 * then the day gets its own branch from there, kept for
	 * pm25 data diff, exactly as in the day-by-day cycle.
	 */
	ret = pm_chunk_flush(ru, c, err);
	if (!ret)
		ret = pm_flow_publish_day(ru, b, files, rep, gate_failed, err);
	return ret;
}

enum pm_err pm_chunk_take(struct run *ru, struct chunk *c,
			  const struct batch *b, enum pm_err ret,
			  const struct pm_buf *why, struct pm_day_files *files,
			  const struct pm_clean_report *rep, double ms,
			  int *gate_failed, struct pm_buf *err)
{
	double t0;

	*gate_failed = 0;
	ru->r->batches++;
	if (ret) {
		t0 = pm_flow_task_start(ru, "validate") - ms;
		pm_flow_event(ru, "validate", "Failed", t0, NULL);
		return pm_errf(err, ret, "%s", why->buf ? why->buf : "");
	}
	pm_flow_validated(ru, b->day, rep, ms);
	return gate_day(ru, c, b, files, rep, gate_failed, err);
}

enum pm_err pm_chunk_day(struct run *ru, struct chunk *c, const struct batch *b,
			 int *gate_failed, struct pm_buf *err)
{
	struct pm_clean_report rep;
	struct pm_day_files files = { 0 };
	enum pm_err ret;
	int empty;

	memset(&rep, 0, sizeof(rep));
	*gate_failed = 0;
	ru->r->batches++;
	ret = pm_flow_parse_task(ru, b, &empty, err);
	if (ret || empty)
		goto out;
	ret = pm_flow_validate(ru, b->t, b->day, &files, &rep, err);
	if (!ret)
		ret = gate_day(ru, c, b, &files, &rep, gate_failed, err);
out:
	pm_clean_report_release(&rep);
	pm_day_files_release(&files);
	return ret;
}
