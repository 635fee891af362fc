/*
 * One JSON encoder per state record (pm25/records.h), for every --json
 * and the HTTP API.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/buf.h"
#include "pm25/deployment.h"
#include "pm25/records.h"
#include "pm25/timeutil.h"

/* ", "key": "value"" (or null); no comma before the first. */
static void str(struct pm_buf *b, const char *key, const char *v, int comma)
{
	pm_buf_addf(b, "%s\"%s\": ", comma ? ", " : "", key);
	if (v)
		pm_buf_add_json_str(b, v, strlen(v));
	else
		pm_buf_addstr(b, "null");
}

static void ms(struct pm_buf *b, const char *key, int64_t v)
{
	if (v == PM_MS_NONE)
		pm_buf_addf(b, ", \"%s\": null", key);
	else
		pm_buf_addf(b, ", \"%s\": %lld", key, (long long)v);
}

/* A JSON object's text as it is, or null. */
static void raw(struct pm_buf *b, const char *key, const char *v)
{
	pm_buf_addf(b, ", \"%s\": %s", key, v ? v : "null");
}

/* A run's fields; its parameters too when params. */
static void run_fields(struct pm_buf *b, const struct pm_run *r, int params)
{
	str(b, "id", r->id, 0);
	str(b, "flow", r->flow, 1);
	str(b, "deployment", r->deployment, 1);
	str(b, "pool", r->pool, 1);
	str(b, "state", pm_run_state_name(r->state), 1);
	str(b, "state_reason", r->reason, 1);
	if (params)
		raw(b, "parameters", r->parameters);
	ms(b, "created_ms", r->created_ms);
	ms(b, "scheduled_ms", r->scheduled_ms);
	ms(b, "started_ms", r->started_ms);
	ms(b, "ended_ms", r->ended_ms);
	pm_buf_addf(b, ", \"attempt\": %ld", r->attempt);
	ms(b, "slot_ms", r->slot_ms);
}

void pm_run_json(struct pm_buf *b, const struct pm_run *r)
{
	pm_buf_addch(b, '{');
	run_fields(b, r, 1);
	pm_buf_addch(b, '}');
}

void pm_run_history_json(struct pm_buf *b, const struct pm_run *r,
			 const struct pm_run_change *hist, size_t n)
{
	size_t i;

	pm_buf_addch(b, '{');
	run_fields(b, r, 1);
	pm_buf_addstr(b, ", \"states\": [");
	for (i = 0; i < n; i++) {
		pm_buf_addstr(b, i ? ", {" : "{");
		str(b, "state", pm_run_state_name(hist[i].state), 0);
		str(b, "reason", hist[i].reason, 1);
		ms(b, "at_ms", hist[i].at_ms);
		pm_buf_addch(b, '}');
	}
	pm_buf_addstr(b, "]}");
}

void pm_log_line_json(struct pm_buf *b, const struct pm_log_line *l)
{
	pm_buf_addch(b, '{');
	if (l->at_ms == PM_MS_NONE)
		pm_buf_addstr(b, "\"at_ms\": null");
	else
		pm_buf_addf(b, "\"at_ms\": %lld", (long long)l->at_ms);
	str(b, "level", l->level, 1);
	str(b, "task", l->task, 1);
	str(b, "message", l->message, 1);
	pm_buf_addch(b, '}');
}

void pm_run_brief_json(struct pm_buf *b, const struct pm_run *r)
{
	pm_buf_addch(b, '{');
	run_fields(b, r, 0);
	pm_buf_addch(b, '}');
}

void pm_log_hit_json(struct pm_buf *b, const struct pm_log_hit *h)
{
	pm_buf_addch(b, '{');
	str(b, "run", h->run, 0);
	str(b, "flow", h->flow, 1);
	str(b, "deployment", h->deployment, 1);
	pm_buf_addstr(b, ", \"line\": ");
	pm_log_line_json(b, &h->line);
	pm_buf_addch(b, '}');
}

void pm_pool_json(struct pm_buf *b, const struct pm_pool_info *p)
{
	pm_buf_addch(b, '{');
	str(b, "name", p->name, 0);
	str(b, "type", p->type, 1);
	pm_buf_addf(b, ", \"paused\": %s", p->paused ? "true" : "false");
	str(b, "status", p->status, 1);
	pm_buf_addf(b, ", \"workers_online\": %ld}", p->online);
}

