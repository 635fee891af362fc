/*
 * The backfill flow: ingest-clean one local day at a time over a range,
 * from the source's API day by day, or from one recording or CSV input
 * read once and cut into days.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/csvsrc.h"
#include "pm25/fsutil.h"
#include "pm25/strmap.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "flow-int.h"

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
					      86400) -
					 first;
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

/*
 * The "date=D" folders under raw/<source>/ on main, into days: one
 * listing, instead of one per day.
 */
static void days_on_main(struct run *ru, struct pm_strmap *days)
{
	struct pm_strv l = PM_STRV_INIT;
	struct pm_buf dir = PM_BUF_INIT;
	size_t i;

	pm_buf_addf(&dir, "raw/%s/", ru->src->name);
	pm_store_list(ru->data, "main", dir.buf, &l, NULL);
	for (i = 0; i < l.nr; i++) {
		const char *p = l.v[i] + dir.len, *e = strchr(p, '/');

		if (e && !strncmp(p, "date=", 5))
			pm_strmap_intern(days, p, (size_t)(e - p));
	}
	pm_strv_release(&l);
	pm_buf_release(&dir);
}

/* Files [from, to) of names parsed into t, in order; the first error. */
struct reader {
	const struct pm_csv_opts *co;
	char **names;
	size_t from, to;
	struct pm_table t;
	struct pm_buf err;
	enum pm_err ret;
};

static void *read_files(void *arg)
{
	struct reader *rd = arg;
	struct pm_buf data = PM_BUF_INIT;
	size_t i;

	for (i = rd->from; !rd->ret && i < rd->to; i++) {
		pm_buf_reset(&data);
		rd->ret = pm_file_read(rd->names[i], 1u << 30, &data, &rd->err);
		if (!rd->ret)
			rd->ret = pm_csv_to_table(data.buf, data.len,
						  rd->names[i], rd->co, &rd->t,
						  &rd->err);
	}
	pm_buf_release(&data);
	return NULL;
}

/*
 * The input's files into all, in order: two threads, each half of the
 * bytes, the second half appended to the first; the first file's error
 * in file order.
 */
static enum pm_err read_input(struct run *ru, struct pm_table *all,
			      struct pm_buf *err)
{
	struct pm_csv_opts co = { 0 };
	struct reader rd[2];
	enum pm_err ret = PM_OK;
	char **names = NULL;
	size_t n = 0, i, bytes = 0, half = 0, cut, *size;
	pthread_t th;
	int threaded;

	pm_clean_csv_opts(&ru->contract, &co);
	co.station = ru->req.station;
	if (pm_is_dir(ru->o->input)) {
		ret = pm_dir_list(ru->o->input, ".csv", &names, &n, err);
		if (!ret && !n)
			ret = pm_errf(err, PM_ERR_NOTFOUND,
				      "%s: no *.csv files", ru->o->input);
	} else {
		names = pm_xcalloc(2, sizeof(*names));
		names[0] = pm_xstrdup(ru->o->input);
		n = 1;
	}
	if (ret)
		goto out;
	size = pm_xcalloc(n + 1, sizeof(*size));
	for (i = 0; i < n; i++)
		bytes += size[i] = pm_file_size(names[i]);
	for (cut = 0; cut < n && half < bytes / 2; cut++)
		half += size[cut];
	free(size);
	for (i = 0; i < 2; i++) {
		memset(&rd[i], 0, sizeof(rd[i]));
		rd[i].co = &co;
		rd[i].names = names;
		rd[i].from = i ? cut : 0;
		rd[i].to = i ? n : cut;
		pm_table_init(&rd[i].t);
		pm_buf_init(&rd[i].err);
	}
	threaded = cut < n && !pthread_create(&th, NULL, read_files, &rd[1]);
	read_files(&rd[0]);
	if (threaded)
		pthread_join(th, NULL);
	else
		read_files(&rd[1]);
	ret = rd[0].ret ? rd[0].ret : rd[1].ret;
	if (ret) {
		pm_errf(err, ret, "%s",
			rd[0].ret ? rd[0].err.buf : rd[1].err.buf);
	} else {
		pm_table_append(all, &rd[0].t);
		pm_table_append(all, &rd[1].t);
	}
	for (i = 0; i < 2; i++) {
		pm_table_release(&rd[i].t);
		pm_buf_release(&rd[i].err);
	}
out:
	pm_strv_free(names);
	return ret;
}

