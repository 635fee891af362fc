/*
 * What the source drivers share: cell setting with the common missing
 * rules, and local-time parsing.
 */
#ifndef PM25_SOURCE_INT_H
#define PM25_SOURCE_INT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct pm_table;
struct pm_source_req;

/*
 * Set column col of row r from a JSON value, applying req's markers and
 * zero rule and counting markers, junk and met zeros in t.
 */
void pm_source_set_json(struct pm_table *t, size_t r, int col,
			const json_t *v, const struct pm_source_req *req);

/* The missing-value rules of req, or the Air4Thai defaults. */
const struct pm_missing *pm_source_missing(const struct pm_source_req *req);

#endif
