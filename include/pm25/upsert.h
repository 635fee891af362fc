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
struct pm_store;

/*
 * Replace the contents of out with the upsert of fresh (borrowed) into
 * old (borrowed; may be empty). Both must have the same header, with station_id and time_utc
 * columns. *changed is set when out differs from old.
 */
enum pm_err pm_csv_upsert(const char *old, size_t old_len, const char *fresh,
			  size_t fresh_len, struct pm_buf *out, int *changed,
			  struct pm_buf *err);

/* How the rows of two versions of a day file differ, by key. */
struct pm_row_change {
	char mark; /* '+' added, '-' removed, '~' changed */
	char *key; /* owned: "station_id,time_utc" as written */
};

#define PM_ROW_DIFF_KEYS 20

struct pm_row_diff {
	size_t added, removed, changed;
	struct pm_row_change keys[PM_ROW_DIFF_KEYS]; /* the first ones */
	size_t nr_keys;
};

/*
 * Compare the rows of old and new (borrowed; either may be empty) by
 * key: a key in one only is added or removed, a key in both whose
 * record differs is changed. Release d with pm_row_diff_release().
 */
enum pm_err pm_csv_row_diff(const char *old, size_t old_len, const char *new,
			    size_t new_len, struct pm_row_diff *d,
			    struct pm_buf *err);
void pm_row_diff_release(struct pm_row_diff *d);
/* d as indented text lines (a count, then a line per key). */
void pm_row_diff_text(const struct pm_row_diff *d, struct pm_buf *b);
/* d as `, "rows": {...}`, to end a diff entry's JSON object. */
void pm_row_diff_json(const struct pm_row_diff *d, struct pm_buf *b);
/*
 * The rows of day file path (clean/...csv) between refs a and b of s:
 * 1 with d filled (release it), 0 when path is not a day file or a
 * version cannot be read.
 */
int pm_store_row_diff(struct pm_store *s, const char *a, const char *b,
		      const char *path, struct pm_row_diff *d);

#endif
