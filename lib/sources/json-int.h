/*
 * Helpers shared by the JSON source drivers: loading a body with clear
 * errors, and reading the loosely typed values of the real APIs.
 */
#ifndef PM25_JSON_INT_H
#define PM25_JSON_INT_H

#include <jansson.h>
#include "pm25/err.h"
#include "pm25/num.h"

struct pm_buf;

/*
 * Parse body as JSON into *root (caller json_decref()s). Empty bodies,
 * HTML pages and syntax errors get one-line errors naming origin and the
 * line, column and byte offset.
 */
enum pm_err pm_json_load(const char *body, size_t len, const char *origin,
			 json_t **root, struct pm_buf *err);

/*
 * Classify a JSON value as a measurement: numbers, numeric strings,
 * null and marker strings. Returns the enum pm_cell class; *v is set
 * for PM_CELL_PRESENT.
 */
enum pm_cell pm_json_cell(const json_t *j, const struct pm_missing *m,
			  double *v);

/* A string member, or NULL. */
const char *pm_json_str(const json_t *obj, const char *key);

#endif
