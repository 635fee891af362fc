/*
 * pm_strv: a list of owned strings.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/strv.h"

void pm_strv_pushn(struct pm_strv *l, const char *p, size_t n)
{
	PM_ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = pm_xmemdupz(p, n);
}

void pm_strv_push(struct pm_strv *l, const char *s)
{
	pm_strv_pushn(l, s, strlen(s));
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pm_strv_hasn(const struct pm_strv *l, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (strlen(l->v[i]) == n && !memcmp(l->v[i], p, n))
			return 1;
	return 0;
}

void pm_strv_sort(struct pm_strv *l)
{
	if (l->nr)
		qsort(l->v, l->nr, sizeof(*l->v), cmp);
}

void pm_strv_release(struct pm_strv *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}
