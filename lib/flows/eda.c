/*
 * The eda flow: the report of main's clean data, committed to
 * reports/eda/YYYY-MM-DD.html on main through a branch of its own.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/eda.h"
#include "pm25/pipeline.h"
#include "pm25/store.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "flow-int.h"

enum pm_err pm_flow_eda(struct pm_store *data, int64_t from_day, int64_t to_day,
			const char *stations, int publish, struct pm_buf *html,
			char commit[PM_ID_MAX], struct pm_buf *err)
{
	struct pm_buf sub = PM_BUF_INIT, path = PM_BUF_INIT,
		      branch = PM_BUF_INIT;
	struct pm_kv meta[2];
	struct pm_table t;
	char id[PM_ID_MAX], date[16];
	enum pm_err ret;

	pm_table_init(&t);
	ret = pm_data_table(data, "main", from_day, to_day, stations, &t,
			    commit, err);
	if (ret)
		goto out;
	pm_buf_addf(&sub, "data commit %.12s", commit);
	pm_eda_html(&t, "PM2.5 exploratory report", sub.buf, html);
	if (!publish)
		goto out;
	pm_date_format((int64_t)time(NULL), date);
	pm_buf_addf(&path, "reports/eda/%s.html", date);
	pm_buf_addf(&branch, "eda-%ld-%ld", (long)time(NULL), (long)getpid());
	meta[0].key = "flow";
	meta[0].value = "eda";
	meta[1].key = "data-commit";
	meta[1].value = commit;
	ret = pm_store_branch_create(data, branch.buf, "main", err);
	if (!ret)
		ret = pm_store_put(data, branch.buf, path.buf, html->buf,
				   html->len, err);
	if (!ret)
		ret = pm_store_commit(data, branch.buf, "eda report", meta, 2,
				      id, err);
	if (!ret)
		ret = pm_store_merge(data, branch.buf, "main", "eda report",
				     meta, 2, id, err);
	pm_store_branch_delete(data, branch.buf, NULL);
out:
	pm_table_release(&t);
	pm_buf_release(&sub);
	pm_buf_release(&path);
	pm_buf_release(&branch);
	return ret;
}

void pm_eda_summary(const char *out, size_t bytes, const char *commit,
		    int published, int json, struct pm_buf *b)
{
	if (json)
		pm_buf_addf(b,
			    "{\"report\": \"%s\", \"bytes\": %zu, "
			    "\"data_commit\": \"%s\", \"published\": %s}\n",
			    out ? out : "", bytes, commit,
			    published ? "true" : "false");
	else
		pm_buf_addf(b, "report of data %.12s: %zu bytes%s%s%s\n",
			    commit, bytes, out ? " in " : "", out ? out : "",
			    published ? ", committed under reports/eda/" : "");
}

static enum pm_err check(const struct pm_flow_run *fr, struct pm_buf *err)
{
	if (fr->nparams)
		return pm_errf(err, PM_ERR_USAGE,
			       "bad --param '%s=%s' (eda takes none)",
			       fr->params[0].key, fr->params[0].value);
	return PM_OK;
}

static enum pm_err run(struct pm_flow_run *fr, struct pm_buf *err)
{
	struct pm_buf html = PM_BUF_INIT;
	char commit[PM_ID_MAX] = "";
	enum pm_err ret = check(fr, err);

	if (!ret)
		ret = pm_flow_eda(fr->data, PM_TIME_NONE, PM_TIME_NONE, NULL, 1,
				  &html, commit, err);
	if (!ret)
		pm_eda_summary(NULL, html.len, commit, 1, fr->json,
			       &fr->summary);
	pm_buf_release(&html);
	return ret;
}

static const char *const tasks[] = { "report", "publish", NULL };

const struct pm_flow pm_flow_def_eda = {
	.name = "eda",
	.summary = "the exploratory report of main, committed under "
		   "reports/eda/",
	.tasks = tasks,
	.params = (const struct pm_flow_param[]){ { NULL, NULL } },
	.needs = PM_FLOW_DATA,
	.check = check,
	.run = run,
};