/*
 * One local day of a backfill: its rows cut from all (an input or a
 * recording, replay for the latter), or fetched from the source, into
 * the chunk of days published together, or as one batch on branch
 * etl-<run>-<day> when each day is its own commit.
 */
static enum pm_err one_day(struct run *ru, struct chunk *chunk, int64_t day,
			   const char *date, const struct pm_table *all,
			   const struct day_index *idx,
			   const struct pm_fetched *whole, int replay,
			   struct pm_buf *err)
{
	struct pm_buf raw = PM_BUF_INIT, extra = PM_BUF_INIT,
		      branch = PM_BUF_INIT;
	struct pm_fetched f;
	struct pm_table t;
	enum pm_err ret = PM_OK;
	char compact[16];
	int gate_failed = 0;
	double t0;

	memset(&f, 0, sizeof(f));
	pm_table_init(&t);
	t0 = pm_flow_now_ms();
	if (ru->o->input || replay) {
		day_slice(all, idx, day, &t);
		if (!t.nr) {
			ru->r->no_data += replay;
			pm_table_release(&t);
			pm_buf_release(&raw);
			return PM_OK;
		}
		if (replay) {
			/* the recording is the raw record */
			pm_buf_add(&raw, whole->data, whole->len);
			f.page_end = pm_xmalloc(whole->nr_pages *
						sizeof(*f.page_end));
			memcpy(f.page_end, whole->page_end,
			       whole->nr_pages * sizeof(*f.page_end));
			f.nr_pages = whole->nr_pages;
		} else {
			/* the day's rows as read are its raw record */
			pm_table_write_csv(&t, &raw);
			f.page_end = pm_xmalloc(sizeof(*f.page_end));
			f.page_end[0] = raw.len;
			f.nr_pages = 1;
		}
		f.data = pm_buf_detach(&raw, &f.len);
	} else {
		ru->req.from_day = ru->req.to_day = day;
		ret = pm_flow_fetch(ru, &f, &t0, err);
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"day\": \"%s\", \"bytes\": %zu",
			    date, f.len);
		pm_flow_event(ru, "fetch",
			      ret ? "Failed" : "Completed", t0,
			      extra.buf);
	}
	if (!ret && (t.nr || !(ru->o->input || replay))) {
		struct batch b = { 0 };

		snprintf(compact, sizeof(compact), "%.4s%.2s%.2s", date,
			 date + 5, date + 8);
		pm_buf_setf(&branch, "etl-%s-%s", ru->r->run, compact);
		b.t = &t;
		b.parse =
			ru->o->input || replay ? NULL : pm_flow_parse_pages;
		b.f = &f;
		b.raw = f.data;
		b.page_end = f.page_end;
		b.nr_pages = f.nr_pages;
		b.day = day;
		b.branch = branch.buf;
		if (ru->o->commit_days > 1)
			ret = pm_chunk_day(ru, chunk, &b, &gate_failed, err);
		else
			ret = pm_flow_batch(ru, &b, &gate_failed, err);
		if (gate_failed)
			ru->r->passed = 0;
	}
	pm_fetched_release(&f);
	pm_table_release(&t);
	pm_buf_release(&raw);
	pm_buf_release(&extra);
	pm_buf_release(&branch);
	return ret;
}

/* ------------------------------------------------------------ pool */

/*
 * With rows read once (an input or a recording), the days are cut,
 * written as their raw record and validated by two worker threads, a
 * few days ahead; the calling thread takes them in day order for the
 * gate and the store, so events, tallies and commits come as in a run
 * of one thread.
 */
