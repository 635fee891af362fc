/*
 * The task watchdog of a run in this process: a thread that waits out
 * the time limit of the task that runs now (pm_flow_opts.task_clock).
 * When a task overruns, it writes the task's TimedOut line on stderr and
 * then, under a worker, kills the run's process group (the worker reads
 * the line and records TimedOut); otherwise it records TimedOut itself,
 * on a connection of its own, and exits 4.
 */
#ifndef PM25_CLI_WATCHDOG_H
#define PM25_CLI_WATCHDOG_H

/* For the run id (borrowed until watchdog_stop()) of flow. */
void watchdog_start(const char *run_id, const char *flow, int under_worker);
/* pm_flow_opts.task_clock: arm for task, or disarm when task is NULL. */
void watchdog_clock(void *ctx, const char *task, double timeout_s);
/* Disarm and end the thread, if there is one. */
void watchdog_stop(void);

#endif
