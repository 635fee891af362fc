/*
 * The logging front end: level and trace filters, formatting, and a
 * pluggable sink (stderr text by default).
 */
#include "pm25/compat.h"
#include "pm25/log.h"

int pm_log_level = PM_LOG_WARN;
static pm_log_sink_fn *sink;
static char trace_list[256];

static const char *const level_names[] = { "error", "warn", "info", "debug",
					   "trace" };

static void default_sink(enum pm_log_level level, const char *subsys,
			 const char *msg)
{
	fprintf(stderr, "pm25: %s: %s: %s\n", level_names[level], subsys, msg);
}

void pm_log_set_level(int level)
{
	if (level < PM_LOG_ERROR)
		level = PM_LOG_ERROR;
	if (level > PM_LOG_TRACE)
		level = PM_LOG_TRACE;
	pm_log_level = level;
}

void pm_log_set_sink(pm_log_sink_fn *fn)
{
	sink = fn;
}

void pm_log_set_trace(const char *list)
{
	snprintf(trace_list, sizeof(trace_list), ",%s,", list ? list : "");
}

int pm_log_tracing(const char *subsys)
{
	char key[64];

	if (trace_list[0] == '\0' || !strcmp(trace_list, ",,"))
		return 0;
	if (strstr(trace_list, ",all,"))
		return 1;
	snprintf(key, sizeof(key), ",%s,", subsys);
	return strstr(trace_list, key) != NULL;
}

void pm_log_at(enum pm_log_level level, const char *subsys, const char *fmt,
	       ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(sink ? sink : default_sink)(level, subsys, msg);
}
