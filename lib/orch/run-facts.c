/*
 * A run's tasks, data commit and model from its log's task events
 * (pm25/run-facts.h). An event is a JSON object with "task", "state"
 * and "duration_ms"; publish names the branch and commit, gate the
 * commit on main, and train-model's promote the artefact. Lines that
 * are not events (a flow's own messages) are skipped.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/records.h"
#include "pm25/run-facts.h"

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : NULL;
}

static void keep(char **slot, const char *s)
{
	if (!s)
		return;
	free(*slot);
	*slot = pm_xstrdup(s);
}

void pm_run_facts_read(const struct pm_log_line *v, size_t n,
		       struct pm_run_facts *f)
{
	size_t i, alloc = 0;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++) {
		json_t *o, *d;
		const char *task, *state;
		struct pm_run_task *t;

		if (!v[i].message || v[i].message[0] != '{')
			continue;
		o = json_loads(v[i].message, 0, NULL);
		task = o ? str(o, "task") : NULL;
		state = o ? str(o, "state") : NULL;
		if (!task || !state) {
			json_decref(o);
			continue;
		}
		PM_ALLOC_GROW(f->tasks, f->ntasks + 1, alloc);
		t = &f->tasks[f->ntasks++];
		t->name = pm_xstrdup(task);
		t->state = pm_xstrdup(state);
		t->end_ms = v[i].at_ms;
		d = json_object_get(o, "duration_ms");
		t->start_ms = t->end_ms -
			      (json_is_number(d) ?
				       (int64_t)llround(json_number_value(d)) :
				       0);
		if (!strcmp(task, "publish") || !strcmp(task, "land_raw"))
			keep(&f->branch, str(o, "branch"));
		if (!strcmp(task, "gate") &&
		    json_is_true(json_object_get(o, "merged")))
			keep(&f->commit, str(o, "main"));
		if (!strcmp(task, "promote")) {
			keep(&f->model, str(o, "model"));
			keep(&f->branch, str(o, "branch"));
			f->model_promoted =
				json_is_true(json_object_get(o, "promoted"));
		}
		json_decref(o);
	}
}

void pm_run_facts_release(struct pm_run_facts *f)
{
	size_t i;

	for (i = 0; i < f->ntasks; i++) {
		free(f->tasks[i].name);
		free(f->tasks[i].state);
	}
	free(f->tasks);
	free(f->branch);
	free(f->commit);
	free(f->model);
	memset(f, 0, sizeof(*f));
}

static void field(struct pm_buf *b, const char *key, const char *v)
{
	pm_buf_addf(b, "\"%s\": ", key);
	if (v)
		pm_buf_add_json_str(b, v, strlen(v));
	else
		pm_buf_addstr(b, "null");
}

void pm_run_facts_json(struct pm_buf *b, const struct pm_run_facts *f)
{
	char t0[32], t1[32];
	size_t i;

	pm_buf_addstr(b, ", \"tasks\": [");
	for (i = 0; i < f->ntasks; i++) {
		const struct pm_run_task *t = &f->tasks[i];

		pm_buf_addstr(b, i ? ", {" : "{");
		field(b, "name", t->name);
		pm_buf_addstr(b, ", ");
		field(b, "state", t->state);
		pm_buf_addf(b,
			    ", \"started\": \"%s\", \"ended\": \"%s\", "
			    "\"duration_s\": %.3f}",
			    pm_ms_text(t->start_ms, t0),
			    pm_ms_text(t->end_ms, t1),
			    (double)(t->end_ms - t->start_ms) / 1000);
	}
	pm_buf_addstr(b, "], \"data\": {");
	field(b, "branch", f->branch);
	pm_buf_addstr(b, ", ");
	field(b, "commit", f->commit);
	pm_buf_addstr(b, "}, \"model\": ");
	if (f->model) {
		pm_buf_addch(b, '{');
		field(b, "path", f->model);
		pm_buf_addf(b, ", \"promoted\": %s}",
			    f->model_promoted ? "true" : "false");
	} else {
		pm_buf_addstr(b, "null");
	}
}
