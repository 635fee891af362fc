/*
 * CSV files of every known layout into the canonical table: Air4Thai
 * history exports, the AirBKK long layout (Parameter, Value), the
 * Air4Thai web report (No,date,time,...), canonical pm25 files, and any
 * file whose headers map through the alias table.
 */
#ifndef PM25_CSVSRC_H
#define PM25_CSVSRC_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"
#include "pm25/num.h"
#include "pm25/str.h"
#include "pm25/table.h"

struct pm_buf;

struct pm_csv_opts {
	const struct pm_missing *missing; /* borrowed; NULL: defaults */
	unsigned zero_missing;	 /* bit (1 << col): a 0 there is missing */
	unsigned time_flags;	 /* enum pm_time_flags */
	const char *station;	 /* borrowed: id for files without one */
	const char *header;	 /* borrowed: exact header required */
	int strict_fields;	 /* more fields than the header is an error */
	int general_only;	 /* tests: no fast path for simple layouts */
};

/* One row as the reader hands it over. Views borrow the input. */
struct pm_csv_row {
	struct pm_str station;
	int64_t time;		  /* UTC seconds, PM_TIME_NONE if unparseable */
	struct pm_str time_text;  /* the trimmed timestamp text */
	uint32_t line;		  /* first line of the record */
	uint32_t flags;		  /* enum pm_row_flags */
	unsigned present;	  /* bit per column with a value */
	int meta_only;		  /* a station-list row: no measurements */
	struct pm_str name_th, name_en, area_th, area_en, type;
	double lat, lon;	  /* NaN when absent */
	struct pm_num val[PM_NCOLS]; /* valid where present */
};

struct pm_csv_counts {
	size_t rows;	 /* rows handed over */
	size_t markers;	 /* measurement cells holding a missing marker */
	size_t junk;	 /* measurement cells that are not numbers */
	size_t met_zero; /* zeros read as "no sensor" */
};

/*
 * Classify one cell's text f as the reader does: a missing marker (mk),
 * a number (into row->val[col] and row->present), a zero that zero_missing
 * reads as "no sensor", or junk; the measurement columns count into k.
 */
void pm_csv_take_cell(struct pm_csv_row *row, int col, struct pm_str f,
		      const struct pm_missing *mk, unsigned zero_missing,
		      struct pm_csv_counts *k);

/* Called once per row, in file order; return non-zero to stop. */
typedef int pm_csv_row_fn(void *ctx, const struct pm_csv_row *row);

/*
 * Stream the rows of data (borrowed; len bytes) to fn. Rows of the long
 * layout that share station and hour arrive merged. origin names the
 * input in errors ("FILE: line N: ...").
 */
enum pm_err pm_csv_read(const char *data, size_t len, const char *origin,
			const struct pm_csv_opts *o, pm_csv_row_fn *fn,
			void *ctx, struct pm_csv_counts *counts,
			struct pm_buf *err);

/*
 * Parse data (borrowed; len bytes) and append its rows to t. origin names
 * the input in errors ("FILE: line N: ..."). Cell counts go to t's
 * markers, junk and met_zero counters.
 */
enum pm_err pm_csv_to_table(const char *data, size_t len, const char *origin,
			    const struct pm_csv_opts *o, struct pm_table *t,
			    struct pm_buf *err);

/* Column of a header name through the alias table, or -1. */
int pm_csv_measure_alias(const char *ptr, size_t len);

#endif
