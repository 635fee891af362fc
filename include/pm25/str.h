/*
 * String views: {ptr, len} pairs that borrow their bytes, and the small
 * helpers used by every parser.
 */
#ifndef PM25_STR_H
#define PM25_STR_H

#include <stddef.h>
#include <string.h>

struct pm_str {
	const char *ptr; /* borrowed */
	size_t len;
};

/* Strip ASCII space and tab from both ends. */
static inline struct pm_str pm_str_trim(struct pm_str s)
{
	while (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t')) {
		s.ptr++;
		s.len--;
	}
	while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
		s.len--;
	return s;
}

static inline int pm_str_eq(struct pm_str s, const char *z)
{
	size_t n = strlen(z);

	return s.len == n && (n == 0 || memcmp(s.ptr, z, n) == 0);
}

/* Case-insensitive ASCII equality. */
int pm_str_ieq(struct pm_str s, const char *z);

#endif
