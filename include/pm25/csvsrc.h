/*
 * CSV files of every known layout into the canonical table: Air4Thai
 * history exports, the AirBKK long layout (Parameter, Value), the
 * Air4Thai web report (No,date,time,...), canonical pm25 files, and any
 * file whose headers map through the alias table.
 */
#ifndef PM25_CSVSRC_H
#define PM25_CSVSRC_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_table;
struct pm_missing;

struct pm_csv_opts {
	const struct pm_missing *missing; /* borrowed; NULL: defaults */
	unsigned zero_missing;	 /* bit (1 << col): a 0 there is missing */
	unsigned time_flags;	 /* enum pm_time_flags */
	const char *station;	 /* borrowed: id for files without one */
	const char *header;	 /* borrowed: exact header required */
	int strict_fields;	 /* more fields than the header is an error */
};

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
