/*
 * Processes by pid and start time, from /proc (pm25/proc.h).
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/proc.h"

unsigned long long pm_proc_start_time(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start = 0;
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* the name in parentheses may hold spaces: count after its end */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* field 3 (state) follows ") "; the start time is field 22 */
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field == 22)
		start = strtoull(p, NULL, 10);
	/* a zombie has ended: its outcome can no longer change */
	if (strstr(buf, ") Z ") || strstr(buf, ") X "))
		return 0;
	return start;
}

int pm_proc_alive(long pid, unsigned long long start)
{
	unsigned long long now;

	if (pid <= 0)
		return 0;
	now = pm_proc_start_time(pid);
	return now && (!start || now == start);
}

void pm_proc_host(char *out, size_t size)
{
	if (gethostname(out, size) || !*out)
		snprintf(out, size, "localhost");
	out[size - 1] = '\0';
}