#define DAY_WINDOW 64

struct day_job {
	int64_t day;
	int fresh_day; /* its raw folder is not on main */
	struct pm_table t;
	struct pm_buf raw; /* --input: the day's rows as CSV */
	struct pm_day_files files;
	struct pm_clean_report rep;
	struct pm_buf why;
	enum pm_err ret;
	double ms; /* the engine's time */
	int done;
};

struct day_pool {
	struct run *ru;
	const struct pm_table *all;
	const struct day_index *idx;
	int replay;
	const int64_t *todo; /* the days to do, in order */
	const char *on_main; /* per day of todo: its raw folder is on main */
	size_t n;
	size_t next;	 /* the next day a worker takes */
	size_t consumed; /* days taken by the calling thread */
	int stop;
	struct pm_buf origin; /* the rows' name in reports */
	struct day_job jobs[DAY_WINDOW];
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void day_job_reset(struct day_job *j)
{
	pm_table_release(&j->t);
	pm_buf_release(&j->raw);
	pm_day_files_release(&j->files);
	pm_clean_report_release(&j->rep);
	pm_buf_release(&j->why);
	memset(j, 0, sizeof(*j));
	pm_table_init(&j->t);
}

static void day_compute(struct day_pool *p, struct day_job *j)
{
	double t0 = pm_flow_now_ms();

	day_slice(p->all, p->idx, j->day, &j->t);
	if (!p->replay)
		pm_table_write_csv(&j->t, &j->raw);
	j->ret = pm_flow_engine(p->ru, &j->t, p->origin.buf, &j->files, &j->rep,
				&j->why);
	j->ms = pm_flow_now_ms() - t0;
}

static void *day_worker(void *arg)
{
	struct day_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct day_job *j;

		while (!p->stop &&
		       (p->next >= p->n || p->next >= p->consumed + DAY_WINDOW))
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop)
			break;
		j = &p->jobs[p->next % DAY_WINDOW];
		j->fresh_day = !p->on_main[p->next];
		j->day = p->todo[p->next++];
		pthread_mutex_unlock(&p->lock);
		day_compute(p, j);
		pthread_mutex_lock(&p->lock);
		j->done = 1;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* Day k of the pool, once a worker has done it. */
static struct day_job *day_wait(struct day_pool *p, size_t k)
{
	struct day_job *j = &p->jobs[k % DAY_WINDOW];

