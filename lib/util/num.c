/*
 * Number recognition for measurement cells, with an exact fast path for
 * short decimals (the common case) and strtod for the rest.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/num.h"
#include <float.h>

const double pm_pow10_tab[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
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
		pm_missing_add_string(m, strs[i]);
	m->values[m->nr_values++] = -1;
	m->values[m->nr_values++] = -999;
}

int pm_missing_add_string(struct pm_missing *m, const char *s)
{
	if (m->nr_strings >= PM_MAX_MARKERS)
		return -1;
	m->lens[m->nr_strings] = strlen(s);
	m->strings[m->nr_strings++] = pm_xstrdup(s);
	if (!*s)
		m->has_empty = 1;
	else
		m->first[(unsigned char)*s >> 3] |=
			(uint8_t)(1u << ((unsigned char)*s & 7));
	return 0;
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

/* Markers are short: a loop beats a call to memcmp. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

enum pm_cell pm_cell_parse(const struct pm_missing *mk, const char *p,
			   size_t n, struct pm_num *out)
{
	size_t i = 0, d1 = 0, d2 = 0, sig = 0;
	int neg = 0, scale = 0;
	uint64_t m = 0;

	while (n && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	out->scale = -1;
	out->mant = 0;
	out->v = NAN;
	if (mk) {
		unsigned char f = n ? (unsigned char)*p : 0;

		if (!n ? mk->has_empty : (mk->first[f >> 3] >> (f & 7)) & 1) {
			for (i = 0; i < mk->nr_strings; i++)
				if (mk->lens[i] == n &&
				    same_bytes(mk->strings[i], p, n))
					return PM_CELL_MARKER;
			i = 0;
		}
	}
	/* one pass over [+-]?D*(.D*)?, collecting a short mantissa */
	if (i < n && (p[i] == '+' || p[i] == '-'))
		neg = p[i++] == '-';
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++, d1++) {
		if (m || p[i] != '0')
			sig++;
		m = m * 10 + (uint64_t)(p[i] - '0');
	}
	if (i < n && p[i] == '.') {
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++, d2++) {
			if (m || p[i] != '0')
				sig++;
			m = m * 10 + (uint64_t)(p[i] - '0');
		}
		scale = (int)d2;
	}
	if (!d1 && !d2)
		return PM_CELL_JUNK;
	if (i == n && sig <= 15 && scale <= 22) {
		out->v = scale ? (double)m / pm_pow10_tab[scale] : (double)m;
		if (neg)
			out->v = -out->v;
		out->mant = neg ? -(int64_t)m : (int64_t)m;
		out->scale = scale;
	} else {
		char tmp[64], *heap = NULL, *z = tmp;

		if (!pm_num_syntax(p, n))
			return PM_CELL_JUNK;
		if (n >= sizeof(tmp)) {
			z = heap = pm_xmemdupz(p, n);
		} else {
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

static size_t put_u64(char *out, uint64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return n;
}

int pm_num_format(char *out, size_t size, double v, int decimals)
{
	double y, r, frac;
	uint64_t iv, scale;
	size_t n = 0, k;
	int d;

	if (decimals < 0 || decimals > 9 || !isfinite(v) || size < 40 ||
	    fabs(v) >= 1e9)
		return snprintf(out, size, "%.*f", decimals < 0 ? 6 : decimals,
				v);
	scale = 1;
	for (d = 0; d < decimals; d++)
		scale *= 10;
	y = fabs(v) * (double)scale;
	r = floor(y);
	frac = y - r;
	/*
	 * y carries at most half an ulp of error; near a tie the rounding
	 * direction is not certain, so let printf decide exactly.
	 */
	if (fabs(frac - 0.5) <= 4 * DBL_EPSILON * (y > 1 ? y : 1))
		return snprintf(out, size, "%.*f", decimals, v);
	iv = (uint64_t)r + (frac > 0.5);
	if (signbit(v))
		out[n++] = '-';
	n += put_u64(out + n, iv / scale);
	if (decimals) {
		uint64_t f = iv % scale;

		out[n++] = '.';
		for (k = (size_t)decimals; k-- > 0;) {
			out[n + k] = (char)('0' + f % 10);
			f /= 10;
		}
		n += (size_t)decimals;
	}
	out[n] = '\0';
	return (int)n;
}

int pm_num_format_shortest(char *out, size_t size, double v)
{
	int d, n = 0;

	/*
	 * Fast path, the same text as the loop below: printf's d decimals
	 * are M = v 10^d rounded (pm_num_format), and with M below 2^53
	 * strtod reads them back as exactly M / 10^d. Near a half the
	 * rounding is not certain: then the loop decides.
	 */
	if (size >= 40 && isfinite(v) && fabs(v) < 1e9 &&
	    (v == 0 || fabs(v) >= 1e-6)) {
		for (d = 0; d <= 9; d++) {
			double y = fabs(v) * pm_pow10_tab[d], r = floor(y);
			double frac = y - r, m;

			if (fabs(frac - 0.5) <= 4 * DBL_EPSILON * (y > 1 ? y : 1))
				break;
			m = r + (frac > 0.5);
			if (m >= 9007199254740992.0)
				break;
			if (m / pm_pow10_tab[d] == fabs(v))
				return pm_num_format(out, size, v, d);
		}
	}
	if (isfinite(v) && (v == 0 || (fabs(v) >= 1e-6 && fabs(v) < 1e15))) {
		for (d = 0; d <= 17; d++) {
			n = snprintf(out, size, "%.*f", d, v);
			if (strtod(out, NULL) == v)
				return n;
		}
	}
	return snprintf(out, size, "%.17g", v);
}