void pm_worker_json(struct pm_buf *b, const struct pm_worker_info *w)
{
	pm_buf_addch(b, '{');
	str(b, "name", w->name, 0);
	str(b, "pool", w->pool, 1);
	str(b, "status", w->status, 1);
	str(b, "host", w->host, 1);
	pm_buf_addf(b, ", \"pid\": %ld", w->pid);
	str(b, "version", w->version, 1);
	ms(b, "started_ms", w->started_ms);
	ms(b, "heartbeat_ms", w->heartbeat_ms);
	ms(b, "interval_ms", w->interval_ms);
	pm_buf_addf(b, ", \"runs\": %ld}", w->runs);
}

/* The fields both forms of a deployment have, missed only in the full. */
static void deployment_fields(struct pm_buf *b, const struct pm_deployment *d,
			      int full)
{
	str(b, "name", d->name, 0);
	str(b, "flow", d->flow, 1);
	pm_buf_addf(b, ", \"version\": %ld, \"paused\": %s", d->version,
		    d->paused ? "true" : "false");
	str(b, "cron", d->cron, 1);
	str(b, "timezone", d->timezone, 1);
	if (full)
		str(b, "missed", d->missed, 1);
	str(b, "work_pool", d->work_pool, 1);
	str(b, "image", d->image, 1);
}

void pm_deployment_brief_json(struct pm_buf *b, const struct pm_deployment *d)
{
	pm_buf_addch(b, '{');
	deployment_fields(b, d, 0);
	pm_buf_addch(b, '}');
}

void pm_deployment_json(struct pm_buf *b, const struct pm_deployment *d,
			const struct pm_deployment_version *v, size_t n)
{
	size_t i;

	pm_buf_addch(b, '{');
	deployment_fields(b, d, 1);
	raw(b, "parameters", d->parameters);
	pm_buf_addf(b, ", \"concurrency_limit\": %ld", d->concurrency_limit);
	pm_buf_addstr(b, ", \"versions\": [");
	for (i = 0; i < n; i++) {
		pm_buf_addf(b, "%s{\"version\": %ld", i ? ", " : "",
			    v[i].version);
		str(b, "change", v[i].change, 1);
		ms(b, "created_ms", v[i].created_ms);
		str(b, "work_pool", v[i].work_pool, 1);
		str(b, "image", v[i].image, 1);
		raw(b, "parameters", v[i].parameters);
		pm_buf_addch(b, '}');
	}
	pm_buf_addstr(b, "]}");
}

const char *pm_ms_text(int64_t v, char out[32])
{
	char iso[32];

	if (v == PM_MS_NONE)
		return "-";
	pm_time_format(pm_floor_div(v, 1000), iso);
	snprintf(out, 32, "%.19s.%03lldZ", iso,
		 (long long)(v - pm_floor_div(v, 1000) * 1000));
	return out;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *ms_or_null(int64_t v)
{
	return v == PM_MS_NONE ? json_null() : json_integer(v);
}

void pm_alerts_json(struct pm_buf *b, const struct pm_alert *v, size_t n,
		    int indent)
{
	json_t *a = json_array();
	size_t i;
	char *text;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "key", json_string(v[i].key));
		json_object_set_new(o, "kind", json_string(v[i].kind));
		json_object_set_new(o, "group", json_string(v[i].grp));
		json_object_set_new(o, "run_id", str_or_null(v[i].run));
		json_object_set_new(o, "flow", str_or_null(v[i].flow));
		json_object_set_new(o, "deployment",
				    str_or_null(v[i].deployment));
		json_object_set_new(o, "pool", str_or_null(v[i].pool));
		json_object_set_new(o, "attempt",
				    v[i].attempt ? json_integer(v[i].attempt) :
						   json_null());
		json_object_set_new(o, "text", json_string(v[i].text));
		json_object_set_new(o, "created_ms",
				    ms_or_null(v[i].created_ms));
		json_object_set_new(o, "status", json_string(v[i].status));
		json_object_set_new(o, "next_ms", ms_or_null(v[i].next_ms));
		json_object_set_new(o, "tries", json_integer(v[i].tries));
		json_object_set_new(o, "sent_ms", ms_or_null(v[i].sent_ms));
		json_object_set_new(o, "error", str_or_null(v[i].error));
		json_array_append_new(a, o);
	}
	text = json_dumps(a, (indent ? JSON_INDENT(indent) : JSON_COMPACT) |
				     JSON_PRESERVE_ORDER);
	if (text)
		pm_buf_addstr(b, text);
	free(text);
	json_decref(a);
}