	pthread_mutex_lock(&p->lock);
	while (!j->done)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
	return j;
}

/* The gate and the store of one done day (the calling thread's part). */
static enum pm_err day_take(struct run *ru, struct chunk *chunk,
			    struct day_pool *p, struct day_job *j,
			    const struct pm_fetched *whole, struct pm_buf *err)
{
	struct pm_buf branch = PM_BUF_INIT;
	struct batch b;
	enum pm_err ret;
	char date[16];
	int gate_failed = 0;
	size_t one;

	memset(&b, 0, sizeof(b));
	pm_date_format(j->day * 86400, date);
	pm_buf_setf(&branch, "etl-%s-%.4s%.2s%.2s", ru->r->run, date, date + 5,
		    date + 8);
	b.t = &j->t;
	b.day = j->day;
	b.fresh_day = j->fresh_day;
	b.branch = branch.buf;
	if (p->replay) {
		/* the recording is the raw record */
		b.raw = whole->data;
		b.page_end = whole->page_end;
		b.nr_pages = whole->nr_pages;
	} else {
		one = j->raw.len;
		b.raw = j->raw.buf ? j->raw.buf : "";
		b.page_end = &one;
		b.nr_pages = 1;
	}
	ret = pm_chunk_take(ru, chunk, &b, j->ret, &j->why, &j->files, &j->rep,
			    j->ms, &gate_failed, err);
	if (gate_failed)
		ru->r->passed = 0;
	pm_buf_release(&branch);
	return ret;
}

/*
 * The days of todo through the pool, in order: the progress of each,
 * the first error.
 */
static enum pm_err run_pool(struct run *ru, struct chunk *chunk,
			    const struct pm_table *all,
			    const struct day_index *idx, int replay,
			    const struct pm_fetched *whole, const int64_t *todo,
			    const char *on_main, size_t n, int64_t first,
			    size_t total, struct pm_buf *err)
{
	struct day_pool *p = pm_xcalloc(1, sizeof(*p));
	enum pm_err ret = PM_OK;
	pthread_t th[2];
	size_t k, started = 0, i;

	p->ru = ru;
	p->all = all;
	p->idx = idx;
	p->replay = replay;
	p->todo = todo;
	p->on_main = on_main;
	p->n = n;
	pm_buf_addf(&p->origin, "%s/in.csv", ru->scratch.buf);
	for (i = 0; i < DAY_WINDOW; i++)
		pm_table_init(&p->jobs[i].t);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	for (i = 0; i < 2; i++)
		if (!pthread_create(&th[started], NULL, day_worker, p))
			started++;
	for (k = 0; k < n && !ret; k++) {
		struct day_job *j;
		char date[16];

		if (!started) {
			/* no thread to be had: the days one by one, here */
			j = &p->jobs[k % DAY_WINDOW];
			j->fresh_day = !on_main[k];
			j->day = todo[k];
			day_compute(p, j);
		} else {
			j = day_wait(p, k);
		}
		pm_date_format(j->day * 86400, date);
		if (ru->o->progress)
			ru->o->progress(ru->o->ctx, (size_t)(j->day - first),
					total, date);
		ret = day_take(ru, chunk, p, j, whole, err);
		pthread_mutex_lock(&p->lock);
		day_job_reset(j);
		p->consumed++;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < DAY_WINDOW; i++) {
		day_job_reset(&p->jobs[i]);
		pm_table_release(&p->jobs[i].t);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	pm_buf_release(&p->origin);
	free(p);
	return ret;
}

/*
 * The days first..last of rows read once, through the pool: those on
 * main skipped (unless --force), those without rows counted.
 */
static enum pm_err pooled_days(struct run *ru, struct chunk *chunk,
			       const struct pm_table *all,
			       const struct day_index *idx, int replay,
			       const struct pm_fetched *whole,
			       const struct pm_strmap *done_days, int64_t first,
			       int64_t last, struct pm_buf *err)
{
	size_t total = (size_t)(last - first + 1), n = 0;
	int64_t *todo = pm_xcalloc(total + 1, sizeof(*todo));
	char *on_main = pm_xcalloc(total + 1, 1);
	struct pm_buf dir = PM_BUF_INIT;
	enum pm_err ret;
	int64_t day;

	for (day = first; day <= last; day++) {
		char date[16];
		size_t k = (size_t)(day - first);
		int have;

		pm_date_format(day * 86400, date);
		pm_buf_setf(&dir, "date=%s", date);
		have = pm_strmap_find(done_days, dir.buf, dir.len) >= 0;
		if (have && !ru->o->force) {
			ru->r->skipped++;
		} else if (idx->start[k] == idx->start[k + 1]) {
			ru->r->no_data += replay; /* no rows that day */
		} else {
			on_main[n] = (char)have;
			todo[n++] = day;
		}
	}
	ret = run_pool(ru, chunk, all, idx, replay, whole, todo, on_main, n,
		       first, total, err);
	free(todo);
	free(on_main);
	pm_buf_release(&dir);
	return ret;
}

enum pm_err pm_flow_backfill(struct pm_store *data,
			     const struct pm_flow_opts *o,
			     struct pm_flow_result *r, struct pm_buf *err)
{
	struct pm_table all;
	struct day_index idx = { 0 };
	struct pm_buf extra = PM_BUF_INIT, dir = PM_BUF_INIT;
	struct pm_fetched whole;
	struct pm_strmap done_days = PM_STRMAP_INIT;
	struct chunk chunk;
	struct run ru;
	enum pm_err ret;
	int64_t first, last, day;
	size_t i, total, done = 0, no_time = 0;
	int replay = !o->input && (o->file || o->url);
	double t0;

	memset(&whole, 0, sizeof(whole));
	pm_table_init(&all);
	pm_chunk_init(&chunk);
	ret = pm_flow_run_start(&ru, data, o, r, "backfill", err);
	if (ret)
		goto out;
	ru.raw_per_day = 1;
	first = o->from_day;
	last = o->to_day;
	if (o->input) {
		t0 = pm_flow_task_start(&ru, "parse");
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
		pm_flow_event(&ru, "parse", ret ? "Failed" : "Completed", t0,
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
		ret = pm_flow_fetch(&ru, &whole, &t0, err);
		pm_buf_reset(&extra);
		pm_buf_addf(&extra, "\"bytes\": %zu", whole.len);
		pm_flow_event(&ru, "fetch", ret ? "Failed" : "Completed", t0,
			      extra.buf);
		if (!ret) {
			t0 = pm_flow_task_start(&ru, "parse");
			ret = pm_flow_parse_pages(&ru, &whole, &all, err);
			pm_buf_reset(&extra);
			pm_buf_addf(&extra, "\"rows\": %zu", all.nr);
			pm_flow_event(&ru, "parse",
				      ret ? "Failed" : "Completed", t0,
				      extra.buf);
		}
		if (ret)
			goto out;
	}
	if (o->input || replay)
		day_index_build(&idx, &all, first, last);
	/* the days main has: one listing of the source's raw folder */
	days_on_main(&ru, &done_days);
	if ((o->input || replay) && o->commit_days > 1) {
		ret = pooled_days(&ru, &chunk, &all, &idx, replay, &whole,
				  &done_days, first, last, err);
		if (ret)
			goto out;
		last = first - 1; /* every day done */
	}
	for (day = first; day <= last; day++, done++) {
		char date[16];

		pm_date_format(day * 86400, date);
		if (o->progress)
			o->progress(o->ctx, done, total, date);
		pm_buf_setf(&dir, "date=%s", date);
		if (!o->force &&
		    pm_strmap_find(&done_days, dir.buf, dir.len) >= 0) {
			r->skipped++;
			continue;
		}
		ret = one_day(&ru, &chunk, day, date, &all, &idx, &whole,
			      replay, err);
		if (ret)
			goto out;
	}
	ret = pm_chunk_flush(&ru, &chunk, err);
	if (ret)
		goto out;
	if (o->progress)
		o->progress(o->ctx, total, total, NULL);
	if (!r->passed)
		ret = pm_errf(err, PM_ERR_GATE,
			      "Validation failed on %zu of %zu days; their "
			      "branches are kept (pm25 data branches)",
			      r->failed, r->batches);
out:
	if (ret && chunk.nr) {
		/* the days that passed before the error are kept */
		struct pm_buf why = PM_BUF_INIT;

		pm_chunk_flush(&ru, &chunk, &why);
		pm_buf_release(&why);
	}
	if (ru.flow)
		pm_flow_run_finish(&ru);
	pm_chunk_release(&chunk);
	pm_strmap_release(&done_days);
	day_index_release(&idx);
	pm_table_release(&all);
	pm_fetched_release(&whole);
	pm_buf_release(&extra);
	pm_buf_release(&dir);
	return ret;
}

static enum pm_err check(const struct pm_flow_run *fr, struct pm_buf *err)
{
	return pm_flow_wap_check(fr, 1, err);
}

static enum pm_err run(struct pm_flow_run *fr, struct pm_buf *err)
{
	return pm_flow_wap_run(fr, 1, err);
}

const struct pm_flow pm_flow_def_backfill = {
	.name = "backfill",
	.summary = "ingest-clean one local day at a time over a range",
	.tasks = pm_flow_wap_tasks,
	.params = pm_flow_wap_params,
	.needs = PM_FLOW_DATA,
	.check = check,
	.run = run,
};
