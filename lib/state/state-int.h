/*
 * What the state modules share beyond pm25/state.h.
 */
#ifndef PM25_STATE_INT_H
#define PM25_STATE_INT_H

#include "pm25/state.h"

/* A time in milliseconds as SQL parameter text (at least 24 bytes). */
void pm_state_ms_text(char *out, int64_t ms);

/* Append a row to run id's state history (inside the caller's work). */
enum pm_err pm_state_add_history(struct pm_state *st, const char *id,
				 const char *state, const char *reason,
				 const char *now, struct pm_buf *err);

#endif
