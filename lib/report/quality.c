/*
 * The JSON form of a clean/validate report. Key names and order of the
 * input, dedup, validation, grid and output objects follow the backfill
 * workload specification, so its tools can read them directly.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/contract.h"
#include "pm25/strv.h"
#include "pm25/timeutil.h"

static void kv_u(struct pm_buf *b, const char *k, size_t v, int comma)
{
	pm_buf_addf(b, "%s\"%s\": %zu", comma ? ", " : "", k, v);
}

static const char *severity_name(enum pm_severity s)
{
	return s == PM_SEV_ERROR ? "error" : "warn";
}

static int row_rule(enum pm_rule_kind k)
{
	return k == PM_RULE_TIME || k == PM_RULE_STATION ||
	       k == PM_RULE_REQUIRED || k == PM_RULE_RANGE ||
	       k == PM_RULE_TIME_RANGE;
}

void pm_clean_report_spec_json(const struct pm_clean_report *r,
			       const struct pm_contract *c, struct pm_buf *b)
{
	size_t i;
	int first;

	pm_buf_addstr(b, "\"input\": {");
	kv_u(b, "files", r->nr_files, 0);
	kv_u(b, "input_rows", r->input_rows, 1);
	kv_u(b, "missing_marker_cells", r->markers, 1);
	kv_u(b, "unparseable_cells", r->junk, 1);
	kv_u(b, "met_zero_cells", r->met_zero, 1);
	pm_buf_addstr(b, "},\n  \"dedup\": {");
	kv_u(b, "exact_duplicates", r->exact_dups, 0);
	kv_u(b, "key_duplicates", r->key_dups, 1);
	pm_buf_addstr(b, "},\n  \"validation\": {");
	kv_u(b, "validated_rows", r->validated, 0);
	kv_u(b, "accepted_rows", r->accepted, 1);
	kv_u(b, "rejected_rows", r->rejected, 1);
	pm_buf_addstr(b, ", \"rejected_by_rule\": {");
	first = 1;
	for (i = 0; i < c->nr_rules; i++) {
		if (!row_rule(c->rules[i].kind) ||
		    c->rules[i].severity != PM_SEV_ERROR)
			continue;
		kv_u(b, c->rules[i].name, r->rules[i].failed, !first);
		first = 0;
	}
	pm_buf_addstr(b, "}, \"quality_score\": ");
	pm_buf_add_json_num(b, r->score);
	pm_buf_addstr(b, "},\n  \"grid\": {");
	kv_u(b, "stations", r->stations, 0);
	kv_u(b, "grid_rows", r->grid_rows, 1);
	kv_u(b, "rows_added", r->rows_added, 1);
	kv_u(b, "pm25_missing_before", r->pm25_missing_before, 1);
	kv_u(b, "pm25_interpolated", r->pm25_interpolated, 1);
	kv_u(b, "pm25_missing_after", r->pm25_missing_after, 1);
	pm_buf_addstr(b, "},\n  \"output\": {");
	kv_u(b, "files", r->out_files, 0);
	kv_u(b, "rows", r->out_rows, 1);
	pm_buf_addch(b, '}');
}

void pm_clean_report_json(const struct pm_clean_report *r,
			  const struct pm_contract *c, struct pm_buf *b)
{
	size_t i, k;

	pm_buf_addstr(b, "{\n  ");
	kv_u(b, "input_rows", r->input_rows, 0);
	kv_u(b, "accepted_rows", r->accepted, 1);
	pm_buf_addstr(b, ", \"score\": ");
	pm_buf_add_json_num(b, r->score);
	pm_buf_addstr(b, ", \"gate\": ");
	pm_buf_add_json_num(b, c->gate);
	pm_buf_addf(b, ", \"passed\": %s,\n  ", r->passed ? "true" : "false");
	kv_u(b, "duplicates_dropped", r->exact_dups + r->key_dups, 0);
	kv_u(b, "rejected_rows", r->rejected, 1);
	kv_u(b, "flagged_rows", r->flagged, 1);
	kv_u(b, "interpolated_cells", r->interpolated_cells, 1);
	kv_u(b, "output_rows", r->out_rows, 1);
	pm_buf_addstr(b, ",\n  \"contract\": ");
	pm_buf_add_json_str(b, c->name, strlen(c->name));
	pm_buf_addstr(b, ",\n  ");
	pm_clean_report_spec_json(r, c, b);
	pm_buf_addstr(b, ",\n  \"newest_utc\": ");
	if (r->newest == PM_TIME_NONE) {
		pm_buf_addstr(b, "null");
	} else {
		char ts[32];

		pm_time_format(r->newest, ts);
		pm_buf_add_json_str(b, ts, strlen(ts));
	}
	pm_buf_addstr(b, ",\n  \"rules\": [");
	for (i = 0; i < c->nr_rules; i++) {
		const struct pm_rule *rule = &c->rules[i];
		const struct pm_rule_result *rr = &r->rules[i];

		pm_buf_addstr(b, i ? ",\n    {\"name\": " : "\n    {\"name\": ");
		pm_buf_add_json_str(b, rule->name, strlen(rule->name));
		pm_buf_addf(b, ", \"severity\": \"%s\", \"scope\": \"%s\"",
			    severity_name(rule->severity),
			    row_rule(rule->kind) || rule->kind == PM_RULE_UNIQUE ?
				    "row" :
				    "batch");
		pm_buf_addf(b, ", \"failed\": %zu", rr->failed);
		if (rule->kind == PM_RULE_MISSING ||
		    rule->kind == PM_RULE_FRESHNESS) {
			pm_buf_addstr(b, ", \"value\": ");
			pm_buf_add_json_num(b, rr->value);
			pm_buf_addstr(b, ", \"limit\": ");
			pm_buf_add_json_num(b, rule->kind == PM_RULE_MISSING ?
						       rule->max_rate :
						       (double)rule->max_age);
		}
		pm_buf_addstr(b, ", \"samples\": [");
		for (k = 0; k < rr->nr_samples; k++) {
			const char *f = r->files[rr->samples[k].file];

			pm_buf_addstr(b, k ? ", {\"file\": " : "{\"file\": ");
			pm_buf_add_json_str(b, f, strlen(f));
			pm_buf_addf(b, ", \"line\": %u}", rr->samples[k].line);
		}
		pm_buf_addstr(b, "]}");
	}
	pm_buf_addstr(b, "\n  ]");
	if (r->unanswered && r->unanswered->nr) {
		pm_buf_addstr(b, ",\n  \"unanswered_stations\": [");
		for (k = 0; k < r->unanswered->nr; k++) {
			const char *u = r->unanswered->v[k];

			pm_buf_addstr(b, k ? ",\n    " : "\n    ");
			pm_buf_add_json_str(b, u, strlen(u));
		}
		pm_buf_addstr(b, "\n  ]");
	}
	pm_buf_addstr(b, "\n}\n");
}
