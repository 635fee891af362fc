/*
 * CSV layouts into the canonical table. The header decides each field's
 * role; rows then go through the same cell rules whatever the layout.
 */
#include "pm25/compat.h"
#include "../limits.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/csv.h"
#include "pm25/csvsrc.h"
#include "pm25/num.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

enum role {
	R_IGNORE = 0,
	R_TIME,	   /* full timestamp */
	R_DATE,	   /* date only */
	R_CLOCK,   /* clock or interval */
	R_STATION,
	R_MEASURE, /* a canonical column */
	R_PARAM,   /* long layout: parameter name */
	R_VALUE,   /* long layout: value */
	R_FLAGS,
	R_NAME_TH,
	R_NAME_EN,
	R_LAT,
	R_LON,
	R_AREA_TH,
	R_AREA_EN,
	R_TYPE,
	R_COLOR, /* Air4Thai color_id: 0 means the AQI beside it is no data */
	R_LOCATION, /* "lat,long" in one field */
};

struct field_role {
	enum role role;
	int col;
};

struct alias {
	const char *name;
	enum role role;
	int col;
};

/* Header names, compared case-insensitively after unit suffixes go. */
static const struct alias aliases[] = {
	{ "DATETIMEDATA", R_TIME, 0 },	 { "Date_Time", R_TIME, 0 },
	{ "datetime", R_TIME, 0 },	 { "date_time", R_TIME, 0 },
	{ "timestamp", R_TIME, 0 },	 { "time_utc", R_TIME, 0 },
	{ "date", R_DATE, 0 },		 { "time", R_CLOCK, 0 },
	{ "hour", R_CLOCK, 0 },		 { "stationID", R_STATION, 0 },
	{ "station_id", R_STATION, 0 },	 { "station", R_STATION, 0 },
	{ "site_id", R_STATION, 0 },	 { "PM25", R_MEASURE, PM_COL_PM25 },
	{ "PM2.5", R_MEASURE, PM_COL_PM25 },
	{ "PM2_5", R_MEASURE, PM_COL_PM25 },
	{ "PM10", R_MEASURE, PM_COL_PM10 },
	{ "O3", R_MEASURE, PM_COL_O3 },	 { "CO", R_MEASURE, PM_COL_CO },
	{ "NO2", R_MEASURE, PM_COL_NO2 },
	{ "SO2", R_MEASURE, PM_COL_SO2 },
	{ "WS", R_MEASURE, PM_COL_WS },	 { "wind_speed", R_MEASURE, PM_COL_WS },
	{ "WD", R_MEASURE, PM_COL_WD },	 { "wind_dir", R_MEASURE, PM_COL_WD },
	{ "TEMP", R_MEASURE, PM_COL_TEMP },
	{ "temperature", R_MEASURE, PM_COL_TEMP },
	{ "RH", R_MEASURE, PM_COL_RH },	 { "humidity", R_MEASURE, PM_COL_RH },
	{ "aqi", R_MEASURE, PM_COL_AQI },
	{ "PM25.aqi", R_MEASURE, PM_COL_AQI_PM25 },
	{ "Parameter", R_PARAM, 0 },	 { "Value", R_VALUE, 0 },
	{ "flags", R_FLAGS, 0 },	 { "nameTH", R_NAME_TH, 0 },
	{ "name_th", R_NAME_TH, 0 },	 { "StationName", R_NAME_TH, 0 },
	{ "nameEN", R_NAME_EN, 0 },	 { "name_en", R_NAME_EN, 0 },
	{ "lat", R_LAT, 0 },		 { "latitude", R_LAT, 0 },
	{ "long", R_LON, 0 },		 { "lon", R_LON, 0 },
	{ "longitude", R_LON, 0 },	 { "No", R_IGNORE, 0 },
	{ "areaTH", R_AREA_TH, 0 },	 { "area_th", R_AREA_TH, 0 },
	{ "areaEN", R_AREA_EN, 0 },	 { "area_en", R_AREA_EN, 0 },
	{ "stationType", R_TYPE, 0 },	 { "station_type", R_TYPE, 0 },
	{ "PM25.color_id", R_COLOR, PM_COL_AQI_PM25 },
	{ "PM25.value", R_MEASURE, PM_COL_PM25_24H },
	{ "location", R_LOCATION, 0 },
	/* Thai headers of the web report */
	{ "วันที่", R_DATE, 0 },		 { "เวลา", R_CLOCK, 0 },
	{ "ลำดับ", R_IGNORE, 0 },		 { "สถานี", R_STATION, 0 },
	{ "รหัสสถานี", R_STATION, 0 },
};

