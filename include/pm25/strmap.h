/*
 * Interning map from byte strings to dense indices 0..nr-1, used to
 * dictionary-encode station ids. Open addressing with FNV-1a hashing.
 */
#ifndef PM25_STRMAP_H
#define PM25_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct pm_strmap {
	char **keys;	  /* owned; keys[i] is the string of index i */
	size_t *lens;	  /* owned */
	size_t nr;	  /* number of keys */
	size_t alloc;	  /* allocated entries of keys and lens */
	uint32_t *slots;  /* owned; index + 1, 0 = empty */
	size_t nr_slots;
};
#define PM_STRMAP_INIT { NULL, NULL, 0, 0, NULL, 0 }

void pm_strmap_init(struct pm_strmap *m);
void pm_strmap_release(struct pm_strmap *m);
/* Index of (ptr, len), adding it if absent. */
uint32_t pm_strmap_intern(struct pm_strmap *m, const char *ptr, size_t len);
/* Index of (ptr, len), or -1. */
long pm_strmap_find(const struct pm_strmap *m, const char *ptr, size_t len);

#endif
