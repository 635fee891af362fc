/*
 * The packed value pools of the cleaning engine (see clean-int.h).
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/num.h"
#include "clean-int.h"

static const double pow10_tab[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };

void pm_vpool_add(struct pm_vpool *p, double v)
{
	int32_t code = 0;
	int k, found = 0;

	if (!(v == 0 && signbit(v)) && fabs(v) < 1e7) {
		for (k = 0; k < 7; k++) {
			double m = nearbyint(v * pow10_tab[k]);

			if (fabs(m) < (double)(1 << 27) &&
			    m / pow10_tab[k] == v) {
				code = (int32_t)m * 8 + k;
				found = 1;
				break;
			}
		}
	}
	if (!found) {
		PM_ALLOC_GROW(p->xv, p->nx + 1, p->xalloc);
		p->xv[p->nx] = v;
		code = (int32_t)(p->nx++ * 8 + 7);
	}
	PM_ALLOC_GROW(p->code, p->nr + 1, p->alloc);
	p->code[p->nr++] = code;
}

void pm_vpool_add_num(struct pm_vpool *p, const struct pm_num *n)
{
	if (n->scale >= 0 && n->scale < 7 && n->mant > -(1 << 27) &&
	    n->mant < (1 << 27) && !(n->mant == 0 && signbit(n->v))) {
		PM_ALLOC_GROW(p->code, p->nr + 1, p->alloc);
		p->code[p->nr++] = (int32_t)n->mant * 8 + n->scale;
		return;
	}
	pm_vpool_add(p, n->v);
}

void pm_vpool_append(struct pm_vpool *to, const struct pm_vpool *from)
{
	size_t i, base = to->nx;

	if (to->nr + from->nr > to->alloc) {
		to->alloc = to->alloc * 3 / 2 > to->nr + from->nr ?
				    to->alloc * 3 / 2 :
				    to->nr + from->nr;
		to->code = pm_xrealloc(to->code, to->alloc * sizeof(*to->code));
	}
	for (i = 0; i < from->nr; i++) {
		int32_t c = from->code[i];

		if ((c & 7) == 7)
			c = (int32_t)((((uint32_t)c >> 3) + base) * 8 + 7);
		to->code[to->nr++] = c;
	}
	for (i = 0; i < from->nx; i++) {
		PM_ALLOC_GROW(to->xv, to->nx + 1, to->xalloc);
		to->xv[to->nx++] = from->xv[i];
	}
}

void pm_vpool_release(struct pm_vpool *p)
{
	free(p->code);
	free(p->xv);
	memset(p, 0, sizeof(*p));
}

void pm_station_release(struct pm_station *s)
{
	free(s->rows);
	pm_vpool_release(&s->v);
	free(s->bad_text);
	free(s->grid.mask);
	free(s->grid.flags);
	free(s->grid.seg_first);
	free(s->grid.seg_off);
	pm_vpool_release(&s->grid.v);
	memset(s, 0, sizeof(*s));
}
