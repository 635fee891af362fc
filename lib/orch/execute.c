/*
 * Executing a flow run (pm25/execute.h): the flow, then the alerts its
 * outcome raises; and where a run's task lines are kept.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/execute.h"
#include "pm25/flow.h"
#include "pm25/loki.h"
#include "pm25/state.h"
#include "pm25/strv.h"
#include "pm25/timeutil.h"

/*
 * One alert per stale station and episode (its newest row, or the day
 * it sent nothing), so that an hourly run does not repeat it.
 */
static void alert_stale(struct pm_state *st, const char *id,
			const struct pm_flow_result *r)
{
	char day[16];
	size_t i;

	pm_date_format(pm_state_now_ms() / 1000, day);
	for (i = 0; i < r->stale.nr; i++) {
		struct pm_buf key = PM_BUF_INIT, text = PM_BUF_INIT;
		const char *s = r->stale.v[i];

		pm_buf_addf(&key, "stale:%s%s%s", s,
			    strstr(s, "(no rows)") ? ":" : "",
			    strstr(s, "(no rows)") ? day : "");
		pm_buf_addf(&text,
			    "station %s: no new data for longer than "
			    "the contract's freshness limit (run %s)",
			    s, id);
		pm_state_alert_add(st, key.buf, "stale", text.buf, NULL);
		pm_buf_release(&key);
		pm_buf_release(&text);
	}
}

/*
 * A station that does not answer alerts once, when it stops; the
 * episode ends at the first run it answers again. Every other station
 * answered, or the run would have failed.
 */
static void alert_unanswered(struct pm_state *st, const char *id,
			     const struct pm_flow_result *r)
{
	struct pm_strv open = PM_STRV_INIT, now = PM_STRV_INIT;
	struct pm_buf key = PM_BUF_INIT, text = PM_BUF_INIT;
	size_t i;

	for (i = 0; i < r->unanswered.nr; i++) {
		const char *u = r->unanswered.v[i];

		pm_buf_setf(&key, "unanswered:%.*s", (int)strcspn(u, ":"), u);
		pm_strv_push(&now, key.buf);
		pm_buf_setf(&text, "station %s did not answer (run %s)", u, id);
		pm_state_alert_add(st, key.buf, "unanswered", text.buf, NULL);
	}
	if (!pm_state_alert_open(st, "unanswered:", &open, NULL))
		for (i = 0; i < open.nr; i++)
			if (!pm_strv_hasn(&now, open.v[i],
					  strlen(open.v[i])))
				pm_state_alert_close(st, open.v[i], NULL);
	pm_strv_release(&open);
	pm_strv_release(&now);
	pm_buf_release(&key);
	pm_buf_release(&text);
}

/*
 * A source that does not answer alerts once for the outage, not once
 * per run: the runs it fails fold their own alerts into the episode's.
 */
static void alert_source(struct pm_state *st, const char *id,
			 const char *source, int down, const char *why)
{
	struct pm_buf key = PM_BUF_INIT, text = PM_BUF_INIT;

	if (!source)
		return;
	pm_buf_addf(&key, "source:%s", source);
	if (down) {
		pm_buf_addf(&text, "source %s does not answer: %s (run %s)",
			    source, why, id);
		pm_state_alert_add(st, key.buf, "source", text.buf, NULL);
		pm_state_alert_fold(st, id, key.buf, NULL);
	} else {
		pm_state_alert_close(st, key.buf, NULL);
	}
	pm_buf_release(&key);
	pm_buf_release(&text);
}

/*
 * A run that fails logs why, as a line of its own (no task), so that
 * its log and a search across runs tell it without the run's record.
 */
static void log_failure(const struct pm_flow *f, struct pm_flow_run *fr,
			enum pm_err e, const struct pm_buf *err)
{
	struct pm_buf line = PM_BUF_INIT;
	const char *why = err->buf && *err->buf ? err->buf : pm_strerror(e);
	char ts[32];

	pm_time_format(pm_state_now_ms() / 1000, ts);
	pm_buf_addf(&line, "{\"ts\": \"%s\", \"level\": \"error\", \"run\": ",
		    ts);
	pm_buf_add_json_str(&line, fr->id ? fr->id : "",
			    fr->id ? strlen(fr->id) : 0);
	pm_buf_addf(&line, ", \"flow\": \"%s\", \"state\": \"Failed\", "
			   "\"error\": ",
		    f->name);
	pm_buf_add_json_str(&line, why, strlen(why));
	pm_buf_addch(&line, '}');
	{
		struct pm_event ev = { fr->id, f->name, NULL, "Failed",
				       "error", -1, line.buf };

		fr->hooks.event(fr->hooks.ctx, &ev);
	}
	pm_buf_release(&line);
}

enum pm_err pm_flow_execute(const struct pm_flow *f, struct pm_flow_run *fr,
			    struct pm_state *st, struct pm_buf *err)
{
	enum pm_err e = f->run(fr, err);

	if (e && fr->hooks.event)
		log_failure(f, fr, e, err);
	if (!st || !fr->id || !*fr->id || !fr->has_result)
		return e;
	if (e == PM_ERR_GATE) {
		/* one alert for the run: this one, not a plain Failed */
		struct pm_buf q = PM_BUF_INIT;

		pm_buf_addf(&q, "quality score %.4f: %s", fr->result.score,
			    err->buf ? err->buf : "below the gate");
		pm_state_alert_run(st, fr->id, "quality", q.buf, NULL);
		pm_buf_release(&q);
	}
	if (fr->result.source_down || !e || e == PM_ERR_GATE)
		alert_source(st, fr->id, fr->result.source,
			     fr->result.source_down,
			     err->buf ? err->buf : "");
	if (!e || e == PM_ERR_GATE) {
		/* a failed run knows nothing of its stations */
		alert_stale(st, fr->id, &fr->result);
		alert_unanswered(st, fr->id, &fr->result);
	}
	return e;
}

void pm_run_log_event(struct pm_state *st, struct pm_loki *loki,
		      const char *flow, const char *id,
		      const struct pm_event *ev)
{
	pm_loki_push(loki, 0, flow, ev->level, id, ev->json);
	if (st)
		pm_state_log(st, id, ev->level ? ev->level : "info", ev->task,
			     ev->json, NULL);
}
