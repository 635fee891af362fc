/*
 * PM25_PAUSE_AT: stop the process at a named point for a test to act on
 * (pm25/pause.h).
 */
#include "pm25/compat.h"
#include <signal.h>
#include <unistd.h>
#include "pm25/config.h"
#include "pm25/pause.h"

/* Whether the list (a,b,c) holds point. */
static int listed(const char *list, const char *point)
{
	size_t n = strlen(point);

	while (*list) {
		size_t len = strcspn(list, ",");

		if (len == n && !memcmp(list, point, n))
			return 1;
		list += len + (list[len] == ',');
	}
	return 0;
}

void pm_pause_point(const char *point)
{
	static char passed[8][32];
	const char *at = pm_config_str(PM_CFG_PAUSE_AT),
		   *file = pm_config_str(PM_CFG_PAUSE_FILE);
	char tmp[4096];
	size_t i;
	FILE *f;

	if (!at || !listed(at, point))
		return;
	for (i = 0; i < PM_ARRAY_SIZE(passed) && passed[i][0]; i++)
		if (!strcmp(passed[i], point))
			return;
	if (i < PM_ARRAY_SIZE(passed))
		snprintf(passed[i], sizeof(passed[i]), "%s", point);
	if (!file || !*file)
		file = "pm25-paused.pid";
	if (!access(file, F_OK))
		return; /* one pause per file: this point was reached before */
	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%ld %s\n", (long)getpid(), point);
		if (fclose(f) == 0)
			rename(tmp, file);
	}
	kill(getpid(), SIGSTOP);
}
