/*
 * Allocation wrappers that abort on exhaustion, and the PM_BUG reporter.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"

static PM_NORETURN void die_oom(size_t n)
{
	fprintf(stderr, "pm25: fatal: out of memory allocating %zu bytes\n",
		n);
	abort();
}

void *pm_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die_oom(n);
	return p;
}

void *pm_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		die_oom(nmemb * size);
	return p;
}

void *pm_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q)
		die_oom(n);
	return q;
}

char *pm_xmemdupz(const void *p, size_t n)
{
	char *s = pm_xmalloc(n + 1);

	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

char *pm_xstrdup(const char *s)
{
	return pm_xmemdupz(s, strlen(s));
}

void pm_bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pm25: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
