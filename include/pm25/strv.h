/*
 * A growable list of owned strings.
 */
#ifndef PM25_STRV_H
#define PM25_STRV_H

#include <stddef.h>

struct pm_strv {
	char **v; /* owned, each entry owned */
	size_t nr, alloc;
};
#define PM_STRV_INIT { NULL, 0, 0 }

/* Append a copy of s (or of the first n bytes of p). */
void pm_strv_push(struct pm_strv *l, const char *s);
void pm_strv_pushn(struct pm_strv *l, const char *p, size_t n);
/* Sort with strcmp. */
/* Whether l holds the string of the n bytes at p. */
int pm_strv_hasn(const struct pm_strv *l, const char *p, size_t n);
void pm_strv_sort(struct pm_strv *l);
void pm_strv_release(struct pm_strv *l);

#endif
