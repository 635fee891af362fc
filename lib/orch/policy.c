/*
 * A run's own policy (pm25/policy.h).
 */
#include "pm25/compat.h"
#include <jansson.h>
#include "pm25/policy.h"
#include "pm25/timeutil.h"

/* The exit status of an unreachable or too slow peer (README). */
#define EXIT_UNAVAILABLE 4

void pm_run_policy(const char *params, struct pm_retry *r)
{
	json_t *j = params ? json_loads(params, 0, NULL) : NULL;
	const char *v;

	memset(r, 0, sizeof(*r));
	r->delay_s = 10;
	if ((v = json_string_value(json_object_get(j, "retries"))) != NULL) {
		long n = strtol(v, NULL, 10);

		r->retries = n > 0 && n < 100 ? (int)n : 0;
	}
	if ((v = json_string_value(json_object_get(j, "retry_delay_s"))))
		r->delay_s = strtod(v, NULL);
	if ((v = json_string_value(json_object_get(j, "retry_on"))))
		r->any = !strcmp(v, "any");
	if ((v = json_string_value(json_object_get(j, "timeout_s")))) {
		double t = strtod(v, NULL);

		r->timeout_s = t > 0 ? t : 0;
	}
	json_decref(j);
}

int pm_run_retryable(const struct pm_retry *r, int status)
{
	return r->any || status == EXIT_UNAVAILABLE;
}

double pm_run_retry_delay(const struct pm_retry *r, long attempt)
{
	return pm_backoff_s(r->delay_s, attempt, 600);
}

int pm_run_option(const char *key)
{
	return !strcmp(key, "retries") || !strcmp(key, "retry_delay_s") ||
	       !strcmp(key, "timeout_s") || !strcmp(key, "retry_on") ||
	       !strcmp(key, "max_late_runs");
}
