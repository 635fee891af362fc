/*
 * The task watchdog of a run in this process (lib/orch/watchdog.c): one
 * thread that waits out the time limit of the task that runs now, armed
 * and disarmed by the flow's task clock. When a task overruns, it calls
 * the host's expire hook, on its own thread: the host ends the run (a
 * foreground run records TimedOut and exits; a worker's run records it
 * and has its process group killed), because the task may be stuck in a
 * call that nothing else can interrupt.
 */
#ifndef PM25_WATCHDOG_H
#define PM25_WATCHDOG_H

/* The hook: task overran its limit of timeout_s. */
typedef void (*pm_watchdog_expire)(void *ctx, const char *task,
				   double timeout_s);

/* Watch for expire (ctx borrowed until pm_watchdog_stop()). */
void pm_watchdog_start(pm_watchdog_expire expire, void *ctx);
/* A task clock: arm for task, or disarm when task is NULL. */
void pm_watchdog_clock(const char *task, double timeout_s);
/* Disarm and end the thread, if there is one. */
void pm_watchdog_stop(void);

#endif
