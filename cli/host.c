/*
 * A flow run hosted by this process (host.h).
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <signal.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/execute.h"
#include "pm25/home.h"
#include "pm25/http.h"
#include "pm25/pipeline.h"
#include "pm25/timeutil.h"
#include "pm25/watchdog.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "host.h"
#include "owner.h"

void host_event(void *ctx, const struct pm_event *ev)
{
	struct host *h = ctx;

	if (!h->quiet)
		fprintf(stderr, "%s\n", ev->json);
	pm_run_log_event(h->st, h->loki, h->flow, h->id, ev);
}

enum pm_err host_state_check(void *ctx, struct pm_buf *err)
{
	struct host *h = ctx;

	return h->st ? pm_state_ping(h->st, err) : PM_OK;
}

void host_task_clock(void *ctx, const char *task, double timeout_s)
{
	struct host *h = ctx;

	if (task && h->foreground)
		owner_checkpoint(h->st);
	pm_watchdog_clock(task, timeout_s);
}

void host_expire(void *ctx, const char *task, double timeout_s)
{
	struct host *h = ctx;
	struct pm_buf line = PM_BUF_INIT, why = PM_BUF_INIT, err = PM_BUF_INIT;
	struct pm_state *st = NULL;
	struct pm_home home;
	char ts[32];
	ssize_t w;
	int retried;

	pm_time_format((int64_t)time(NULL), ts);
	pm_buf_addf(&line,
		    "{\"ts\": \"%s\", \"level\": \"error\", \"run\": "
		    "\"%s\", \"flow\": \"%s\", \"task\": \"%s\", "
		    "\"state\": \"TimedOut\", \"timeout_s\": %g}",
		    ts, h->id, h->flow, task, timeout_s);
	pm_buf_addf(&why, "task %s timed out after %g s%s", task, timeout_s,
		    h->attempt ? "; its process group was killed" : "");
	/* nothing better to do if it fails: the run ends either way */
	pm_buf_addch(&line, '\n');
	w = write(2, line.buf, line.len);
	(void)w;
	pm_buf_setlen(&line, line.len - 1);
	pm_home_locate(&home);
	if (!pm_home_state(&home, &st, &err)) {
		pm_state_log(st, h->id, "error", task, line.buf, NULL);
		if (h->attempt)
			pm_state_run_fail(st, h->id, h->attempt,
					  PM_RUN_TIMEDOUT, why.buf, 0, &retried,
					  NULL);
		else
			pm_state_run_set(st, h->id, PM_RUN_TIMEDOUT, why.buf,
					 NULL);
		pm_state_close(st);
	}
	if (h->attempt)
		kill(0, SIGKILL); /* the run's own process group */
	fprintf(stderr, "pm25 run: %s\n", why.buf);
	_exit(PM_EXIT_UNAVAILABLE);
}

void host_progress(void *ctx, size_t done, size_t total, const char *day)
{
	int tty = isatty(2);

	(void)ctx;
	if (!day) {
		fprintf(stderr, "%sbackfill: %zu/%zu days done\n",
			tty ? "\r" : "", total, total);
		return;
	}
	if (tty)
		fprintf(stderr, "\rbackfill: %zu/%zu days (%s)", done + 1,
			total, day);
	else if (done % 10 == 0)
		fprintf(stderr, "backfill: %zu/%zu days (%s)\n", done + 1,
			total, day);
}

void host_params_add(struct host_params *p, const char *key, const char *value)
{
	p->kv = pm_xrealloc(p->kv, (p->nr + 1) * sizeof(*p->kv));
	p->keys = pm_xrealloc(p->keys, (p->nr + 1) * sizeof(*p->keys));
	p->keys[p->nr] = pm_xstrdup(key);
	p->kv[p->nr].key = p->keys[p->nr];
	p->kv[p->nr].value = value;
	p->nr++;
}

int host_params_add_kv(struct host_params *p, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *key;

	if (!eq)
		return -1;
	key = pm_xmemdupz(kv, (size_t)(eq - kv));
	host_params_add(p, key, eq + 1);
	free(key);
	return 0;
}

void host_params_release(struct host_params *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		free(p->keys[i]);
	free(p->keys);
	free(p->kv);
	memset(p, 0, sizeof(*p));
}

char *host_params_json(const struct host_params *p)
{
	json_t *o = json_object();
	char *text;
	size_t i;

	for (i = 0; i < p->nr; i++) {
		const char *v = p->kv[i].value;

		if (!*p->kv[i].key || strlen(p->kv[i].key) >= 64)
			continue;
		if (strstr(v, "://")) {
			/* the record keeps no password of a URL */
			struct pm_buf shown = PM_BUF_INIT;

			pm_http_redact(v, &shown);
			json_object_set_new(o, p->kv[i].key,
					    json_string(shown.buf));
			pm_buf_release(&shown);
		} else {
			json_object_set_new(o, p->kv[i].key, json_string(v));
		}
	}
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return text;
}
