/*
 * What the state modules share beyond pm25/state.h.
 */
#ifndef PM25_STATE_INT_H
#define PM25_STATE_INT_H

#include "pm25/state.h"

/* Append a row to run id's state history (inside the caller's work). */
enum pm_err pm_state_add_history(struct pm_state *st, const char *id,
				 const char *state, const char *reason,
				 const char *now, struct pm_buf *err);

#endif