/* Drop a trailing unit such as " (ug/m3)" or "[ppb]". */
static struct pm_str strip_unit(struct pm_str s)
{
	size_t i;

	s = pm_str_trim(s);
	for (i = 0; i < s.len; i++)
		if (s.ptr[i] == '(' || s.ptr[i] == '[')
			break;
	s.len = i;
	return pm_str_trim(s);
}

static const struct alias *find_alias(struct pm_str s)
{
	size_t i;
	int c;

	s = strip_unit(s);
	for (i = 0; i < PM_ARRAY_SIZE(aliases); i++)
		if (pm_str_ieq(s, aliases[i].name))
			return &aliases[i];
	/* canonical names such as aqi_pm25 */
	for (c = 0; c < PM_NCOLS; c++)
		if (pm_str_ieq(s, pm_col_name(c))) {
			static struct alias canon[PM_NCOLS];

			canon[c].name = pm_col_name(c);
			canon[c].role = R_MEASURE;
			canon[c].col = c;
			return &canon[c];
		}
	return NULL;
}

int pm_csv_measure_alias(const char *p, size_t n)
{
	struct pm_str s = { p, n };
	const struct alias *a = find_alias(s);

	return a && a->role == R_MEASURE ? a->col : -1;
}

struct layout {
	struct field_role *f;
	size_t nf;
	int time, date, clock, station, param, value, flags;
	int nr_measures;
	int aqi_us; /* values are US AQI (aqicn daily files) */
	int meta_only; /* a station list: metadata, no measurements */
	int nr_meta;
};

static void add_header_list(struct pm_buf *b, const struct pm_csv *c)
{
	size_t i;

	for (i = 0; i < c->nf && b->len < 200; i++) {
		if (i)
			pm_buf_addch(b, ',');
		pm_buf_add(b, c->f[i].ptr, c->f[i].len);
	}
	if (i < c->nf)
		pm_buf_addstr(b, ",...");
}

static enum pm_err detect(struct layout *l, const struct pm_csv *c,
			  const char *origin, const struct pm_csv_opts *o,
			  struct pm_buf *err)
{
	struct pm_buf hdr = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	size_t i;

