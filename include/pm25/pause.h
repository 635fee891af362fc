/*
 * A test hook: named points in the code where a process can be made to
 * stop, so that a test kills it, or lets another process overtake it,
 * at an exact step instead of after a sleep.
 */
#ifndef PM25_PAUSE_H
#define PM25_PAUSE_H

/*
 * When PM25_PAUSE_AT names point (a comma-separated list may name
 * several), write this process's pid to PM25_PAUSE_FILE (default
 * pm25-paused.pid in the current folder; the file appears whole), then
 * stop with SIGSTOP until someone sends SIGCONT or kills the process.
 * Otherwise do nothing. A point stops a process at most once, and a
 * pause file stops one process only: a process that finds the file
 * there already goes on.
 */
void pm_pause_point(const char *point);

#endif
