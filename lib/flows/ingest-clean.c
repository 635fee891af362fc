/*
 * The ingest-clean flow: one fetch of the source, as one batch through
 * write-audit-publish (batch.c).
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/table.h"
#include "flow-int.h"

enum pm_err pm_flow_ingest_clean(struct pm_store *data,
				 const struct pm_flow_opts *o,
				 struct pm_flow_result *r, struct pm_buf *err)
{
	struct run ru;
	struct pm_fetched f;
	struct pm_table t;
	struct pm_buf extra = PM_BUF_INIT;
	enum pm_err ret;
	double t0;
	int gate_failed = 0;

	memset(&f, 0, sizeof(f));
	pm_table_init(&t);
	ret = pm_flow_run_start(&ru, data, o, r, "ingest-clean", err);
	if (ret)
		goto out;
	ret = pm_flow_fetch(&ru, &f, &t0, err);
	pm_buf_addf(&extra,
		    "\"source\": \"%s\", \"pages\": %zu, \"bytes\": %zu",
		    ru.src->name, f.nr_pages, f.len);
	if (f.page_station || f.nr_failed) {
		size_t i;

		pm_buf_addf(&extra, ", \"stations\": %zu, \"unanswered\": [",
			    ru.stations.nr);
		for (i = 0; i < f.nr_failed; i++) {
			if (i)
				pm_buf_addstr(&extra, ", ");
			pm_buf_add_json_str(&extra, f.failed[i].station,
					    strlen(f.failed[i].station));
		}
		pm_buf_addch(&extra, ']');
	}
	pm_flow_event(&ru, "fetch", ret ? "Failed" : "Completed", t0,
		      extra.buf);
	if (ret)
		goto out;
	{
		struct batch b = { &t,
				   pm_flow_parse_pages,
				   &f,
				   f.data,
				   f.page_end,
				   f.nr_pages,
				   pm_flow_fetch_day(&ru),
				   r->branch,
				   0 };

		ret = pm_flow_batch(&ru, &b, &gate_failed, err);
	}
	if (!ret && gate_failed) {
		r->passed = 0;
		ret = pm_errf(err, PM_ERR_GATE,
			      "Validation failed: score %.6f below gate %.2f; "
			      "main unchanged, see pm25 data diff main %s",
			      r->score, ru.contract.gate, r->branch);
	}
out:
	if (ru.flow)
		pm_flow_run_finish(&ru);
	pm_fetched_release(&f);
	pm_table_release(&t);
	pm_buf_release(&extra);
	return ret;
}

void pm_flow_result_summary(const struct pm_flow_result *r, int json, int ok,
			    const char *flow, struct pm_buf *b)
{
	size_t i;

	if (json) {
		pm_buf_addf(b,
			    "{\"flow\": \"%s\", \"run\": \"%s\", "
			    "\"passed\": %s, \"input_rows\": %zu, "
			    "\"accepted_rows\": %zu, \"output_rows\": %zu, "
			    "\"score\": ",
			    flow, r->run, r->passed && ok ? "true" : "false",
			    r->input_rows, r->accepted_rows, r->output_rows);
		pm_buf_add_json_num(b, r->score);
		pm_buf_addf(b,
			    ", \"batches\": %zu, \"published\": %zu, "
			    "\"unchanged\": %zu, \"failed\": %zu, "
			    "\"skipped\": %zu, \"no_data\": %zu, "
			    "\"main\": \"%s\", \"stale_stations\": [",
			    r->batches, r->published, r->unchanged, r->failed,
			    r->skipped, r->no_data, r->main_commit);
		for (i = 0; i < r->stale.nr; i++) {
			if (i)
				pm_buf_addstr(b, ", ");
			pm_buf_add_json_str(b, r->stale.v[i],
					    strlen(r->stale.v[i]));
		}
		pm_buf_addstr(b, "], \"unanswered\": [");
		for (i = 0; i < r->unanswered.nr; i++) {
			if (i)
				pm_buf_addstr(b, ", ");
			pm_buf_add_json_str(b, r->unanswered.v[i],
					    strlen(r->unanswered.v[i]));
		}
		pm_buf_addch(b, ']');
		if (r->stations_from)
			pm_buf_addf(b, ", \"stations_from\": \"%s\"",
				    r->stations_from);
		if (!r->passed)
			pm_buf_addf(b, ", \"branch\": \"%s\"", r->branch);
		pm_buf_addstr(b, "}\n");
		return;
	}
	pm_buf_addf(b,
		    "run %s: %zu rows in, %zu accepted, %zu written; "
		    "score %.6f\n",
		    r->run, r->input_rows, r->accepted_rows, r->output_rows,
		    r->score);
	pm_buf_addf(b,
		    "batches %zu: %zu published, %zu unchanged, %zu "
		    "failed, %zu skipped",
		    r->batches, r->published, r->unchanged, r->failed,
		    r->skipped);
	if (r->no_data)
		pm_buf_addf(b, ", %zu with no data", r->no_data);
	pm_buf_addch(b, '\n');
	for (i = 0; i < r->stale.nr; i++)
		pm_buf_addf(b, "stale station %s\n", r->stale.v[i]);
	for (i = 0; i < r->unanswered.nr; i++)
		pm_buf_addf(b, "no answer from station %s\n",
			    r->unanswered.v[i]);
	pm_buf_addf(b, "main is at %.12s\n", r->main_commit);
	if (!r->passed)
		pm_buf_addf(b, "kept branch %s: pm25 data diff main %s\n",
			    r->branch, r->branch);
}

static enum pm_err check(const struct pm_flow_run *fr, struct pm_buf *err)
{
	return pm_flow_wap_check(fr, 0, err);
}

static enum pm_err run(struct pm_flow_run *fr, struct pm_buf *err)
{
	return pm_flow_wap_run(fr, 0, err);
}

const struct pm_flow pm_flow_def_ingest_clean = {
	.name = "ingest-clean",
	.summary = "fetch a source, validate, clean, and publish to main "
		   "through a branch when the gate passes",
	.tasks = pm_flow_wap_tasks,
	.params = pm_flow_wap_params,
	.needs = PM_FLOW_DATA,
	.check = check,
	.run = run,
};
