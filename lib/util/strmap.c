/*
 * String interning with an open-addressing hash table.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/strmap.h"

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

void pm_strmap_init(struct pm_strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void pm_strmap_release(struct pm_strmap *m)
{
	size_t i;

	for (i = 0; i < m->nr; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->lens);
	free(m->slots);
	pm_strmap_init(m);
}

long pm_strmap_find(const struct pm_strmap *m, const char *p, size_t n)
{
	size_t mask, i;

	if (!m->nr_slots)
		return -1;
	mask = m->nr_slots - 1;
	for (i = hash(p, n) & mask;; i = (i + 1) & mask) {
		uint32_t s = m->slots[i];

		if (!s)
			return -1;
		if (m->lens[s - 1] == n && !memcmp(m->keys[s - 1], p, n))
			return (long)(s - 1);
	}
}

static void rehash(struct pm_strmap *m)
{
	size_t n = m->nr_slots ? m->nr_slots * 2 : 64, i;

	free(m->slots);
	m->slots = pm_xcalloc(n, sizeof(*m->slots));
	m->nr_slots = n;
	for (i = 0; i < m->nr; i++) {
		size_t j = hash(m->keys[i], m->lens[i]) & (n - 1);

		while (m->slots[j])
			j = (j + 1) & (n - 1);
		m->slots[j] = (uint32_t)(i + 1);
	}
}

uint32_t pm_strmap_intern(struct pm_strmap *m, const char *p, size_t n)
{
	long found = pm_strmap_find(m, p, n);
	size_t mask, j;

	if (found >= 0)
		return (uint32_t)found;
	if (m->nr + 1 > m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 16;
		m->keys = pm_xrealloc(m->keys, m->alloc * sizeof(*m->keys));
		m->lens = pm_xrealloc(m->lens, m->alloc * sizeof(*m->lens));
	}
	m->keys[m->nr] = pm_xmemdupz(p, n);
	m->lens[m->nr] = n;
	m->nr++;
	if (m->nr * 2 > m->nr_slots) {
		rehash(m);
		return (uint32_t)(m->nr - 1);
	}
	mask = m->nr_slots - 1;
	for (j = hash(p, n) & mask; m->slots[j]; j = (j + 1) & mask)
		;
	m->slots[j] = (uint32_t)m->nr;
	return (uint32_t)(m->nr - 1);
}
