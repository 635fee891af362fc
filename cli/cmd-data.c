/*
 * pm25 data: look into and manage the data repository. Subcommands:
 * log, branches, diff, ls, cat, merge, revert; each takes --json.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "pm25/strv.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "data-diff.h"
#include "parse-options.h"

static const char *const data_usage[] = {
	"pm25 data log [REF] [-n N] [--json]",
	"pm25 data branches [--stale] [--json]",
	"pm25 data diff A B [--json]",
	"pm25 data ls REF [PREFIX] [--json]",
	"pm25 data cat REF PATH [--json]",
	"pm25 data merge SRC DST [--json]",
	"pm25 data revert BRANCH COMMIT [--json]",
	NULL
};

static void json_str(struct pm_buf *b, const char *s)
{
	pm_buf_add_json_str(b, s, strlen(s));
}

static int do_log(struct pm_store *s, const char *ref, long n, int json,
		  struct pm_buf *err)
{
	struct pm_commit_list l = { 0 };
	struct pm_buf b = PM_BUF_INIT;
	enum pm_err e;
	size_t i, k;

	e = pm_store_log(s, ref, (size_t)n, &l, err);
	if (e)
		return pm_exit_code(e);
	if (json)
		pm_buf_addch(&b, '[');
	for (i = 0; i < l.nr; i++) {
		const struct pm_commit_info *c = &l.c[i];
		char ts[32];

		pm_time_format(c->time, ts);
		if (!json) {
			pm_buf_addf(&b, "%.12s %s %s", c->id, ts, c->message);
			for (k = 0; k < c->nr_meta; k++)
				if (!strcmp(c->meta_keys[k], "score"))
					pm_buf_addf(&b, " (score %s)",
						    c->meta_values[k]);
			pm_buf_addch(&b, '\n');
			continue;
		}
		pm_buf_addstr(&b, i ? ",\n " : "\n ");
		pm_commit_json(&b, c);
	}
	if (json)
		pm_buf_addstr(&b, "\n]\n");
	fputs(b.buf, stdout);
	pm_buf_release(&b);
	pm_commit_list_release(&l);
	return 0;
}

static void print_list(const struct pm_strv *l, int json)
{
	struct pm_buf b = PM_BUF_INIT;
	size_t i;

	if (json)
		pm_buf_addch(&b, '[');
	for (i = 0; i < l->nr; i++) {
		if (json) {
			if (i)
				pm_buf_addstr(&b, ", ");
			json_str(&b, l->v[i]);
		} else {
			pm_buf_addf(&b, "%s\n", l->v[i]);
		}
	}
	if (json)
		pm_buf_addstr(&b, "]\n");
	fputs(b.buf, stdout);
	pm_buf_release(&b);
}


/*
 * The run branches that ended or crashed runs left: each with its run's
 * state and end; flow-run prune deletes them after the retention.
 */
static int stale_branches(struct pm_home *h, struct pm_store *s, int json,
			  struct pm_buf *err)
{
	struct pm_stale_branches l = { 0 };
	struct pm_buf b = PM_BUF_INIT;
	struct pm_state *st = NULL;
	enum pm_err e;
	size_t i;
	int status = 0;

	e = pm_home_state(h, &st, err);
	if (!e)
		e = pm_housekeep_stale_branches(st, s, &l, err);
	if (e) {
		status = cmd_fail("data", e, err->buf);
		goto out;
	}
	if (json)
		pm_buf_addch(&b, '[');
	for (i = 0; i < l.nr; i++) {
		char t[40] = "-";

		if (l.v[i].ended_ms)
			pm_time_format(l.v[i].ended_ms / 1000, t);
		if (json) {
			pm_buf_addstr(&b, i ? ", " : "");
			pm_stale_branch_json(&b, &l.v[i]);
		} else {
			pm_buf_addf(&b, "%s\t%s\t%s\n", l.v[i].branch,
				    l.v[i].state, t);
		}
	}
	if (json)
		pm_buf_addstr(&b, "]\n");
	fputs(b.buf, stdout);
out:
	pm_buf_release(&b);
	pm_stale_branches_release(&l);
	pm_state_close(st);
	return status;
}

