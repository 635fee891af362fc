/*
 * What the YAML readers (contracts, deployments) share: errors that name
 * the file, line and column of a node, and scalar text. Internal to lib/.
 */
#ifndef PM25_YAML_UTIL_H
#define PM25_YAML_UTIL_H

#include <stdarg.h>
#include <yaml.h>
#include "pm25/err.h"

struct pm_buf;

/*
 * Replace err's text (if err is not NULL) with "ORIGIN:LINE:COL: " and
 * the message, at node n (NULL: 1:1); returns code.
 */
enum pm_err pm_yaml_vfail(struct pm_buf *err, enum pm_err code,
			  const char *origin, const yaml_node_t *n,
			  const char *fmt, va_list ap);

/*
 * Load the one YAML document of text (len bytes, borrowed) into doc,
 * after a pass over its events that refuses, before any document is
 * built: nesting deeper than PM_YAML_MAX_DEPTH, more than
 * PM_YAML_MAX_EVENTS events, anchors and aliases, a key twice in one
 * mapping, and a second document. Errors are code with
 * "ORIGIN:LINE:COL: ...". On success the caller frees doc with
 * yaml_document_delete().
 */
enum pm_err pm_yaml_load(const char *text, size_t len, const char *origin,
			 enum pm_err code, yaml_document_t *doc,
			 struct pm_buf *err);

/* The text of a scalar node; NULL for any other node or none. */
const char *pm_yaml_scalar(const yaml_node_t *n);

#endif
