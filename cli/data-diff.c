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

/* A day file's rows between two versions, for diff; 0 if not one. */
static int row_diff(struct pm_store *s, const char *a, const char *b_ref,
		    const char *path, struct pm_row_diff *d)
{
	struct pm_buf old = PM_BUF_INIT, now = PM_BUF_INIT;
	size_t n = strlen(path);
	int ok = 0;

	if (strncmp(path, "clean/", 6) || n < 4 || strcmp(path + n - 4, ".csv"))
		return 0;
	if (!pm_store_get(s, a, path, &old, NULL) &&
	    !pm_store_get(s, b_ref, path, &now, NULL))
		ok = !pm_csv_row_diff(old.buf, old.len, now.buf, now.len, d,
				      NULL);
	pm_buf_release(&old);
	pm_buf_release(&now);
	return ok;
}

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
			   row_diff(s, a, b_ref, d.e[i].path, &rd);

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
