/*
 * Internals of the cleaning engine: the packed per-station row store and
 * the packed hourly grid. Values are int32 codes: a decimal mantissa
 * times 8 plus its scale (0..6), or an index into a side array of
 * doubles (scale 7) for values that have no short decimal form.
 */
#ifndef PM25_CLEAN_INT_H
#define PM25_CLEAN_INT_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/table.h"

#define PM_HOUR_BAD UINT32_MAX

/* A value pool: codes plus the doubles that do not encode. */
struct pm_vpool {
	int32_t *code;
	size_t nr, alloc;
	double *xv;
	size_t nx, xalloc;
};

/* One input row. Its present values follow in the station's pool. */
struct pm_srow {
	uint32_t hour; /* UTC hours since epoch, PM_HOUR_BAD if unparseable */
	uint32_t line;
	uint16_t file;
	uint16_t mask; /* bit per measurement column present */
	uint32_t voff; /* first value in the pool */
};

/* A station's clean hourly grid, from hour first for span hours. */
/*
 * A station's clean hourly grid: span rows in nseg runs of consecutive
 * hours, run s from hour seg_first[s] at row seg_off[s] (seg_off[nseg]
 * is span). A hole longer than the contract's max_hole separates two
 * runs, so a grid grows with the rows, not with the time they span.
 */
struct pm_sgrid {
	uint32_t first, span; /* first hour; rows */
	uint16_t *mask;	 /* per row: present columns */
	uint8_t *flags;	 /* per row: enum pm_row_flags */
	struct pm_vpool v; /* present values, row by row */
	uint32_t nseg;
	uint32_t *seg_first, *seg_off; /* owned */
};

/* A position in a grid: the next row, its first value, its run. */
struct pm_gcursor {
	size_t cur, curv;
	uint32_t seg;
};

/* The hour of row i of g; *seg is a hint that only moves forward. */
static inline uint32_t pm_grid_hour(const struct pm_sgrid *g, size_t i,
				    uint32_t *seg)
{
	while (*seg + 1 < g->nseg && i >= g->seg_off[*seg + 1])
		(*seg)++;
	return g->seg_first[*seg] + (uint32_t)(i - g->seg_off[*seg]);
}

struct pm_station {
	const char *id; /* borrowed from the engine's id map */
	size_t len;
	struct pm_srow *rows;
	size_t nr, alloc;
	struct pm_vpool v;
	uint32_t *bad_text; /* per unparseable-time row, in order: text id */
	size_t nbad, badalloc;
	struct pm_sgrid grid;
};

struct pm_num;

void pm_vpool_add(struct pm_vpool *p, double v);
/* Add a parsed number, reusing its decimal form when it has one. */
void pm_vpool_add_num(struct pm_vpool *p, const struct pm_num *n);
/* Append every value of from to the end of to. */
void pm_vpool_append(struct pm_vpool *to, const struct pm_vpool *from);
void pm_vpool_release(struct pm_vpool *p);

static inline double pm_vpool_get(const struct pm_vpool *p, size_t i)
{
	static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };
	int32_t c = p->code[i];
	int k = c & 7;

	if (k == 7)
		return p->xv[(uint32_t)c >> 3];
	return (double)((c - k) / 8) / pow10[k];
}

/* Unpack the values behind mask from offset voff into v[PM_NMEASURES]. */
static inline void pm_vpool_unpack(const struct pm_vpool *p, unsigned mask,
				   size_t voff, double *v)
{
	int c;

	for (c = 0; c < PM_NMEASURES; c++)
		v[c] = (mask & (1u << c)) ? pm_vpool_get(p, voff++) : NAN;
}

void pm_station_release(struct pm_station *s);

#endif
