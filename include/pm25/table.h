/*
 * The canonical table: one row per (station, hour), columnar. Station ids
 * are dictionary-encoded, times are int64 UTC seconds, measurements are
 * doubles with NaN for missing. The table owns every column.
 */
#ifndef PM25_TABLE_H
#define PM25_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "pm25/err.h"
#include "pm25/strmap.h"

struct pm_buf;

/* Measurement columns, in canonical order; then the AQI columns. */
enum pm_col {
	PM_COL_PM25 = 0, /* ug/m3 */
	PM_COL_PM10,	 /* ug/m3 */
	PM_COL_O3,	 /* ppb */
	PM_COL_CO,	 /* ppm */
	PM_COL_NO2,	 /* ppb */
	PM_COL_SO2,	 /* ppb */
	PM_COL_WS,	 /* m/s */
	PM_COL_WD,	 /* degrees */
	PM_COL_TEMP,	 /* degrees C */
	PM_COL_RH,	 /* % */
	PM_NMEASURES,
	PM_COL_AQI = PM_NMEASURES, /* overall index as published */
	PM_COL_AQI_PM25,
	PM_COL_AQI_PM10,
	PM_COL_AQI_O3,
	PM_COL_AQI_CO,
	PM_COL_AQI_NO2,
	PM_COL_AQI_SO2,
	/* Means over the Thai AQI averaging periods, as a feed publishes them. */
	PM_COL_PM25_24H,
	PM_COL_PM10_24H,
	PM_COL_O3_8H,
	PM_COL_CO_8H,
	PM_NCOLS
};

/* Per-row flags, written as an integer bit set in the flags column. */
enum pm_row_flags {
	PM_FLAG_INTERPOLATED = (1 << 0), /* pm25 filled from neighbours */
	PM_FLAG_OUTLIER = (1 << 1),	 /* failed a warn-severity rule */
	PM_FLAG_ADDED = (1 << 2),	 /* hour added by the hourly grid */
	PM_FLAG_AQI_US = (1 << 3),	 /* AQI columns are US EPA, not Thai */
};

/* Lower-case column name ("pm25", "aqi_pm25"); NULL for a bad index. */
const char *pm_col_name(int col);
/* Unit of a measurement column ("ug/m3"), or "" */
const char *pm_col_unit(int col);
/* Column of a canonical lower-case name, or -1. */
int pm_col_lookup(const char *name, size_t len);

struct pm_station_meta {
	char *name_th, *name_en, *area_th, *area_en, *type; /* owned or NULL */
	double lat, lon;				     /* NaN if unknown */
};

struct pm_table {
	size_t nr, alloc;
	uint32_t *station;	 /* index into stations */
	int64_t *time;		 /* UTC seconds, PM_TIME_NONE if unparseable */
	double *col[PM_NCOLS];	 /* NaN = missing */
	uint32_t *flags;	 /* enum pm_row_flags */
	uint32_t *line;		 /* source line, 0 if none */
	struct pm_strmap stations;
	struct pm_station_meta *meta; /* parallel to stations, or NULL */
	size_t meta_alloc;
	/* Cell counts from parsing, over all rows. */
	size_t markers, junk, met_zero;
	/* The text of each unparseable timestamp, in row order. */
	struct pm_bad_time {
		size_t row;
		char *text; /* owned */
	} *bad;
	size_t nr_bad, bad_alloc;
};

void pm_table_init(struct pm_table *t);
void pm_table_release(struct pm_table *t);
/* Station index of id (ptr, len), added if new. */
uint32_t pm_table_station(struct pm_table *t, const char *ptr, size_t len);
/* Remember the text of row r's unparseable timestamp. */
void pm_table_note_bad_time(struct pm_table *t, size_t r, const char *ptr,
			    size_t len);
/*
 * The station metadata of src into dst (its stations added as need be):
 * src's values replace dst's with replace, else fill only what dst
 * lacks. Stations of src with no name and no position are skipped.
 */
void pm_table_meta_take(struct pm_table *dst, const struct pm_table *src,
			int replace);
/*
 * Move the rows of src to the end of dst, in order: their stations
 * (added to dst as need be), unparseable timestamps and cell counts;
 * metadata as pm_table_meta_take(dst, src, 0). src is left empty, its
 * arrays freed one by one as they are copied.
 */
void pm_table_append(struct pm_table *dst, struct pm_table *src);
/* Drop the rows from nr on, with their unparseable timestamps' text. */
void pm_table_truncate(struct pm_table *t, size_t nr);
/* Metadata slot of station s; allocated on first use, owned by t. */
struct pm_station_meta *pm_table_meta(struct pm_table *t, uint32_t s);
/* Append a row with every value missing; returns its index. */
size_t pm_table_add(struct pm_table *t, uint32_t station, int64_t time,
		    uint32_t line);
/*
 * Sort rows by station id (bytes), then time; stable. With merge, rows
 * with equal (station, time) become one: later non-missing values win.
 */
void pm_table_sort(struct pm_table *t, int merge);
/* 1 if column c has any non-missing value. */
int pm_table_col_used(const struct pm_table *t, int c);

/*
 * Write the canonical CSV: station_id,time_utc,<10 measures>,flags and,
 * when any is present, the AQI and averaged columns. Values print in shortest
 * round-trip form; missing is empty.
 */
void pm_table_write_csv(const struct pm_table *t, struct pm_buf *out);
/* Write stations.csv: id,name_th,name_en,area_th,area_en,type,lat,lon. */
void pm_table_write_stations(const struct pm_table *t, struct pm_buf *out);

#endif
