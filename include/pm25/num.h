/*
 * Classification of one measurement cell: a missing-value marker, a
 * number, or junk. Numbers convert to the nearest double, as strtod does.
 */
#ifndef PM25_NUM_H
#define PM25_NUM_H

#include <stddef.h>
#include <stdint.h>

#define PM_MAX_MARKERS 16

/* The missing-value markers of a source or contract. */
struct pm_missing {
	size_t nr_strings;
	char *strings[PM_MAX_MARKERS]; /* owned; exact, case-sensitive */
	size_t lens[PM_MAX_MARKERS];
	uint8_t first[32]; /* bit set of the markers' first bytes */
	int has_empty;	   /* "" is a marker */
	size_t nr_values;
	double values[PM_MAX_MARKERS]; /* numbers that mean "missing" */
};

/* 1e0 .. 1e22, each exact */
extern const double pm_pow10_tab[23];

enum pm_cell {
	PM_CELL_PRESENT = 0,
	PM_CELL_MARKER,	 /* a marker string or marker value */
	PM_CELL_JUNK,	 /* not a number, or not finite */
};

struct pm_num {
	double v;
	/* When scale >= 0, v == mant / 10^scale exactly as parsed. */
	int64_t mant;
	int scale;
};

/* The Air4Thai defaults: "", "-", "-1", "-999", "N/A", "null"; -1, -999. */
void pm_missing_default(struct pm_missing *m);
void pm_missing_release(struct pm_missing *m);
/* Add a marker string; returns -1 when the list is full. */
int pm_missing_add_string(struct pm_missing *m, const char *s);
void pm_missing_copy(struct pm_missing *dst, const struct pm_missing *src);

/*
 * Classify the text (ptr, len) after trimming spaces and tabs. For a
 * present value, *out holds it. m may be NULL (no markers).
 */
enum pm_cell pm_cell_parse(const struct pm_missing *m, const char *ptr,
			   size_t len, struct pm_num *out);

/* 1 if (ptr, len) matches [+-]?(D+(.D*)?|.D+)([eE][+-]?D+)? exactly. */
int pm_num_syntax(const char *ptr, size_t len);

/*
 * Format v as printf("%.*f") would, correctly rounded, into out (at
 * least 40 bytes); returns the length.
 */
int pm_num_format(char *out, size_t size, double v, int decimals);
/* Format v in the shortest plain decimal that reads back exactly. */
int pm_num_format_shortest(char *out, size_t size, double v);

#endif
