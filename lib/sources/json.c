/*
 * JSON helpers for the source drivers.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "json-int.h"

static void add_excerpt(struct pm_buf *b, const char *p, size_t len)
{
	size_t i;

	pm_buf_addch(b, '\'');
	for (i = 0; i < len && i < 40; i++)
		pm_buf_addch(b, (p[i] == '\n' || p[i] == '\r' ||
				 p[i] == '\t') ?
					' ' :
					p[i]);
	pm_buf_addstr(b, i < len ? "...'" : "'");
}

enum pm_err pm_json_load(const char *body, size_t len, const char *origin,
			 json_t **root, struct pm_buf *err)
{
	json_error_t je;
	size_t i = 0;

	*root = NULL;
	while (i < len && (body[i] == ' ' || body[i] == '\n' ||
			   body[i] == '\r' || body[i] == '\t'))
		i++;
	if (i == len)
		return pm_errf(err, PM_ERR_PARSE,
			       "%s: empty body where JSON was expected",
			       origin);
	if (body[i] == '<') {
		pm_errf(err, PM_ERR_PARSE,
			"%s: byte %zu: expected JSON, got HTML or XML: ",
			origin, i);
		add_excerpt(err, body + i, len - i);
		return PM_ERR_PARSE;
	}
	*root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!*root)
		return pm_errf(err, PM_ERR_PARSE,
			       "%s: line %d column %d (byte %d): %s", origin,
			       je.line, je.column, je.position, je.text);
	return PM_OK;
}

enum pm_cell pm_json_cell(const json_t *j, const struct pm_missing *m,
			  double *v)
{
	struct pm_num n;
	enum pm_cell c;
	size_t i;

	if (!j || json_is_null(j))
		return PM_CELL_MARKER;
	if (json_is_number(j)) {
		*v = json_number_value(j);
		for (i = 0; m && i < m->nr_values; i++)
			if (*v == m->values[i])
				return PM_CELL_MARKER;
		return isfinite(*v) ? PM_CELL_PRESENT : PM_CELL_JUNK;
	}
	if (!json_is_string(j))
		return PM_CELL_JUNK;
	c = pm_cell_parse(m, json_string_value(j), json_string_length(j), &n);
	*v = n.v;
	return c;
}

const char *pm_json_str(const json_t *obj, const char *key)
{
	json_t *j = json_object_get(obj, key);

	return json_is_string(j) ? json_string_value(j) : NULL;
}
