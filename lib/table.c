/*
 * The canonical columnar table and its CSV form.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/csv.h"
#include "pm25/num.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

static const char *const col_names[PM_NCOLS] = {
	"pm25",	    "pm10",	"o3",	  "co",	     "no2",	"so2",
	"ws",	    "wd",	"temp",	  "rh",	     "aqi",	"aqi_pm25",
	"aqi_pm10", "aqi_o3",	"aqi_co", "aqi_no2", "aqi_so2",
	"pm25_24h", "pm10_24h", "o3_8h",  "co_8h",
};

static const char *const col_units[PM_NMEASURES] = {
	"ug/m3", "ug/m3", "ppb", "ppm", "ppb", "ppb", "m/s", "deg", "degC", "%",
};

const char *pm_col_name(int col)
{
	return col >= 0 && col < PM_NCOLS ? col_names[col] : NULL;
}

const char *pm_col_unit(int col)
{
	return col >= 0 && col < PM_NMEASURES ? col_units[col] : "";
}

int pm_col_lookup(const char *name, size_t len)
{
	int c;

	for (c = 0; c < PM_NCOLS; c++)
		if (strlen(col_names[c]) == len &&
		    !memcmp(col_names[c], name, len))
			return c;
	return -1;
}

void pm_table_init(struct pm_table *t)
{
	memset(t, 0, sizeof(*t));
	pm_strmap_init(&t->stations);
}

void pm_table_release(struct pm_table *t)
{
	size_t i;
	int c;

	free(t->station);
	free(t->time);
	for (c = 0; c < PM_NCOLS; c++)
		free(t->col[c]);
	free(t->flags);
	free(t->line);
	for (i = 0; i < t->meta_alloc && t->meta; i++) {
		struct pm_station_meta *m = &t->meta[i];

		free(m->name_th);
		free(m->name_en);
		free(m->area_th);
		free(m->area_en);
		free(m->type);
	}
	free(t->meta);
	for (i = 0; i < t->nr_bad; i++)
		free(t->bad[i].text);
	free(t->bad);
	pm_strmap_release(&t->stations);
	pm_table_init(t);
}

uint32_t pm_table_station(struct pm_table *t, const char *p, size_t n)
{
	return pm_strmap_intern(&t->stations, p, n);
}

void pm_table_note_bad_time(struct pm_table *t, size_t r, const char *p,
			    size_t n)
{
	PM_ALLOC_GROW(t->bad, t->nr_bad + 1, t->bad_alloc);
	t->bad[t->nr_bad].row = r;
	t->bad[t->nr_bad].text = pm_xmemdupz(p, n);
	t->nr_bad++;
}

static void take_str(char **dst, const char *src, int replace)
{
	if (!src || (*dst && !replace))
		return;
	free(*dst);
	*dst = pm_xstrdup(src);
}

void pm_table_meta_take(struct pm_table *dst, const struct pm_table *src,
			int replace)
{
	size_t i;

	for (i = 0; i < src->stations.nr && i < src->meta_alloc; i++) {
		const struct pm_station_meta *m = &src->meta[i];
		struct pm_station_meta *a;

		if (!m->name_th && !m->name_en && isnan(m->lat))
			continue;
		a = pm_table_meta(dst,
				  pm_table_station(dst, src->stations.keys[i],
						   src->stations.lens[i]));
		take_str(&a->name_th, m->name_th, replace);
		take_str(&a->name_en, m->name_en, replace);
		take_str(&a->area_th, m->area_th, replace);
		take_str(&a->area_en, m->area_en, replace);
		take_str(&a->type, m->type, replace);
		if (!isnan(m->lat) && (replace || isnan(a->lat)))
			a->lat = m->lat;
		if (!isnan(m->lon) && (replace || isnan(a->lon)))
			a->lon = m->lon;
	}
}

void pm_table_truncate(struct pm_table *t, size_t nr)
{
	if (nr >= t->nr)
		return;
	t->nr = nr;
	while (t->nr_bad && t->bad[t->nr_bad - 1].row >= nr)
		free(t->bad[--t->nr_bad].text);
}

struct pm_station_meta *pm_table_meta(struct pm_table *t, uint32_t s)
{
	if (s >= t->meta_alloc) {
		size_t n = t->stations.nr > s ? t->stations.nr : s + 1, i;

		n = n < 16 ? 16 : n * 2;
		t->meta = pm_xrealloc(t->meta, n * sizeof(*t->meta));
		for (i = t->meta_alloc; i < n; i++) {
			memset(&t->meta[i], 0, sizeof(t->meta[i]));
			t->meta[i].lat = t->meta[i].lon = NAN;
		}
		t->meta_alloc = n;
	}
	return &t->meta[s];
}

size_t pm_table_add(struct pm_table *t, uint32_t station, int64_t time,
		    uint32_t line)
{
	size_t r = t->nr;
	int c;

	if (t->nr + 1 > t->alloc) {
		size_t n = t->alloc < 64 ? 64 : t->alloc * 2;

		t->station = pm_xrealloc(t->station, n * sizeof(*t->station));
		t->time = pm_xrealloc(t->time, n * sizeof(*t->time));
		for (c = 0; c < PM_NCOLS; c++)
			t->col[c] = pm_xrealloc(t->col[c],
						n * sizeof(*t->col[c]));
		t->flags = pm_xrealloc(t->flags, n * sizeof(*t->flags));
		t->line = pm_xrealloc(t->line, n * sizeof(*t->line));
		t->alloc = n;
	}
	t->station[r] = station;
	t->time[r] = time;
	for (c = 0; c < PM_NCOLS; c++)
		t->col[c][r] = NAN;
	t->flags[r] = 0;
	t->line[r] = line;
	t->nr++;
	return r;
}

/* Make room for exactly n rows in every array of t. */
static void table_reserve(struct pm_table *t, size_t n)
{
	int c;

	if (t->alloc >= n)
		return;
	t->station = pm_xrealloc(t->station, n * sizeof(*t->station));
	t->time = pm_xrealloc(t->time, n * sizeof(*t->time));
	for (c = 0; c < PM_NCOLS; c++)
		t->col[c] = pm_xrealloc(t->col[c], n * sizeof(*t->col[c]));
	t->flags = pm_xrealloc(t->flags, n * sizeof(*t->flags));
	t->line = pm_xrealloc(t->line, n * sizeof(*t->line));
	t->alloc = n;
}

