/*
 * Reading the clean data back out of the store: the hourly table of a
 * ref, and per-station PM2.5 series for the model.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/csv.h"
#include "pm25/csvsrc.h"
#include "pm25/model.h"
#include "pm25/pipeline.h"
#include "pm25/store.h"
#include "pm25/strmap.h"
#include "pm25/strv.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

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
			ret = pm_csv_to_table(body.buf, body.len, files.v[i],
					      &co, &all, err);
	}
	pm_buf_reset(&body);
	if (!ret &&
	    !pm_store_get(data, commit, "stations/stations.csv", &body, NULL))
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
		ret = pm_errf(
			err, PM_ERR_DATA,
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

/* Files [from, to) of a ref's day files gathered into g, on a store. */
struct gather_job {
	struct pm_store *data; /* owned by the thread that reads */
	const char *commit;
	const struct pm_strv *files;
	size_t from, to;
	struct gather *g;
	enum pm_err ret;
	struct pm_buf err;
};

static void *gather_files(void *arg)
{
	struct gather_job *j = arg;
	struct pm_buf body = PM_BUF_INIT;
	struct pm_csv_opts co = { 0 };
	struct pm_csv_counts counts;
	size_t i;

	co.time_flags = PM_TIME_NAIVE_UTC;
	for (i = j->from; !j->ret && i < j->to; i++) {
		pm_buf_reset(&body);
		j->ret = pm_store_get(j->data, j->commit, j->files->v[i], &body,
				      &j->err);
		if (!j->ret)
			j->ret = pm_csv_read(body.buf, body.len, j->files->v[i],
					     &co, gather_row, j->g, &counts,
					     &j->err);
	}
	pm_buf_release(&body);
	return NULL;
}

/* The rows of b after a's, station by station (b's files came later). */
static void gather_join(struct gather *a, const struct gather *b)
{
	size_t i, m;
	int q;

	for (i = 0; i < b->ids.nr; i++) {
		uint32_t k = pm_strmap_intern(&a->ids, b->ids.keys[i],
					      b->ids.lens[i]);
		const struct hourly *y = &b->st[i];
		struct hourly *x;

		if (k >= a->st_alloc) {
			size_t n = a->st_alloc ? 2 * a->st_alloc : 16;

			while (n <= k)
				n *= 2;
			a->st = pm_xrealloc(a->st, n * sizeof(*a->st));
			memset(a->st + a->st_alloc, 0,
			       (n - a->st_alloc) * sizeof(*a->st));
			a->st_alloc = n;
		}
		x = &a->st[k];
		if (x->nr + y->nr > x->alloc) {
			x->alloc = x->nr + y->nr;
			x->hour = pm_xrealloc(x->hour,
					      x->alloc * sizeof(*x->hour));
			x->v = pm_xrealloc(x->v, x->alloc * sizeof(*x->v));
			for (q = 0; a->weather && q < PM_NWEATHER; q++)
				x->w[q] = pm_xrealloc(
					x->w[q], x->alloc * sizeof(double));
		}
		for (m = 0; m < y->nr; m++) {
			x->hour[x->nr + m] = y->hour[m];
			x->v[x->nr + m] = y->v[m];
			for (q = 0; a->weather && q < PM_NWEATHER; q++)
				x->w[q][x->nr + m] = y->w[q][m];
		}
		x->nr += y->nr;
	}
}

static void gather_release(struct gather *g)
{
	size_t i;
	int q;

	for (i = 0; i < g->st_alloc; i++) {
		free(g->st[i].hour);
		free(g->st[i].v);
		for (q = 0; q < PM_NWEATHER; q++)
			free(g->st[i].w[q]);
	}
	free(g->st);
	pm_strmap_release(&g->ids);
}

/*
 * The day files into g: the first half here, the second on a thread of
 * its own with the store opened again, joined in file order; the first
 * error in file order. One thread when the store cannot be opened again.
 */
static enum pm_err gather_halves(struct pm_store *data, const char *commit,
				 const struct pm_strv *files, struct gather *g,
				 struct pm_buf *err)
{
	struct gather g2;
	struct gather_job j[2];
	enum pm_err ret;
	pthread_t th;
	int threaded = 0, i;

	g2 = *g;
	pm_strmap_init(&g2.ids);
	g2.st = NULL;
	g2.st_alloc = 0;
	for (i = 0; i < 2; i++) {
		memset(&j[i], 0, sizeof(j[i]));
		j[i].commit = commit;
		j[i].files = files;
		j[i].from = i ? files->nr / 2 : 0;
		j[i].to = i ? files->nr : files->nr / 2;
		j[i].g = i ? &g2 : g;
		pm_buf_init(&j[i].err);
	}
	j[0].data = data;
	if (files->nr > 1 && !pm_store_reopen(data, &j[1].data, NULL))
		threaded = !pthread_create(&th, NULL, gather_files, &j[1]);
	gather_files(&j[0]);
	if (threaded) {
		pthread_join(th, NULL);
	} else {
		j[1].data = j[1].data ? j[1].data : data;
		gather_files(&j[1]);
	}
	ret = j[0].ret ? j[0].ret : j[1].ret;
	if (ret)
		pm_errf(err, ret, "%s", j[0].ret ? j[0].err.buf : j[1].err.buf);
	else
		gather_join(g, &g2);
	if (j[1].data != data)
		pm_store_close(j[1].data);
	gather_release(&g2);
	for (i = 0; i < 2; i++)
		pm_buf_release(&j[i].err);
	return ret;
}

enum pm_err pm_data_series(struct pm_store *data, const char *ref,
			   int64_t from_day, int64_t to_day,
			   const char *stations, struct pm_series_set *set,
			   char commit[PM_ID_MAX], struct pm_buf *err)
{
	struct pm_strv files = PM_STRV_INIT;
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
	ret = pm_store_resolve(data, ref, commit, err);
	if (!ret)
		ret = pm_store_list(data, commit, "clean/hourly/", &files, err);
	if (!ret)
		ret = gather_halves(data, commit, &files, &g, err);
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
	gather_release(&g);
	free(order);
	pm_strv_release(&files);
	return ret;
}
