/*
 * Leveled logging. lib/ never prints: it calls pm_log(), and the host
 * (CLI or server) installs the sink. The level is tested before formatting.
 */
#ifndef PM25_LOG_H
#define PM25_LOG_H

enum pm_log_level {
	PM_LOG_ERROR = 0,
	PM_LOG_WARN,
	PM_LOG_INFO,
	PM_LOG_DEBUG,
	PM_LOG_TRACE,
};

/* A sink receives the formatted message; it borrows msg. */
typedef void pm_log_sink_fn(enum pm_log_level level, const char *subsys,
			    const char *msg);

extern int pm_log_level;

void pm_log_set_level(int level);
void pm_log_set_sink(pm_log_sink_fn *fn);
/* Enable tracing for a comma list of subsystems ("http,store" or "all"). */
void pm_log_set_trace(const char *list);
int pm_log_tracing(const char *subsys);
void pm_log_at(enum pm_log_level level, const char *subsys, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));

#define pm_log(level, subsys, ...)                                            \
	do {                                                                  \
		if ((int)(level) <= pm_log_level ||                           \
		    ((level) == PM_LOG_TRACE && pm_log_tracing(subsys)))      \
			pm_log_at((level), (subsys), __VA_ARGS__);            \
	} while (0)

#endif
