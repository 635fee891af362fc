/*
 * The exploratory report: one self-contained HTML page with inline SVG
 * charts (no scripts, no external assets) describing a clean table.
 */
#ifndef PM25_EDA_H
#define PM25_EDA_H

#include <stddef.h>

struct pm_buf;
struct pm_table;

/*
 * Write the report of t (borrowed; station names from its metadata) to
 * out. title and subtitle are escaped.
 */
void pm_eda_html(const struct pm_table *t, const char *title,
		 const char *subtitle, struct pm_buf *out);

#endif
