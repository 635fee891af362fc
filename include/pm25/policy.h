/*
 * A run's own policy (lib/orch/policy.c): the options retries,
 * retry_delay_s, retry_on and timeout_s of its parameters, read once
 * from the parameters' JSON for the worker, the run's process and the
 * deployment commands alike.
 */
#ifndef PM25_POLICY_H
#define PM25_POLICY_H

#include "pm25/pipeline.h"

/*
 * The run options in params (a JSON object of strings, or NULL): no
 * retries, a first delay of 10 s, transient failures only, no time
 * limit, unless they say otherwise.
 */
void pm_run_policy(const char *params, struct pm_retry *r);
/*
 * Whether a run that failed with exit status is worth another attempt:
 * with retry_on=transient (the default) only when a peer was unreachable
 * or too slow (exit 4); with retry_on=any always.
 */
int pm_run_retryable(const struct pm_retry *r, int status);
/* Seconds before attempt n's retry: doubling from delay_s, capped, jittered. */
double pm_run_retry_delay(const struct pm_retry *r, long attempt);
/* Whether key is a run option rather than a flow's parameter. */
int pm_run_option(const char *key);

#endif