static void print_id(const char *what, const char *id, int json)
{
	if (json)
		printf("{\"%s\": \"%s\", \"changed\": %s}\n", what, id,
		       *id ? "true" : "false");
	else if (*id)
		printf("%s %s\n", what, id);
	else
		printf("nothing to do\n");
}

static int data_exec(int argc, const char **argv)
{
	long n = 20;
	int json = 0, stale = 0, status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_INT_('n', "max", &n, "n", "log: at most n commits"),
		OPT_BOOL_(0, "stale", &stale,
			  "branches: only run branches whose run ended or is "
			  "gone, with its state"),
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_strv list = PM_STRV_INIT;
	struct pm_store *s = NULL;
	struct pm_home h;
	const char *sub;
	char id[PM_ID_MAX];
	enum pm_err e = PM_OK;
	int nr;

	pm_home_locate(&h);
	nr = parse_options(argc, argv, opts, data_usage);
	if (!nr) {
		usage_with_options(data_usage, opts, 1);
		status = PM_EXIT_USAGE;
		goto out;
	}
	sub = argv[0];
#define ARGS(lo, hi)                                                          \
	if (nr - 1 < (lo) || nr - 1 > (hi)) {                                 \
		status = cmd_usage_error("data", "%s takes %d to %d "         \
						 "arguments",                 \
					 sub, lo, hi);                        \
		goto out;                                                     \
	}
	if (strcmp(sub, "log") && strcmp(sub, "branches") &&
	    strcmp(sub, "diff") && strcmp(sub, "ls") && strcmp(sub, "cat") &&
	    strcmp(sub, "merge") && strcmp(sub, "revert")) {
		status = cmd_usage_error("data", "unknown subcommand '%s'",
					 sub);
		goto out;
	}
	e = pm_home_store(&h, "data", &s, &err);
	if (e)
		goto fail;
	if (!strcmp(sub, "log")) {
		ARGS(0, 1);
		status = do_log(s, nr > 1 ? argv[1] : "main", n, json, &err);
	} else if (!strcmp(sub, "branches")) {
		ARGS(0, 0);
		if (stale)
			status = stale_branches(&h, s, json, &err);
		else if (!(e = pm_store_branches(s, &list, &err)))
			print_list(&list, json);
	} else if (!strcmp(sub, "diff")) {
		ARGS(2, 2);
		status = data_diff(s, argv[1], argv[2], json, &err);
	} else if (!strcmp(sub, "ls")) {
		ARGS(1, 2);
		e = pm_store_list(s, argv[1], nr > 2 ? argv[2] : "", &list,
				  &err);
		if (!e)
			print_list(&list, json);
	} else if (!strcmp(sub, "cat")) {
		struct pm_buf b = PM_BUF_INIT;

		ARGS(2, 2);
		e = pm_store_get(s, argv[1], argv[2], &b, &err);
		if (!e && json) {
			struct pm_buf j = PM_BUF_INIT;

			pm_buf_addstr(&j, "{\"ref\": ");
			json_str(&j, argv[1]);
			pm_buf_addstr(&j, ", \"path\": ");
			json_str(&j, argv[2]);
			pm_buf_addf(&j, ", \"size\": %zu, \"content\": ", b.len);
			pm_buf_add_json_str(&j, b.buf, b.len);
			pm_buf_addstr(&j, "}\n");
			fputs(j.buf, stdout);
			pm_buf_release(&j);
		} else if (!e) {
			fwrite(b.buf, 1, b.len, stdout);
		}
		pm_buf_release(&b);
	} else if (!strcmp(sub, "merge")) {
		ARGS(2, 2);
		e = pm_store_merge(s, argv[1], argv[2], "Merge by pm25 data",
				   NULL, 0, id, &err);
		if (!e)
			print_id("merged", id, json);
	} else if (!strcmp(sub, "revert")) {
		ARGS(2, 2);
		e = pm_store_revert(s, argv[1], argv[2], id, &err);
		if (!e)
			print_id("reverted", id, json);
	}
#undef ARGS
fail:
	if (e || (status && err.len))
		status = cmd_fail("data", e ? e : PM_ERR_NOTFOUND, err.buf);
out:
	pm_store_close(s);
	pm_strv_release(&list);
	pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_data = {
	.name = "data",
	.summary = "inspect the data repository: log, branches, diff, ls, cat, "
		   "merge, revert",
	.exec = data_exec,
};