	l->nf = c->nf;
	l->f = pm_xcalloc(c->nf, sizeof(*l->f));
	l->time = l->date = l->clock = l->station = -1;
	l->param = l->value = l->flags = -1;
	l->nr_measures = 0;
	for (i = 0; i < c->nf; i++) {
		const struct alias *a = find_alias(c->f[i]);
		int *slot = NULL;

		if (!a)
			continue;
		l->f[i].role = a->role;
		l->f[i].col = a->col;
		switch (a->role) {
		case R_TIME:
			slot = &l->time;
			break;
		case R_DATE:
			slot = &l->date;
			break;
		case R_CLOCK:
			slot = &l->clock;
			break;
		case R_STATION:
			slot = &l->station;
			break;
		case R_PARAM:
			slot = &l->param;
			break;
		case R_VALUE:
			slot = &l->value;
			break;
		case R_FLAGS:
			slot = &l->flags;
			break;
		case R_MEASURE:
			l->nr_measures++;
			break;
		case R_NAME_TH:
		case R_NAME_EN:
		case R_LOCATION:
		case R_LAT:
			l->nr_meta++;
			break;
		default:
			break;
		}
		if (slot && *slot >= 0) {
			/* a second column for the same role is ignored */
			l->f[i].role = R_IGNORE;
			continue;
		}
		if (slot)
			*slot = (int)i;
	}
	/*
	 * aqicn.org's historical download: "date, pm25, pm10, ..." with a
	 * space after each comma and daily US AQI values, not units.
	 */
	l->aqi_us = 0;
	if (l->date == 0 && l->time < 0 && l->clock < 0 && c->nf > 1 &&
	    c->f[1].len && c->f[1].ptr[0] == ' ') {
		static const int to_aqi[PM_NMEASURES] = {
			PM_COL_AQI_PM25, PM_COL_AQI_PM10, PM_COL_AQI_O3,
			PM_COL_AQI_CO,	 PM_COL_AQI_NO2,  PM_COL_AQI_SO2,
			-1, -1, -1, -1
		};

		l->aqi_us = 1;
		for (i = 1; i < c->nf; i++)
			if (l->f[i].role == R_MEASURE &&
			    l->f[i].col < PM_NMEASURES) {
				if (to_aqi[l->f[i].col] < 0)
					l->aqi_us = 0;
				else
					l->f[i].col = to_aqi[l->f[i].col];
			}
	}
	add_header_list(&hdr, c);
	if (l->time < 0 && l->date < 0 && l->station >= 0 && l->nr_meta &&
	    !l->nr_measures && l->param < 0) {
		/* a station list, such as stations.csv */
		l->meta_only = 1;
		goto out;
	}
	if (l->time < 0 && l->date < 0) {
		ret = pm_errf(err, PM_ERR_PARSE,
			      "%s: line %zu: unknown column layout: no time "
			      "column in header '%s'",
			      origin, c->rec_line, hdr.buf);
		goto out;
	}
	if ((l->param >= 0) != (l->value >= 0) ||
	    (l->param < 0 && !l->nr_measures)) {
		ret = pm_errf(err, PM_ERR_PARSE,
			      "%s: line %zu: unknown column layout: no "
			      "measurement columns in header '%s'",
			      origin, c->rec_line, hdr.buf);
		goto out;
	}
	if (l->station < 0 && !o->station) {
		ret = pm_errf(err, PM_ERR_USAGE,
			      "%s: no station column in header '%s'; name "
			      "the station with --station ID",
			      origin, hdr.buf);
		goto out;
	}
out:
	pm_buf_release(&hdr);
	return ret;
}

static int parse_time(const struct layout *l, const struct pm_csv *c,
		      unsigned flags, int64_t *t, struct pm_str *text)
{
	if (l->time >= 0) {
		*text = pm_str_trim(c->f[l->time]);
		return pm_time_parse(text->ptr, text->len, flags, t);
	}
	*text = pm_str_trim(c->f[l->date]);
	if (l->clock >= 0) {
		struct pm_str ck = pm_str_trim(c->f[l->clock]);
		int64_t days, secs;

		if (pm_date_parse(text->ptr, text->len, &days) ||
		    pm_clock_parse(ck.ptr, ck.len, &secs))
			return -1;
		*t = days * 86400 + secs -
		     ((flags & PM_TIME_NAIVE_UTC) ? 0 : PM_ICT_OFFSET);
		return 0;
	}
	if (!pm_time_parse(text->ptr, text->len, flags, t))
		return 0;
	{
		/* a date alone: daily data, labelled by local midnight */
		int64_t days;

		if (pm_date_parse(text->ptr, text->len, &days))
			return -1;
		*t = days * 86400 -
		     ((flags & PM_TIME_NAIVE_UTC) ? 0 : PM_ICT_OFFSET);
		return 0;
	}
}

static int is_footer(const struct layout *l, const struct pm_csv *c)
{
	struct pm_str first;
	size_t i;

	/* web reports end with summary rows: no row number, no date */
	if (l->date < 0 || l->f[0].role != R_IGNORE || !c->nf)
		return 0;
	first = pm_str_trim(c->f[0]);
	for (i = 0; i < first.len; i++)
		if (first.ptr[i] < '0' || first.ptr[i] > '9')
			return 1;
	return first.len == 0;
}

/* Classify one cell into row->val[col], counting into k. */
static inline void take_cell(struct pm_csv_row *row, int col, struct pm_str f,
			     const struct pm_missing *mk, unsigned zero_missing,
			     struct pm_csv_counts *k)
{
	struct pm_num n;
	enum pm_cell cl = pm_cell_parse(mk, f.ptr, f.len, &n);

	if (col < PM_NMEASURES) {
		if (cl == PM_CELL_MARKER)
			k->markers++;
		else if (cl == PM_CELL_JUNK)
			k->junk++;
	}
	if (cl != PM_CELL_PRESENT)
		return;
	if ((zero_missing & (1u << col)) && n.v == 0) {
		k->met_zero++;
		return;
	}
	row->val[col] = n;
	row->present |= 1u << col;
}

