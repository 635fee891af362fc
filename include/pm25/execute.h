/*
 * Executing a flow run for a host (lib/orch/execute.c): the flow from
 * the flows table, then what its outcome means for the orchestrator
 * (alerts), and the run's log lines into the state database and Loki.
 */
#ifndef PM25_EXECUTE_H
#define PM25_EXECUTE_H

#include "pm25/err.h"

struct pm_buf;
struct pm_flow;
struct pm_flow_run;
struct pm_loki;
struct pm_state;

/*
 * Run flow f for fr (opened with pm_flow_open()) and, with st, raise
 * the alerts its outcome calls for: a failed quality gate (one alert for
 * the run), and each station gone stale (one per station and episode).
 */
enum pm_err pm_flow_execute(const struct pm_flow *f, struct pm_flow_run *fr,
			    struct pm_state *st, struct pm_buf *err);

struct pm_event;

/*
 * Keep one task event of run id of flow: in the run's log in st and on
 * Loki, each when not NULL.
 */
void pm_run_log_event(struct pm_state *st, struct pm_loki *loki,
		      const char *flow, const char *id,
		      const struct pm_event *ev);

#endif
