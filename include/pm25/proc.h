/*
 * Processes on this host, told apart from a later process that reuses
 * the same pid by their start time (/proc/PID/stat, clock ticks since
 * boot).
 */
#ifndef PM25_PROC_H
#define PM25_PROC_H

/* The start time of process pid, or 0 if there is none. */
unsigned long long pm_proc_start_time(long pid);

/* Whether process pid, started at start (0: any), still runs. */
int pm_proc_alive(long pid, unsigned long long start);

/* This host's name into out (size bytes), "localhost" if unknown. */
void pm_proc_host(char *out, size_t size);

#endif