void pm_csv_take_cell(struct pm_csv_row *row, int col, struct pm_str f,
		      const struct pm_missing *mk, unsigned zero_missing,
		      struct pm_csv_counts *k)
{
	take_cell(row, col, f, mk, zero_missing, k);
}

static void clear_row(struct pm_csv_row *row);
static inline int same_text(const char *a, const char *b, size_t n);

/*
 * The common measurement cell: up to 15 digits with at most one point,
 * nothing else. 1 with *out filled exactly as pm_cell_parse fills it;
 * 0 for anything else, which then goes the general way.
 */
static inline int plain_number(const char *p, size_t n, struct pm_num *out)
{
	uint64_t m = 0;
	int scale = -1, digits = 0;
	size_t i;

	if (!n || n > 15)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';

		if (d < 10) {
			m = m * 10 + d;
			digits++;
			scale += scale >= 0;
		} else if (p[i] == '.' && scale < 0) {
			scale = 0;
		} else {
			return 0;
		}
	}
	if (!digits)
		return 0;
	scale = scale < 0 ? 0 : scale;
	out->mant = (int64_t)m;
	out->scale = scale;
	out->v = scale ? (double)m / pm_pow10_tab[scale] : (double)m;
	return 1;
}

/*
 * The first comma, newline, quote or CR at or after p, or end. Eight
 * bytes at a time where it can: a field then costs one step whatever its
 * length, and no branch per byte to guess wrong.
 */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* high bit set in the lowest byte of w equal to c (and maybe above it) */
#define HAS_BYTE(w, c) ((((w) ^ (ONES * (c))) - ONES) & ~((w) ^ (ONES * (c))) & HIGHS)

static inline const char *field_end(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		uint64_t w, hit;

		memcpy(&w, p, 8);
		hit = HAS_BYTE(w, ',') | HAS_BYTE(w, '\n') | HAS_BYTE(w, '"') |
		      HAS_BYTE(w, '\r');
		if (hit)
			return p + (__builtin_ctzll(hit) >> 3);
		p += 8;
	}
#endif
	while (p < end && *p != ',' && *p != '\n' && *p != '"' && *p != '\r')
		p++;
	return p;
}

/*
 * One line of a simple wide layout (a timestamp column, a station
 * column, measurement columns, ignored columns), without the tokenizer:
 * 1 when the line was read into row, 0 when it needs the general path
 * (quotes, a stray CR, blanks, the wrong number of fields), with c left
 * as it was.
 */
static int fast_line(const struct layout *l, struct pm_csv *c,
		     const struct pm_missing *mk, const struct pm_csv_opts *o,
		     struct pm_csv_row *row, struct pm_csv_counts *k)
{
	const char *p = c->p, *end = c->end, *fs[64];
	size_t nf = 0, i, n[64];
	struct pm_csv_counts kk = *k;
	int nonneg_markers = 0;

