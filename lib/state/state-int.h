/*
 * What the state modules share beyond pm25/state.h.
 */
#ifndef PM25_STATE_INT_H
#define PM25_STATE_INT_H

#include "pm25/state.h"

struct pm_state {
	struct pm_db *db; /* owned */
	int retention_days;
};

/* A copy of a cell's text (owned), or NULL for SQL NULL. */
char *pm_state_dup(const char *s);
/* A time in milliseconds as SQL parameter text (at least 24 bytes). */
void pm_state_ms_text(char *out, int64_t ms);
/*
 * A reason as stored: control bytes (from input files, say) become '?',
 * so that no terminal escape reaches a listing; caller frees.
 */
char *pm_state_reason_text(const char *reason);

/* Append a row to run id's state history (inside the caller's work). */
enum pm_err pm_state_add_history(struct pm_state *st, const char *id,
				 const char *state, const char *reason,
				 const char *now, struct pm_buf *err);

/*
 * Queue an alert about run id (inside the caller's work): kind is a state
 * name or "quality"; the key is key_prefix + id, so that each run alerts
 * once per prefix. An existing key is left as it is.
 */
enum pm_err pm_state_alert_tx(struct pm_state *st, const char *id,
			      const char *kind, const char *key_prefix,
			      const char *text, const char *now,
			      struct pm_buf *err);

struct pm_rows;

/* The outbox's rows (key, kind, grp, run_id, flow, deployment, pool,
 * attempt, text, created_ms, status, next_ms, tries, sent_ms, error). */
enum pm_err pm_state_alerts_due(struct pm_state *st, int64_t now_ms,
				size_t limit, struct pm_rows *out,
				struct pm_buf *err);
enum pm_err pm_state_alerts(struct pm_state *st, const char *status,
			    size_t limit, struct pm_rows *out,
			    struct pm_buf *err);

#endif
