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

enum pm_err pm_flow_execute(const struct pm_flow *f, struct pm_flow_run *fr,
			    struct pm_state *st, struct pm_buf *err)
{
	enum pm_err e = f->run(fr, err);

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
	if (!e || e == PM_ERR_GATE)
		alert_stale(st, fr->id, &fr->result); /* a failed run knows
							 nothing */
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
