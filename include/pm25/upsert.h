/*
 * Upserting one CSV table into another by key (station_id, time_utc):
 * rows of the new table replace rows of the old one with the same key,
 * other rows of both are kept, and the result is sorted by station id
 * (bytes), then time. This is how a run updates a day file.
 */
#ifndef PM25_UPSERT_H
#define PM25_UPSERT_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_buf;

/*
 * Replace the contents of out with the upsert of fresh (borrowed) into
 * old (borrowed; may be empty). Both must have the same header, with station_id and time_utc
 * columns. *changed is set when out differs from old.
 */
enum pm_err pm_csv_upsert(const char *old, size_t old_len, const char *fresh,
			  size_t fresh_len, struct pm_buf *out, int *changed,
			  struct pm_buf *err);

#endif
