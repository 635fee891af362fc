/*
 * The data pages: main's commits, each with the run that made it, its
 * score and its rows; the etl- branches that failed runs kept; and the
 * diff between any two refs, per day file with its rows by key.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "page.h"

static void short_id(struct pm_buf *b, const char *id)
{
	pm_buf_addstr(b, "<code>");
	pm_buf_add_html(b, id, strlen(id) > 12 ? 12 : strlen(id));
	pm_buf_addstr(b, "</code>");
}

static void diff_link(struct pm_buf *b, const char *from, const char *to,
		      const char *label)
{
	pm_buf_addstr(b, "<a href=\"/data/diff?");
	if (from) {
		pm_buf_addstr(b, "from=");
		page_arg(b, from);
		pm_buf_addstr(b, "&amp;");
	}
	pm_buf_addstr(b, "to=");
	page_arg(b, to);
	pm_buf_addstr(b, "\">");
	page_text(b, label);
	pm_buf_addstr(b, "</a>");
}

#define COMMITS_PAGE 50

/* The link to the commits older than id. */
static void page_next_commit(struct pm_buf *b, const char *id)
{
	pm_buf_addstr(b, "<p class=\"pager\"><a rel=\"next\" "
			 "href=\"/data?after=");
	page_arg(b, id);
	pm_buf_addstr(b, "\">older commits &rarr;</a></p>");
}

/*
 * A page of main's commits: the newest, or those after commit after
 * (the last of the page before).
 */
static void commits(struct pm_buf *b, struct pm_store *s, const char *after)
{
	struct pm_commit_list l = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	size_t i, first = after ? 1 : 0;

	page_h2(b, "Commits on main");
	if (pm_store_log(s, after ? after : "main", COMMITS_PAGE + first + 1, &l,
			 &err)) {
		page_none(b, err.buf);
		goto out;
	}
	pm_buf_addstr(b,
		      "<table><thead><tr><th>commit</th><th>time</th>"
		      "<th>message</th><th>run</th><th class=\"num\">score"
		      "</th><th class=\"num\">rows</th><th></th></tr></thead>"
		      "<tbody>");
	for (i = first; i < l.nr && i < first + COMMITS_PAGE; i++) {
		const char *run = page_meta(&l.c[i], "run"),
			   *score = page_meta(&l.c[i], "score"),
			   *rows = page_meta(&l.c[i], "rows");

		pm_buf_addstr(b, "<tr><td>");
		short_id(b, l.c[i].id);
		pm_buf_addstr(b, "</td><td>");
		page_time(b, l.c[i].time * 1000);
		pm_buf_addstr(b, "</td><td>");
		page_text(b, l.c[i].message);
		pm_buf_addstr(b, "</td><td>");
		if (run)
			page_run_link(b, run);
		else
			page_text(b, NULL);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_text(b, score);
		pm_buf_addstr(b, "</td><td class=\"num\">");
		page_text(b, rows);
		pm_buf_addstr(b, "</td><td>");
		if (l.c[i].nr_parents)
			diff_link(b, NULL, l.c[i].id, "diff");
		pm_buf_addstr(b, "</td></tr>\n");
	}
	pm_buf_addstr(b, "</tbody></table>\n");
	if (l.nr > first + COMMITS_PAGE)
		page_next_commit(b, l.c[first + COMMITS_PAGE - 1].id);
out:
	pm_commit_list_release(&l);
	pm_buf_release(&err);
}

static void failed_branches(struct pm_buf *b, struct pm_store *s)
{
	struct pm_strv l = PM_STRV_INIT;
	struct pm_buf err = PM_BUF_INIT;
	size_t i, shown = 0;

	page_h2(b, "Branches of failed runs");
	if (pm_store_branches(s, &l, &err)) {
		page_none(b, err.buf);
		goto out;
	}
	for (i = 0; i < l.nr; i++) {
		if (strncmp(l.v[i], "etl-", 4))
			continue;
		if (!shown++)
			pm_buf_addstr(b,
				      "<table><thead><tr><th>branch</th>"
				      "<th>its run</th><th></th></tr></thead>"
				      "<tbody>");
		pm_buf_addstr(b, "<tr><td><code>");
		page_text(b, l.v[i]);
		pm_buf_addstr(b, "</code></td><td>");
		page_run_link(b, l.v[i] + 4);
		pm_buf_addstr(b, "</td><td>");
		diff_link(b, "main", l.v[i],
			  "what it holds that main does not");
		pm_buf_addstr(b, "</td></tr>\n");
	}
	if (shown)
		pm_buf_addstr(b, "</tbody></table>\n");
	else
		page_none(b, "None: every run's branch was merged or removed.");
out:
	pm_strv_release(&l);
	pm_buf_release(&err);
}

