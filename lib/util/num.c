/*
 * Number recognition for measurement cells, with an exact fast path for
 * short decimals (the common case) and strtod for the rest.
 */
#include "../compat.h"
#include "pm25/alloc.h"
#include "pm25/num.h"

static const double pow10_tab[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
				    1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				    1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
				    1e18, 1e19, 1e20, 1e21, 1e22 };

void pm_missing_default(struct pm_missing *m)
{
	static const char *const strs[] = { "", "-", "-1", "-999", "N/A",
					    "null" };
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < PM_ARRAY_SIZE(strs); i++)
		m->strings[m->nr_strings++] = pm_xstrdup(strs[i]);
	m->values[m->nr_values++] = -1;
	m->values[m->nr_values++] = -999;
}

void pm_missing_release(struct pm_missing *m)
{
	size_t i;

	for (i = 0; i < m->nr_strings; i++)
		free(m->strings[i]);
	memset(m, 0, sizeof(*m));
}

void pm_missing_copy(struct pm_missing *dst, const struct pm_missing *src)
{
	size_t i;

	*dst = *src;
	for (i = 0; i < src->nr_strings; i++)
		dst->strings[i] = pm_xstrdup(src->strings[i]);
}

int pm_num_syntax(const char *p, size_t n)
{
	size_t i = 0, d1 = 0, d2 = 0;

	if (i < n && (p[i] == '+' || p[i] == '-'))
		i++;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++, d1++;
	if (i < n && p[i] == '.') {
		i++;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++, d2++;
	}
	if (!d1 && !d2)
		return 0;
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		size_t d3 = 0;

		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		while (i < n && p[i] >= '0' && p[i] <= '9')
			i++, d3++;
		if (!d3)
			return 0;
	}
	return i == n;
}

/* Exact conversion of short plain decimals; -1 when it does not apply. */
static int fast_decimal(const char *p, size_t n, struct pm_num *out)
{
	int neg = 0, scale = -1, sig = 0;
	uint64_t m = 0;
	size_t i = 0;

	if (i < n && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	for (; i < n; i++) {
		char ch = p[i];

		if (ch == '.') {
			if (scale >= 0)
				return -1;
			scale = 0;
			continue;
		}
		if (ch < '0' || ch > '9')
			return -1;
		if (m || ch != '0')
			sig++;
		if (sig > 15)
			return -1;
		m = m * 10 + (uint64_t)(ch - '0');
		if (scale >= 0)
			scale++;
	}
	if (scale < 0)
		scale = 0;
	if (scale > 22)
		return -1;
	out->v = (double)m / pow10_tab[scale];
	if (neg)
		out->v = -out->v;
	out->mant = neg ? -(int64_t)m : (int64_t)m;
	out->scale = scale;
	return 0;
}

enum pm_cell pm_cell_parse(const struct pm_missing *mk, const char *p,
			   size_t n, struct pm_num *out)
{
	size_t i;

	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	out->scale = -1;
	out->mant = 0;
	out->v = NAN;
	if (mk) {
		for (i = 0; i < mk->nr_strings; i++) {
			const char *s = mk->strings[i];

			if (strlen(s) == n && !memcmp(s, p, n))
				return PM_CELL_MARKER;
		}
	}
	if (!pm_num_syntax(p, n))
		return PM_CELL_JUNK;
	if (fast_decimal(p, n, out)) {
		char tmp[64], *heap = NULL, *z = tmp;

		if (n >= sizeof(tmp))
			z = heap = pm_xmemdupz(p, n);
		else {
			memcpy(tmp, p, n);
			tmp[n] = '\0';
		}
		out->v = strtod(z, NULL);
		free(heap);
	}
	if (mk) {
		for (i = 0; i < mk->nr_values; i++)
			if (out->v == mk->values[i])
				return PM_CELL_MARKER;
	}
	if (!isfinite(out->v)) {
		out->scale = -1;
		return PM_CELL_JUNK;
	}
	return PM_CELL_PRESENT;
}

int pm_num_format(char *out, size_t size, double v, int decimals)
{
	return snprintf(out, size, "%.*f", decimals, v);
}
