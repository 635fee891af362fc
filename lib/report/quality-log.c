/*
 * Reading back the quality reports on main (pm25/quality-log.h). Their
 * paths are quality/date=YYYY-MM-DD/RUN.json, so the listing's order is
 * the order of dates; the newest limit are read.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/quality-log.h"
#include "pm25/store.h"
#include "pm25/strv.h"

/* Fill e from the report text at path; 0 when it is one. */
static int read_entry(const char *path, const char *text, size_t len,
		      struct pm_quality_entry *e)
{
	const char *date = strstr(path, "date="), *run = strrchr(path, '/');
	json_t *o = json_loadb(text, len, 0, NULL), *rules, *r;
	size_t i;

	memset(e, 0, sizeof(*e));
	if (!o || !date || !run) {
		json_decref(o);
		return -1;
	}
	snprintf(e->date, sizeof(e->date), "%.10s", date + 5);
	snprintf(e->run, sizeof(e->run), "%.*s", (int)strcspn(run + 1, "."),
		 run + 1);
	e->score = json_number_value(json_object_get(o, "score"));
	e->passed = json_is_true(json_object_get(o, "passed"));
	e->input_rows =
		(size_t)json_integer_value(json_object_get(o, "input_rows"));
	e->accepted_rows =
		(size_t)json_integer_value(json_object_get(o, "accepted_rows"));
	rules = json_object_get(o, "rules");
	e->rule = pm_xcalloc(json_array_size(rules) + 1, sizeof(*e->rule));
	e->failed = pm_xcalloc(json_array_size(rules) + 1, sizeof(*e->failed));
	json_array_foreach(rules, i, r)
	{
		const char *name =
			json_string_value(json_object_get(r, "name"));

		if (!name)
			continue;
		e->rule[e->nrules] = pm_xstrdup(name);
		e->failed[e->nrules++] = (size_t)json_integer_value(
			json_object_get(r, "failed"));
	}
	json_decref(o);
	return 0;
}

enum pm_err pm_quality_log(struct pm_store *data, size_t limit,
			   struct pm_quality_entry **v, size_t *n,
			   struct pm_buf *err)
{
	struct pm_strv paths = PM_STRV_INIT;
	struct pm_buf text = PM_BUF_INIT;
	enum pm_err e;
	size_t i, first;

	*v = NULL;
	*n = 0;
	e = pm_store_list(data, "main", "quality/", &paths, err);
	if (e)
		goto out;
	first = paths.nr > limit ? paths.nr - limit : 0;
	*v = pm_xcalloc(paths.nr - first + 1, sizeof(**v));
	for (i = first; i < paths.nr; i++) {
		pm_buf_reset(&text);
		if (pm_store_get(data, "main", paths.v[i], &text, NULL))
			continue;
		if (!read_entry(paths.v[i], text.buf ? text.buf : "", text.len,
				&(*v)[*n]))
			(*n)++;
	}
out:
	pm_strv_release(&paths);
	pm_buf_release(&text);
	return e;
}

void pm_quality_log_free(struct pm_quality_entry *v, size_t n)
{
	size_t i, k;

	for (i = 0; v && i < n; i++) {
		for (k = 0; k < v[i].nrules; k++)
			free(v[i].rule[k]);
		free(v[i].rule);
		free(v[i].failed);
	}
	free(v);
}