static void diff_form(struct pm_buf *b, const char *from, const char *to)
{
	pm_buf_addstr(b,
		      "<form class=\"filters\" method=\"get\" "
		      "action=\"/data/diff\"><label>from<input name=\"from\" "
		      "value=\"");
	if (from)
		pm_buf_add_html(b, from, strlen(from));
	pm_buf_addstr(b, "\" placeholder=\"the parent of to\"></label><label>to"
			 "<input name=\"to\" value=\"");
	if (to)
		pm_buf_add_html(b, to, strlen(to));
	pm_buf_addstr(b, "\" placeholder=\"main\"></label><button "
			 "type=\"submit\">Compare</button></form>");
}

void page_data(const struct srv_req *rq, struct srv_resp *out)
{
	const char *after = rq->query(rq->conn, "after");
	struct pm_buf why = PM_BUF_INIT, *b;
	struct pm_store *s = page_store(rq, "data", &why);

	if (!s) {
		srv_fail(out, PM_ERR_NET, why.buf);
		goto out;
	}
	page_open(rq, out, "Data", "/data");
	b = &out->body;
	pm_buf_addstr(b, "<p>Compare any two refs (commits, branches):</p>");
	diff_form(b, NULL, NULL);
	commits(b, s, after && *after ? after : NULL);
	failed_branches(b, s);
	page_close(out);
out:
	pm_store_close(s);
	pm_buf_release(&why);
}

static void rows_of(struct pm_buf *b, const struct pm_row_diff *d)
{
	size_t i;

	pm_buf_addf(b, "%zu added, %zu changed, %zu removed", d->added,
		    d->changed, d->removed);
	if (!d->nr_keys)
		return;
	pm_buf_addstr(b, "<ul class=\"keys\">");
	for (i = 0; i < d->nr_keys; i++) {
		pm_buf_addf(b, "<li>%s <code>",
			    d->keys[i].mark == '+' ? "added" :
			    d->keys[i].mark == '-' ? "removed" :
						     "changed");
		page_text(b, d->keys[i].key);
		pm_buf_addstr(b, "</code></li>");
	}
	pm_buf_addstr(b, "</ul>");
}

void page_diff(const struct srv_req *rq, struct srv_resp *out)
{
	static const char *const kinds[] = { "added", "removed", "changed" };
	struct pm_buf why = PM_BUF_INIT, *b;
	const char *from = rq->query(rq->conn, "from"),
		   *to = rq->query(rq->conn, "to");
	struct pm_store *s = page_store(rq, "data", &why);
	struct srv_diff d;
	size_t i;
	enum pm_err e;

	if (!s) {
		srv_fail(out, PM_ERR_NET, why.buf);
		goto out;
	}
	e = srv_diff_read(s, from, to, &d, &why);
	if (e) {
		srv_fail(out, e, why.buf);
		goto out;
	}
	page_open(rq, out, "Data diff", "/data");
	b = &out->body;
	diff_form(b, from, to);
	pm_buf_addstr(b, "<p>From ");
	short_id(b, d.from);
	pm_buf_addstr(b, " to ");
	short_id(b, d.to);
	pm_buf_addf(b, ": %zu file%s.</p>", d.files.nr,
		    d.files.nr == 1 ? "" : "s");
	if (d.files.nr)
		pm_buf_addstr(b, "<table><thead><tr><th>path</th><th>change"
				 "</th><th>rows (by station and hour)</th></tr>"
				 "</thead><tbody>");
	for (i = 0; i < d.files.nr; i++) {
		pm_buf_addstr(b, "<tr><td><code>");
		page_text(b, d.files.e[i].path);
		pm_buf_addf(b, "</code></td><td>%s</td><td>",
			    kinds[d.files.e[i].kind]);
		if (d.has_rows[i])
			rows_of(b, &d.rows[i]);
		pm_buf_addstr(b, "</td></tr>\n");
	}
	if (d.files.nr)
		pm_buf_addstr(b, "</tbody></table>\n");
	page_close(out);
	srv_diff_release(&d);
out:
	pm_store_close(s);
	pm_buf_release(&why);
}