void pm_table_append(struct pm_table *dst, struct pm_table *src)
{
	size_t i, base = dst->nr, n = src->nr;
	int c;

	if (!dst->nr && !dst->stations.nr && !dst->nr_bad && !dst->meta) {
		/* nothing to join: take src whole */
		pm_table_release(dst);
		*dst = *src;
		pm_table_init(src);
		return;
	}
	table_reserve(dst, base + n + 1);
	/* an array at a time, each freed once copied: the rows are held
	 * about once, not twice */
	for (i = 0; i < n; i++)
		dst->station[base + i] = pm_table_station(
			dst, src->stations.keys[src->station[i]],
			src->stations.lens[src->station[i]]);
	free(src->station);
	src->station = NULL;
	if (n)
		memcpy(dst->time + base, src->time, n * sizeof(*dst->time));
	free(src->time);
	src->time = NULL;
	for (c = 0; c < PM_NCOLS; c++) {
		if (n)
			memcpy(dst->col[c] + base, src->col[c],
			       n * sizeof(double));
		free(src->col[c]);
		src->col[c] = NULL;
	}
	if (n) {
		memcpy(dst->flags + base, src->flags, n * sizeof(*dst->flags));
		memcpy(dst->line + base, src->line, n * sizeof(*dst->line));
	}
	dst->nr = base + n;
	for (i = 0; i < src->nr_bad; i++)
		pm_table_note_bad_time(dst, base + src->bad[i].row,
				       src->bad[i].text,
				       strlen(src->bad[i].text));
	dst->markers += src->markers;
	dst->junk += src->junk;
	dst->met_zero += src->met_zero;
	if (src->meta)
		pm_table_meta_take(dst, src, 0);
	pm_table_release(src);
	pm_table_init(src);
}

static const struct pm_table *sort_table;

static int cmp_rows(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct pm_strmap *m = &sort_table->stations;
	uint32_t sx = sort_table->station[x], sy = sort_table->station[y];
	int64_t tx = sort_table->time[x], ty = sort_table->time[y];

	if (sx != sy) {
		size_t lx = m->lens[sx], ly = m->lens[sy];
		int c = memcmp(m->keys[sx], m->keys[sy], lx < ly ? lx : ly);

		if (c)
			return c;
		if (lx != ly)
			return lx < ly ? -1 : 1;
	}
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return x < y ? -1 : (x > y);
}