	if (l->nf > 64 || p >= end)
		return 0;
	for (i = 0; i < mk->nr_values; i++)
		nonneg_markers |= mk->values[i] >= 0;
	for (;;) {
		const char *f = p;

		p = field_end(p, end);
		if (p < end && *p == '\r' && (p + 1 == end || p[1] == '\n'))
			n[nf] = (size_t)(p - f), p++;
		else if (p < end && (*p == '"' || *p == '\r'))
			return 0;
		else
			n[nf] = (size_t)(p - f);
		if (nf == l->nf)
			return 0;
		fs[nf++] = f;
		if (p == end || *p == '\n')
			break;
		p++;
	}
	if (nf != l->nf || (nf == 1 && !n[0]))
		return 0;
	clear_row(row);
	row->meta_only = 0;
	row->time = PM_TIME_NONE;
	row->time_text.ptr = "";
	row->time_text.len = 0;
	row->flags = l->aqi_us ? PM_FLAG_AQI_US : 0;
	row->present = 0;
	row->line = (uint32_t)c->line;
	for (i = 0; i < nf; i++) {
		const struct field_role *fr = &l->f[i];
		struct pm_str s = { fs[i], n[i] };

		if (fr->role == R_MEASURE) {
			unsigned char f0 = n[i] ? (unsigned char)*fs[i] : 0;
			struct pm_num v;
			size_t j;

			if (n[i] && ((mk->first[f0 >> 3] >> (f0 & 7)) & 1) &&
			    f0 != ' ' && f0 != '\t' && fs[i][n[i] - 1] != ' ' &&
			    fs[i][n[i] - 1] != '\t') {
				/* most often a marker string itself: "-1" */
				for (j = 0; j < mk->nr_strings; j++)
					if (mk->lens[j] == n[i] &&
					    same_text(mk->strings[j], fs[i],
						      n[i]))
						break;
				if (j < mk->nr_strings) {
					kk.markers++;
					continue;
				}
			}
			if (!plain_number(fs[i], n[i], &v)) {
				take_cell(row, fr->col, s, mk, o->zero_missing,
					  &kk);
				continue;
			}
			/* plain numbers are >= 0: only such markers apply */
			for (j = 0; j < mk->nr_values && nonneg_markers; j++)
				if (v.v == mk->values[j])
					break;
			if (nonneg_markers && j < mk->nr_values) {
				kk.markers++;
			} else if ((o->zero_missing & (1u << fr->col)) &&
				   v.v == 0) {
				kk.met_zero++;
			} else {
				row->val[fr->col] = v;
				row->present |= 1u << fr->col;
			}
		} else if (fr->role == R_TIME) {
			row->time_text = pm_str_trim(s);
			if (pm_time_parse(row->time_text.ptr, row->time_text.len,
					  o->time_flags, &row->time))
				row->time = PM_TIME_NONE;
		} else if (fr->role == R_STATION) {
			row->station = pm_str_trim(s);
		}
	}
	*k = kk;
	c->rec_line = c->line++;
	c->p = p < end ? p + 1 : end;
	return 1;
}

