/*
 * A thread that sends alerts (pm25/notify.h) every second on a state
 * connection of its own, so that a webhook that is slow or never answers
 * holds up nothing else: not heartbeats, cancels, timeouts, scheduling
 * nor shutdown.
 */
#ifndef PM25_NOTIFIER_H
#define PM25_NOTIFIER_H

#include <stdint.h>

struct pm_home;
struct pm_notify;
struct pm_notifier;

/*
 * Start flushing with n (copied; its url borrowed for the thread's
 * life) to the state database of h (borrowed likewise). NULL when n has
 * no url: nothing to send, and pm_notifier_stop(NULL, ...) is a no-op.
 */
struct pm_notifier *pm_notifier_start(const struct pm_home *h,
				      const struct pm_notify *n);

/*
 * Stop: send what is due for up to drain_ms more, then cut the request
 * in flight, if any (within a second), and free the notifier.
 */
void pm_notifier_stop(struct pm_notifier *nt, int64_t drain_ms);

#endif
