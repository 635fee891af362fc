/*
 * Alerts to a Slack-compatible webhook. The state database holds them
 * (pm25/state.h, an outbox); pm_notify_flush() sends the due ones, one
 * message per group (kind and deployment) at most every throttle, the
 * alerts held meanwhile folded into the next message. A 429, a 5xx or no
 * answer leaves an alert pending with a backoff; another 4xx fails it
 * for good. The webhook URL is a secret: it is never logged, and error
 * text names it only as PM25_SLACK_WEBHOOK_URL.
 */
#ifndef PM25_NOTIFY_H
#define PM25_NOTIFY_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_state;

struct pm_notify {
	const char *url;     /* borrowed; NULL: alerts wait, unsent */
	const char *env;     /* borrowed; shown in each message */
	int64_t throttle_ms; /* one message per group this often */
	int max_tries;	     /* then an alert is failed */
	long timeout_ms;     /* per request */
	const volatile int *cancel; /* borrowed or NULL: see pm_http_opts */
};

/*
 * Settings from the environment: PM25_SLACK_WEBHOOK_URL, PM25_ENV (dev),
 * PM25_ALERT_THROTTLE_S (300), PM25_ALERT_TRIES (8).
 */
void pm_notify_from_env(struct pm_notify *n);

struct pm_notify_stats {
	size_t messages; /* messages the webhook took */
	size_t sent;	 /* alerts in them */
	size_t held;	 /* alerts kept back by the throttle */
	size_t retrying; /* alerts to try again later */
	size_t failed;	 /* alerts given up */
	int64_t next_ms; /* the earliest retry or release, 0: none */
};

/* Send the alerts due now. Only a broken database is an error. */
enum pm_err pm_notify_flush(struct pm_state *st, const struct pm_notify *n,
			    struct pm_notify_stats *ns, struct pm_buf *err);
/*
 * Flush, and go on flushing the retries that come due within ms; for a
 * process about to exit. Alerts left then stay pending for the next one.
 */
enum pm_err pm_notify_drain(struct pm_state *st, const struct pm_notify *n,
			    int64_t ms, struct pm_notify_stats *ns,
			    struct pm_buf *err);

#endif