static inline int same_text(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Whether every line of l can go through fast_line. */
static int fast_layout(const struct layout *l)
{
	size_t i;

	if (l->time < 0 || l->station < 0 || l->param >= 0 || l->meta_only ||
	    l->nf > 64)
		return 0;
	for (i = 0; i < l->nf; i++)
		if (l->f[i].role != R_IGNORE && l->f[i].role != R_TIME &&
		    l->f[i].role != R_STATION && l->f[i].role != R_MEASURE)
			return 0;
	return 1;
}

static void clear_row(struct pm_csv_row *row)
{
	static const struct pm_str none = { "", 0 };

	row->flags = 0;
	row->present = 0;
	row->name_th = row->name_en = row->area_th = row->area_en = none;
	row->type = none;
	row->lat = row->lon = NAN;
}

/*
 * Long-layout rows, merged by (station, hour) whatever their order in
 * the file: each parameter of an hour fills one column of the same row.
 * Rows keep their strings in one owned block each.
 */
struct long_row {
	struct pm_csv_row row;
	char *text; /* owned: the strings the views point into */
};

struct long_set {
	struct pm_strmap keys;
	struct long_row *v;
	size_t nr, alloc;
	struct pm_buf key;
};

static void own_strings(struct long_row *lr)
{
	struct pm_str *s[7];
	size_t total = 0, at = 0;
	int i;

	s[0] = &lr->row.station;
	s[1] = &lr->row.time_text;
	s[2] = &lr->row.name_th;
	s[3] = &lr->row.name_en;
	s[4] = &lr->row.area_th;
	s[5] = &lr->row.area_en;
	s[6] = &lr->row.type;
	for (i = 0; i < 7; i++)
		total += s[i]->len + 1;
	lr->text = pm_xmalloc(total);
	for (i = 0; i < 7; i++) {
		if (s[i]->len)
			memcpy(lr->text + at, s[i]->ptr, s[i]->len);
		lr->text[at + s[i]->len] = '\0';
		s[i]->ptr = lr->text + at;
		at += s[i]->len + 1;
	}
}

static void long_add(struct long_set *ls, const struct pm_csv_row *row)
{
	long k;
	int col;

	pm_buf_reset(&ls->key);
	pm_buf_add(&ls->key, row->station.ptr, row->station.len);
	if (row->time == PM_TIME_NONE)
		/* rows without a time never merge */
		pm_buf_addf(&ls->key, "\x1f#%u", row->line);
	else
		pm_buf_addf(&ls->key, "\x1f%lld", (long long)row->time);
	k = pm_strmap_find(&ls->keys, ls->key.buf, ls->key.len);
	if (k >= 0) {
		struct pm_csv_row *to = &ls->v[k].row;

		for (col = 0; col < PM_NCOLS; col++)
			if (row->present & (1u << col))
				to->val[col] = row->val[col];
		to->present |= row->present;
		return;
	}
	pm_strmap_intern(&ls->keys, ls->key.buf, ls->key.len);
	PM_ALLOC_GROW(ls->v, ls->nr + 1, ls->alloc);
	ls->v[ls->nr].row = *row;
	own_strings(&ls->v[ls->nr]);
	ls->nr++;
}

static void long_release(struct long_set *ls)
{
	size_t i;

	for (i = 0; i < ls->nr; i++)
		free(ls->v[i].text);
	free(ls->v);
	pm_strmap_release(&ls->keys);
	pm_buf_release(&ls->key);
	memset(ls, 0, sizeof(*ls));
}

/*
 * The fields of record c into row by their roles in l; the column whose
 * colour field says "no data" (or -1) is returned.
 */
static int take_fields(const struct layout *l, const struct pm_csv *c,
		       const struct pm_missing *mk,
		       const struct pm_csv_opts *o, struct pm_csv_row *row,
		       struct pm_csv_counts *k)
{
	int no_data_col = -1;
	size_t f;

	for (f = 0; f < l->nf; f++) {
		const struct field_role *fr = &l->f[f];
		struct pm_str v;

		switch (fr->role) {
		case R_MEASURE:
			take_cell(row, fr->col, c->f[f], mk,
				  o->zero_missing, k);
			break;
		case R_FLAGS: {
			struct pm_num n;

			v = pm_str_trim(c->f[f]);
			if (pm_cell_parse(NULL, v.ptr, v.len, &n) ==
				    PM_CELL_PRESENT &&
			    n.v >= 0 && n.v < 4294967296.0)
				row->flags = (uint32_t)n.v;
			break;
		}
		case R_COLOR:
			if (pm_str_eq(pm_str_trim(c->f[f]), "0"))
				no_data_col = fr->col;
			break;
		case R_NAME_TH:
			row->name_th = pm_str_trim(c->f[f]);
			break;
		case R_NAME_EN:
			row->name_en = pm_str_trim(c->f[f]);
			break;
		case R_AREA_TH:
			row->area_th = pm_str_trim(c->f[f]);
			break;
		case R_AREA_EN:
			row->area_en = pm_str_trim(c->f[f]);
			break;
		case R_TYPE:
			row->type = pm_str_trim(c->f[f]);
			break;
		case R_LOCATION: {
			/* "13.73,100.48" */
			struct pm_num a, b;
			const char *comma;

			v = pm_str_trim(c->f[f]);
			comma = memchr(v.ptr, ',', v.len);
			if (comma &&
			    pm_cell_parse(NULL, v.ptr,
					  (size_t)(comma - v.ptr), &a) ==
				    PM_CELL_PRESENT &&
			    pm_cell_parse(NULL, comma + 1,
					  v.len - (size_t)(comma + 1 -
							   v.ptr),
					  &b) == PM_CELL_PRESENT) {
				row->lat = a.v;
				row->lon = b.v;
			}
			break;
		}
		case R_LAT:
		case R_LON: {
			struct pm_num n;

			v = pm_str_trim(c->f[f]);
			if (pm_cell_parse(NULL, v.ptr, v.len, &n) ==
			    PM_CELL_PRESENT)
				*(fr->role == R_LAT ? &row->lat :
						      &row->lon) = n.v;
			break;
		}
		default:
			break;
		}
	}
	return no_data_col;
}

/*
 * The header of c: the contract's exact header if it asks for one, then
 * the layout, looking a few lines further when title lines come first.
 */
static enum pm_err read_header(struct pm_csv *c, struct layout *l,
			       const char *origin, const struct pm_csv_opts *o,
			       struct pm_buf *err)
{
	enum pm_err ret = PM_OK;
	int r;

	if (o->header) {
		struct pm_buf got = PM_BUF_INIT;
		size_t f;

		for (f = 0; f < c->nf; f++) {
			if (f)
				pm_buf_addch(&got, ',');
			pm_buf_add(&got, c->f[f].ptr, c->f[f].len);
		}
		if (strcmp(got.buf, o->header)) {
			ret = pm_errf(err, PM_ERR_PARSE,
				      "%s: line %zu: unexpected header '%s', "
				      "the contract requires '%s'",
				      origin, c->rec_line, got.buf, o->header);
			pm_buf_release(&got);
			return ret;
		}
		pm_buf_release(&got);
	}
	ret = detect(l, c, origin, o, err);
	if (ret == PM_ERR_PARSE && !o->header) {
		/*
		 * Report exports may start with title lines: look a few lines
		 * further for the header, and keep the first error if none.
		 */
		struct pm_buf first = PM_BUF_INIT;
		int tries;

		pm_buf_add(&first, err ? err->buf : "", err ? err->len : 0);
		for (tries = 0; ret && tries < 10; tries++) {
			free(l->f);
			l->f = NULL;
			do {
				r = pm_csv_next(c, NULL);
			} while (r > 0 && c->blank);
			if (r <= 0)
				break;
			ret = detect(l, c, origin, o, NULL);
		}
		if (ret && err) {
			pm_buf_reset(err);
			pm_buf_add(err, first.buf, first.len);
		}
		pm_buf_release(&first);
	}
	return ret;
}

enum pm_err pm_csv_read(const char *data, size_t len, const char *origin,
			const struct pm_csv_opts *o, pm_csv_row_fn *fn,
			void *ctx, struct pm_csv_counts *k, struct pm_buf *err)
{
	struct pm_missing defaults;
	const struct pm_missing *mk = o->missing;
	struct layout l = { 0 };
	struct long_set ls;
	struct pm_csv_row row;
	struct pm_csv c;
	enum pm_err ret = PM_OK;
	int r, fast;

	memset(k, 0, sizeof(*k));
	memset(&ls, 0, sizeof(ls));
	pm_strmap_init(&ls.keys);
	pm_buf_init(&ls.key);
	pm_missing_default(&defaults);
	if (!mk)
		mk = &defaults;
	pm_csv_init(&c, data, len);
	do {
		r = pm_csv_next(&c, err);
	} while (r > 0 && c.blank);
	if (r < 0) {
		pm_err_prefix(err, ": ");
		pm_err_prefix(err, origin);
		ret = PM_ERR_PARSE;
		goto out;
	}
	if (r == 0) {
		ret = pm_errf(err, PM_ERR_PARSE, "%s: empty file, no header",
			      origin);
		goto out;
	}
	ret = read_header(&c, &l, origin, o, err);
	if (ret)
		goto out;
	fast = !o->general_only && fast_layout(&l);
	for (;;) {
		int no_data_col = -1;
		size_t f;

		if (fast && fast_line(&l, &c, mk, o, &row, k)) {
			k->rows++;
			if (fn(ctx, &row)) {
				ret = pm_errf(err, PM_ERR_LIMIT,
					      "%s: line %zu: rejected by the "
					      "reader",
					      origin, c.rec_line);
				goto out;
			}
			continue;
		}
		r = pm_csv_next(&c, err);
		if (r <= 0)
			break;

		if (c.blank)
			continue;
		if (c.nf > l.nf) {
			for (f = l.nf; f < c.nf; f++)
				if (pm_str_trim(c.f[f]).len)
					break;
			if (o->strict_fields || f < c.nf) {
				ret = pm_errf(err, PM_ERR_PARSE,
					      "%s: line %zu: %zu fields, the "
					      "header has %zu",
					      origin, c.rec_line, c.nf, l.nf);
				goto out;
			}
			c.nf = l.nf;
		}
		while (c.nf < l.nf) {
			/* pad short rows with empty fields */
			if (c.nf + 1 > c.f_alloc)
				PM_ALLOC_GROW(c.f, c.nf + 1, c.f_alloc);
			c.f[c.nf].ptr = "";
			c.f[c.nf].len = 0;
			c.nf++;
		}
		if (is_footer(&l, &c))
			continue;
		clear_row(&row);
		row.meta_only = l.meta_only;
		row.time = PM_TIME_NONE;
		row.time_text.ptr = "";
		row.time_text.len = 0;
		if (!l.meta_only && parse_time(&l, &c, o->time_flags, &row.time,
					       &row.time_text))
			row.time = PM_TIME_NONE;
		if (l.station >= 0) {
			row.station = pm_str_trim(c.f[l.station]);
		} else {
			row.station.ptr = o->station;
			row.station.len = strlen(o->station);
		}
		row.line = (uint32_t)c.rec_line;
		if (l.aqi_us)
			row.flags |= PM_FLAG_AQI_US;
		no_data_col = take_fields(&l, &c, mk, o, &row, k);
		if (no_data_col >= 0 && (row.present & (1u << no_data_col))) {
			row.present &= ~(1u << no_data_col);
			k->markers++;
		}
		if (l.param >= 0) {
			int col = pm_csv_measure_alias(c.f[l.param].ptr,
						       c.f[l.param].len);

			if (col >= 0)
				take_cell(&row, col, c.f[l.value], mk,
					  o->zero_missing, k);
			/* long layout: parameters of one hour merge */
			long_add(&ls, &row);
			continue;
		}
		k->rows++;
		if (fn(ctx, &row)) {
			ret = pm_errf(err, PM_ERR_LIMIT, "%s: line %zu: rejected "
							 "by the reader",
				      origin, c.rec_line);
			goto out;
		}
	}
	if (r < 0) {
		pm_err_prefix(err, ": ");
		pm_err_prefix(err, origin);
		ret = PM_ERR_PARSE;
		goto out;
	}
	for (size_t j = 0; j < ls.nr && !ret; j++) {
		k->rows++;
		if (fn(ctx, &ls.v[j].row))
			ret = PM_ERR_LIMIT;
	}
out:
	pm_csv_release(&c);
	pm_missing_release(&defaults);
	long_release(&ls);
	free(l.f);
	return ret;
}

/* ------------------------------------------------------------ table sink */

static char *dup_str(struct pm_str s)
{
	s = pm_str_trim_name(s);
	return s.len ? pm_xmemdupz(s.ptr, s.len) : NULL;
}

static int to_table(void *ctx, const struct pm_csv_row *row)
{
	struct pm_table *t = ctx;
	uint32_t sid;
	size_t r;
	int col;

	if (row->meta_only && !row->station.len)
		return 0;

	if (t->nr && t->stations.lens[t->station[t->nr - 1]] ==
			     row->station.len &&
	    !memcmp(t->stations.keys[t->station[t->nr - 1]], row->station.ptr,
		    row->station.len))
		sid = t->station[t->nr - 1];
	else
		sid = pm_table_station(t, row->station.ptr, row->station.len);
	if (!row->meta_only) {
		r = pm_table_add(t, sid, row->time, row->line);
		if (row->time == PM_TIME_NONE)
			pm_table_note_bad_time(t, r, row->time_text.ptr,
					       row->time_text.len);
		t->flags[r] = row->flags;
		for (col = 0; col < PM_NCOLS; col++)
			if (row->present & (1u << col))
				t->col[col][r] = row->val[col].v;
	}
	if (row->name_th.len || row->name_en.len || row->area_th.len ||
	    row->area_en.len || row->type.len || !isnan(row->lat) ||
	    !isnan(row->lon)) {
		struct pm_station_meta *m = pm_table_meta(t, sid);

		if (!m->name_th)
			m->name_th = dup_str(row->name_th);
		if (!m->name_en)
			m->name_en = dup_str(row->name_en);
		if (!m->area_th)
			m->area_th = dup_str(row->area_th);
		if (!m->area_en)
			m->area_en = dup_str(row->area_en);
		if (!m->type)
			m->type = dup_str(row->type);
		if (!isnan(row->lat))
			m->lat = row->lat;
		if (!isnan(row->lon))
			m->lon = row->lon;
	}
	return 0;
}

enum pm_err pm_csv_to_table(const char *data, size_t len, const char *origin,
			    const struct pm_csv_opts *o, struct pm_table *t,
			    struct pm_buf *err)
{
	struct pm_csv_counts k;
	enum pm_err ret;

	ret = pm_csv_read(data, len, origin, o, to_table, t, &k, err);
	t->markers += k.markers;
	t->junk += k.junk;
	t->met_zero += k.met_zero;
	return ret;
}