void pm_table_sort(struct pm_table *t, int merge)
{
	size_t *idx, i, out = 0;
	struct pm_table tmp;
	int c;

	if (!t->nr)
		return;
	idx = pm_xmalloc(t->nr * sizeof(*idx));
	for (i = 0; i < t->nr; i++)
		idx[i] = i;
	sort_table = t;
	qsort(idx, t->nr, sizeof(*idx), cmp_rows);
	sort_table = NULL;

	tmp = *t;
	tmp.station = pm_xmalloc(t->nr * sizeof(*tmp.station));
	tmp.time = pm_xmalloc(t->nr * sizeof(*tmp.time));
	for (c = 0; c < PM_NCOLS; c++)
		tmp.col[c] = pm_xmalloc(t->nr * sizeof(*tmp.col[c]));
	tmp.flags = pm_xmalloc(t->nr * sizeof(*tmp.flags));
	tmp.line = pm_xmalloc(t->nr * sizeof(*tmp.line));
	for (i = 0; i < t->nr; i++) {
		size_t r = idx[i];

		if (merge && out && tmp.station[out - 1] == t->station[r] &&
		    tmp.time[out - 1] == t->time[r] &&
		    t->time[r] != PM_TIME_NONE) {
			for (c = 0; c < PM_NCOLS; c++)
				if (!isnan(t->col[c][r]))
					tmp.col[c][out - 1] = t->col[c][r];
			tmp.flags[out - 1] |= t->flags[r];
			continue;
		}
		tmp.station[out] = t->station[r];
		tmp.time[out] = t->time[r];
		for (c = 0; c < PM_NCOLS; c++)
			tmp.col[c][out] = t->col[c][r];
		tmp.flags[out] = t->flags[r];
		tmp.line[out] = t->line[r];
		out++;
	}
	free(idx);
	free(t->station);
	free(t->time);
	for (c = 0; c < PM_NCOLS; c++)
		free(t->col[c]);
	free(t->flags);
	free(t->line);
	tmp.nr = out;
	tmp.alloc = t->nr;
	*t = tmp;
}

int pm_table_col_used(const struct pm_table *t, int c)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (!isnan(t->col[c][i]))
			return 1;
	return 0;
}

static void add_value(struct pm_buf *out, double v)
{
	char tmp[64];

	if (isnan(v))
		return;
	pm_buf_add(out, tmp,
		   (size_t)pm_num_format_shortest(tmp, sizeof(tmp), v));
}

void pm_table_write_csv(const struct pm_table *t, struct pm_buf *out)
{
	int used[PM_NCOLS] = { 0 }, any_aqi = 0, c;
	size_t i;

	for (c = PM_NMEASURES; c < PM_NCOLS; c++)
		any_aqi |= used[c] = pm_table_col_used(t, c);
	pm_buf_addstr(out, "station_id,time_utc");
	for (c = 0; c < PM_NMEASURES; c++)
		pm_buf_addf(out, ",%s", col_names[c]);
	pm_buf_addstr(out, ",flags");
	for (c = PM_NMEASURES; any_aqi && c < PM_NCOLS; c++)
		pm_buf_addf(out, ",%s", col_names[c]);
	pm_buf_addch(out, '\n');
	for (i = 0; i < t->nr; i++) {
		uint32_t s = t->station[i];
		char ts[32];

		pm_csv_add_field(out, t->stations.keys[s], t->stations.lens[s]);
		pm_buf_addch(out, ',');
		if (t->time[i] != PM_TIME_NONE) {
			pm_time_format(t->time[i], ts);
			pm_buf_addstr(out, ts);
		}
		for (c = 0; c < PM_NMEASURES; c++) {
			pm_buf_addch(out, ',');
			add_value(out, t->col[c][i]);
		}
		{
			/* the flags, without printf: a row's last cost */
			char d[12];
			size_t n = sizeof(d);
			uint32_t f = t->flags[i];

			do {
				d[--n] = (char)('0' + f % 10);
				f /= 10;
			} while (f);
			pm_buf_addch(out, ',');
			pm_buf_add(out, d + n, sizeof(d) - n);
		}
		for (c = PM_NMEASURES; any_aqi && c < PM_NCOLS; c++) {
			pm_buf_addch(out, ',');
			add_value(out, t->col[c][i]);
		}
		pm_buf_addch(out, '\n');
	}
}

static void add_opt(struct pm_buf *out, const char *s)
{
	pm_buf_addch(out, ',');
	if (s)
		pm_csv_add_field(out, s, strlen(s));
}

void pm_table_write_stations(const struct pm_table *t, struct pm_buf *out)
{
	size_t s;

	pm_buf_addstr(out, "station_id,name_th,name_en,area_th,area_en,type,lat,"
			   "lon\n");
	for (s = 0; s < t->stations.nr; s++) {
		const struct pm_station_meta *m =
			s < t->meta_alloc && t->meta ? &t->meta[s] : NULL;

		pm_csv_add_field(out, t->stations.keys[s], t->stations.lens[s]);
		add_opt(out, m ? m->name_th : NULL);
		add_opt(out, m ? m->name_en : NULL);
		add_opt(out, m ? m->area_th : NULL);
		add_opt(out, m ? m->area_en : NULL);
		add_opt(out, m ? m->type : NULL);
		pm_buf_addch(out, ',');
		if (m)
			add_value(out, m->lat);
		pm_buf_addch(out, ',');
		if (m)
			add_value(out, m->lon);
		pm_buf_addch(out, '\n');
	}
}
