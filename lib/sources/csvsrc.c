/*
 * CSV layouts into the canonical table. The header decides each field's
 * role; rows then go through the same cell rules whatever the layout.
 */
#include "../compat.h"
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

static void set_cell(struct pm_table *t, size_t r, int col, struct pm_str s,
		     const struct pm_missing *mk, unsigned zero_missing)
{
	struct pm_num n;
	enum pm_cell k = pm_cell_parse(mk, s.ptr, s.len, &n);

	if (col < PM_NMEASURES) {
		if (k == PM_CELL_MARKER)
			t->markers++;
		else if (k == PM_CELL_JUNK)
			t->junk++;
	}
	if (k != PM_CELL_PRESENT)
		return;
	if ((zero_missing & (1u << col)) && n.v == 0) {
		t->met_zero++;
		return;
	}
	t->col[col][r] = n.v;
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

enum pm_err pm_csv_to_table(const char *data, size_t len, const char *origin,
			    const struct pm_csv_opts *o, struct pm_table *t,
			    struct pm_buf *err)
{
	struct pm_missing defaults;
	const struct pm_missing *mk = o->missing;
	struct layout l = { 0 };
	struct pm_csv c;
	enum pm_err ret = PM_OK;
	size_t last_row = SIZE_MAX;
	uint32_t fixed_station = 0;
	int r, no_data_col = -1;

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
	if (o->header) {
		struct pm_buf got = PM_BUF_INIT;
		size_t i;

		for (i = 0; i < c.nf; i++) {
			if (i)
				pm_buf_addch(&got, ',');
			pm_buf_add(&got, c.f[i].ptr, c.f[i].len);
		}
		if (strcmp(got.buf, o->header)) {
			ret = pm_errf(err, PM_ERR_PARSE,
				      "%s: line %zu: unexpected header '%s', "
				      "the contract requires '%s'",
				      origin, c.rec_line, got.buf, o->header);
			pm_buf_release(&got);
			goto out;
		}
		pm_buf_release(&got);
	}
	ret = detect(&l, &c, origin, o, err);
	if (ret)
		goto out;
	if (l.station < 0)
		fixed_station = pm_table_station(t, o->station,
						 strlen(o->station));
	while ((r = pm_csv_next(&c, err)) > 0) {
		struct pm_str st, tt;
		uint32_t sid;
		int64_t when;
		size_t row, i;
		int bad_time;

		if (c.blank)
			continue;
		if (c.nf > l.nf) {
			for (i = l.nf; i < c.nf; i++)
				if (pm_str_trim(c.f[i]).len)
					break;
			if (o->strict_fields || i < c.nf) {
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
		bad_time = parse_time(&l, &c, o->time_flags, &when, &tt);
		if (bad_time)
			when = PM_TIME_NONE;
		if (l.station >= 0) {
			st = pm_str_trim(c.f[l.station]);
			if (last_row != SIZE_MAX &&
			    t->stations.lens[t->station[last_row]] == st.len &&
			    !memcmp(t->stations.keys[t->station[last_row]],
				    st.ptr, st.len))
				sid = t->station[last_row];
			else
				sid = pm_table_station(t, st.ptr, st.len);
		} else {
			sid = fixed_station;
		}
		if (l.param >= 0 && last_row != SIZE_MAX && !bad_time &&
		    t->station[last_row] == sid && t->time[last_row] == when) {
			/* long layout: more parameters of the same hour */
			row = last_row;
		} else {
			row = pm_table_add(t, sid, when, (uint32_t)c.rec_line);
			if (bad_time)
				pm_table_note_bad_time(t, row, tt.ptr, tt.len);
		}
		last_row = row;
		no_data_col = -1;
		if (l.aqi_us)
			t->flags[row] |= PM_FLAG_AQI_US;
		for (i = 0; i < l.nf; i++) {
			const struct field_role *fr = &l.f[i];

			switch (fr->role) {
			case R_MEASURE:
				set_cell(t, row, fr->col, c.f[i], mk,
					 o->zero_missing);
				break;
			case R_FLAGS: {
				struct pm_str s = pm_str_trim(c.f[i]);
				struct pm_num n;

				if (pm_cell_parse(NULL, s.ptr, s.len, &n) ==
					    PM_CELL_PRESENT &&
				    n.v >= 0 && n.v < 4294967296.0)
					t->flags[row] = (uint32_t)n.v;
				break;
			}
			case R_COLOR: {
				struct pm_str s = pm_str_trim(c.f[i]);

				if (pm_str_eq(s, "0"))
					no_data_col = fr->col;
				break;
			}
			case R_NAME_TH:
			case R_NAME_EN:
			case R_AREA_TH:
			case R_AREA_EN:
			case R_TYPE:
			case R_LAT:
			case R_LON: {
				struct pm_station_meta *m =
					pm_table_meta(t, sid);
				struct pm_str s = pm_str_trim(c.f[i]);
				char **dst = fr->role == R_NAME_TH ? &m->name_th :
					     fr->role == R_NAME_EN ? &m->name_en :
					     fr->role == R_AREA_TH ? &m->area_th :
					     fr->role == R_AREA_EN ? &m->area_en :
								     &m->type;

				if (fr->role == R_LAT || fr->role == R_LON) {
					struct pm_num n;

					if (pm_cell_parse(NULL, s.ptr, s.len,
							  &n) == PM_CELL_PRESENT)
						*(fr->role == R_LAT ? &m->lat :
								      &m->lon) =
							n.v;
				} else if (!*dst && s.len) {
					*dst = pm_xmemdupz(s.ptr, s.len);
				}
				break;
			}
			default:
				break;
			}
		}
		if (no_data_col >= 0 && !isnan(t->col[no_data_col][row])) {
			t->col[no_data_col][row] = NAN;
			t->markers++;
		}
		if (l.param >= 0) {
			int col = pm_csv_measure_alias(c.f[l.param].ptr,
						       c.f[l.param].len);

			if (col >= 0)
				set_cell(t, row, col, c.f[l.value], mk,
					 o->zero_missing);
		}
	}
	if (r < 0) {
		pm_err_prefix(err, ": ");
		pm_err_prefix(err, origin);
		ret = PM_ERR_PARSE;
	}
out:
	pm_csv_release(&c);
	pm_missing_release(&defaults);
	free(l.f);
	return ret;
}
