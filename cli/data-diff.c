/*
 * pm25 data diff A B: the paths that differ between two refs, and for a
 * day file changed in place, which of its rows were added, removed or
 * changed (by key).
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/store.h"
#include "pm25/upsert.h"
#include "cmd.h"
#include "data-diff.h"

int data_diff(struct pm_store *s, const char *a, const char *b_ref, int json,
	      struct pm_buf *err)
{
	static const char *const kinds[] = { "added", "removed", "changed" };
	static const char marks[] = "+-~";
	struct pm_diff d = { 0 };
	struct pm_buf b = PM_BUF_INIT;
	enum pm_err e;
	size_t i;

	e = pm_store_diff(s, a, b_ref, &d, err);
	if (e)
		return pm_exit_code(e);
	if (json)
		pm_buf_addch(&b, '[');
	for (i = 0; i < d.nr; i++) {
		struct pm_row_diff rd;
		/* a day file changed in place: which of its rows did */
		int rows = d.e[i].kind == 2 &&
			   pm_store_row_diff(s, a, b_ref, d.e[i].path, &rd);

		if (!json) {
			pm_buf_addf(&b, "%c %s\n", marks[d.e[i].kind],
				    d.e[i].path);
			if (rows)
				pm_row_diff_text(&rd, &b);
		} else {
			pm_buf_addstr(&b, i ? ",\n {\"path\": " :
					      "\n {\"path\": ");
			pm_buf_add_json_str(&b, d.e[i].path, strlen(d.e[i].path));
			pm_buf_addf(&b, ", \"change\": \"%s\"",
				    kinds[d.e[i].kind]);
			if (rows)
				pm_row_diff_json(&rd, &b);
			pm_buf_addch(&b, '}');
		}
		if (rows)
			pm_row_diff_release(&rd);
	}
	if (json)
		pm_buf_addstr(&b, "\n]\n");
	fputs(b.buf, stdout);
	pm_buf_release(&b);
	pm_diff_release(&d);
	return 0;
}
