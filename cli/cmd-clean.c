/*
 * pm25 clean and pm25 validate: both run the cleaning engine; validate
 * stops before writing anything.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/clean.h"
#include "pm25/contract.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "parse-options.h"

static void progress(void *data, size_t done, size_t total)
{
	const char *name = data;

	if (total >= 50 && (done % 50 == 0 || done == total))
		fprintf(stderr, "\rpm25 %s: read %zu/%zu files%s", name, done,
			total, done == total ? "\n" : "");
}

static void print_text(const struct pm_clean_report *r,
		       const struct pm_contract *c, int cleaning)
{
	size_t i;

	printf("input rows     %zu (%zu files)\n", r->input_rows, r->nr_files);
	printf("duplicates     %zu exact, %zu key\n", r->exact_dups,
	       r->key_dups);
	printf("accepted rows  %zu, rejected %zu, flagged %zu\n", r->accepted,
	       r->rejected, r->flagged);
	for (i = 0; i < c->nr_rules; i++) {
		if (!r->rules[i].failed)
			continue;
		printf("  %-20s %-5s %zu", c->rules[i].name,
		       c->rules[i].severity == PM_SEV_ERROR ? "error" : "warn",
		       r->rules[i].failed);
		if (r->rules[i].nr_samples)
			printf("  (e.g. %s:%u)",
			       r->files[r->rules[i].samples[0].file],
			       r->rules[i].samples[0].line);
		putchar('\n');
	}
	printf("score          %.6f (gate %.2f) %s\n", r->score, c->gate,
	       r->passed ? "passed" : "FAILED");
	if (cleaning)
		printf("output         %zu rows in %zu files, %zu cells "
		       "interpolated\n",
		       r->out_rows, r->out_files, r->interpolated_cells);
}

static int parse_now(const char *s, int64_t *now)
{
	if (!s) {
		*now = PM_TIME_NONE;
		return 0;
	}
	return pm_time_parse(s, strlen(s), PM_TIME_NAIVE_UTC, now);
}

static int run(int argc, const char **argv, int cleaning)
{
	const char *const clean_usage[] = {
		"pm25 clean IN... (-o OUT.csv | --out-dir DIR) "
		"[--contract FILE] [--json]",
		NULL
	};
	const char *const validate_usage[] = {
		"pm25 validate FILE... [--contract FILE] [--json]", NULL
	};
	const char *contract_path = NULL, *out = NULL, *out_dir = NULL;
	const char *station = NULL, *now_s = NULL;
	int json = 0, quiet = 0, status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_STRING_(0, "contract", &contract_path, "file",
			    "data contract (default: built-in pm25 contract)"),
		OPT_STRING_(0, "station", &station, "id",
			    "station id for files without a station column"),
		OPT_STRING_(0, "now", &now_s, "time",
			    "reference time for freshness (default: now)"),
		OPT_BOOL_(0, "json", &json, "print the report as JSON"),
		OPT_BOOL_('q', "quiet", &quiet, "no progress on stderr"),
		/* clean only, from here */
		OPT_STRING_('o', "output", &out, "file",
			    "write the clean table to one CSV file"),
		OPT_STRING_(0, "out-dir", &out_dir, "dir",
			    "write one CSV per UTC day: DIR/date=YYYY-MM-DD.csv"),
		OPT_END_(),
	};
	struct pm_contract contract;
	struct pm_clean_opts o = { 0 };
	struct pm_clean_report rep;
	struct pm_buf err = PM_BUF_INIT, text = PM_BUF_INIT;
	const char *name = argv[0];
	enum pm_err e;
	int nr;

	if (!cleaning)
		opts[5].type = OPT_END;
	memset(&rep, 0, sizeof(rep));
	nr = parse_options(argc, argv, opts,
			   cleaning ? clean_usage : validate_usage);
	pm_contract_init(&contract);
	if (!nr) {
		status = cmd_usage_error(name, "no input files");
		goto out;
	}
	if (cleaning && !!out == !!out_dir) {
		status = cmd_usage_error(name, "give exactly one of -o and "
					       "--out-dir");
		goto out;
	}
	if (parse_now(now_s, &o.now)) {
		status = cmd_usage_error(name, "--now: not a timestamp: '%s'",
					 now_s);
		goto out;
	}
	if (contract_path)
		e = pm_contract_load(&contract, contract_path, &err);
	else
		e = (pm_contract_default(&contract), PM_OK);
	if (e) {
		status = cmd_fail(name, e, err.buf);
		goto out;
	}
	o.contract = &contract;
	o.out_file = cleaning ? out : NULL;
	o.out_dir = cleaning ? out_dir : NULL;
	o.station = station;
	if (!quiet && isatty(2)) {
		o.progress = progress;
		o.progress_data = (void *)name;
	}
	e = pm_clean_run(&o, argv, (size_t)nr, &rep, &err);
	if (e) {
		status = cmd_fail(name, e, err.buf);
		goto out;
	}
	if (json) {
		pm_clean_report_json(&rep, &contract, &text);
		fputs(text.buf, stdout);
	} else {
		print_text(&rep, &contract, cleaning);
	}
	if (!rep.passed) {
		fprintf(stderr, "Validation failed: score %.6f below gate %.2f%s\n",
			rep.score, contract.gate,
			rep.batch_failed ? " or a batch rule failed" : "");
		status = PM_EXIT_GATE;
	}
out:
	pm_clean_report_release(&rep);
	pm_contract_release(&contract);
	pm_buf_release(&err);
	pm_buf_release(&text);
	return status;
}

static int clean_exec(int argc, const char **argv)
{
	return run(argc, argv, 1);
}

static int validate_exec(int argc, const char **argv)
{
	return run(argc, argv, 0);
}

const struct cmd cmd_clean = {
	.name = "clean",
	.summary = "deduplicate, validate, grid and interpolate CSV files",
	.exec = clean_exec,
};

const struct cmd cmd_validate = {
	.name = "validate",
	.summary = "check CSV files against a data contract",
	.exec = validate_exec,
};
