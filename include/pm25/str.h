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

/* Strip blanks from both ends of a name: ASCII space, tab, CR, LF and
 * the UTF-8 no-break space (C2 A0), which real station names carry. */
static inline struct pm_str pm_str_trim_name(struct pm_str s)
{
	for (;;) {
		if (s.len && (s.ptr[0] == ' ' || s.ptr[0] == '\t' ||
			      s.ptr[0] == '\r' || s.ptr[0] == '\n')) {
			s.ptr++;
			s.len--;
		} else if (s.len >= 2 && (unsigned char)s.ptr[0] == 0xC2 &&
			   (unsigned char)s.ptr[1] == 0xA0) {
			s.ptr += 2;
			s.len -= 2;
		} else {
			break;
		}
	}
	for (;;) {
		char c = s.len ? s.ptr[s.len - 1] : 'x';

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			s.len--;
		else if (s.len >= 2 &&
			 (unsigned char)s.ptr[s.len - 2] == 0xC2 &&
			 (unsigned char)s.ptr[s.len - 1] == 0xA0)
			s.len -= 2;
		else
			break;
	}
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
