/*
 * A run's facts from its log: each task event with its span, the
 * branch and main commit of publish and gate, the model of promote;
 * lines that are not events (a failure's own line, text) are skipped.
 */
#include "test.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/records.h"
#include "pm25/run-facts.h"

static const struct {
	int64_t at;
	const char *level, *task, *message;
} lines[] = {
	{ 1000, "info", "fetch",
	  "{\"task\": \"fetch\", \"state\": \"Completed\", "
	  "\"duration_ms\": 250.4}" },
	{ 2000, "info", "publish",
	  "{\"task\": \"publish\", \"state\": \"Completed\", "
	  "\"duration_ms\": 10, \"branch\": \"etl-x\", \"commit\": "
	  "\"c1\"}" },
	{ 2100, "info", "gate",
	  "{\"task\": \"gate\", \"state\": \"Completed\", "
	  "\"merged\": true, \"main\": \"m1\"}" },
	{ 2200, "error", NULL, "{\"state\": \"Failed\", \"error\": \"no\"}" },
	{ 2300, "info", NULL, "plain text" },
	{ 3000, "info", "promote",
	  "{\"task\": \"promote\", \"state\": \"Completed\", "
	  "\"promoted\": false, \"model\": \"models/a.json\", "
	  "\"branch\": \"train-1\"}" },
};

TEST(run_facts_from_events)
{
	struct pm_log_line *v = pm_xcalloc(6, sizeof(*v));
	struct pm_run_facts f;
	struct pm_buf b = PM_BUF_INIT;
	size_t i;

	for (i = 0; i < 6; i++) {
		v[i].at_ms = lines[i].at;
		v[i].level = pm_xstrdup(lines[i].level);
		v[i].task = lines[i].task ? pm_xstrdup(lines[i].task) : NULL;
		v[i].message = pm_xstrdup(lines[i].message);
	}
	pm_run_facts_read(v, 6, &f);
	pm_log_lines_free(v, 6);
	PM_ASSERT_EQ(f.ntasks, 4);
	PM_ASSERT_STR_EQ(f.tasks[0].name, "fetch");
	PM_ASSERT_EQ(f.tasks[0].start_ms, 750);
	PM_ASSERT_EQ(f.tasks[0].end_ms, 1000);
	PM_ASSERT_EQ(f.tasks[2].start_ms, 2100); /* no duration: a point */
	PM_ASSERT_STR_EQ(f.commit, "m1");
	PM_ASSERT_STR_EQ(f.branch, "train-1"); /* the last one named */
	PM_ASSERT_STR_EQ(f.model, "models/a.json");
	PM_ASSERT_EQ(f.model_promoted, 0);
	pm_run_facts_json(&b, &f);
	PM_ASSERT(strstr(b.buf, "\"duration_s\": 0.250"));
	PM_ASSERT(strstr(b.buf, "\"model\": {\"path\": \"models/a.json\", "
				"\"promoted\": false}"));
	pm_buf_release(&b);
	pm_run_facts_release(&f);
}
