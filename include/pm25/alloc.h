/*
 * Allocation wrappers that never return NULL: running out of memory aborts
 * with a message, so error paths are left for real failures.
 */
#ifndef PM25_ALLOC_H
#define PM25_ALLOC_H

#include <stddef.h>

/* Each returns memory the caller frees with free(). */
void *pm_xmalloc(size_t n);
void *pm_xcalloc(size_t nmemb, size_t size);
void *pm_xrealloc(void *p, size_t n);
char *pm_xstrdup(const char *s);
char *pm_xmemdupz(const void *p, size_t n);

/*
 * Grow array x (of alloc elements) so that it holds at least nr elements.
 * Growth is geometric, so appending one at a time is amortised O(1).
 */
#define PM_ALLOC_GROW(x, nr, alloc)                                           \
	do {                                                                  \
		if ((size_t)(nr) > (alloc)) {                                 \
			size_t pm_n_ = (alloc) < 16 ? 16 : (alloc) * 3 / 2;   \
			if (pm_n_ < (size_t)(nr))                             \
				pm_n_ = (nr);                                 \
			(x) = pm_xrealloc((x), pm_n_ * sizeof(*(x)));         \
			(alloc) = pm_n_;                                      \
		}                                                             \
	} while (0)

#endif
