/*
 * The cleaning engine: read inputs, deduplicate, validate against a
 * contract, lay each station on an hourly grid, interpolate short gaps and
 * write the clean table. Validation alone uses the same engine, so the
 * numbers of `validate` and `clean` always agree.
 */
#ifndef PM25_CLEAN_H
#define PM25_CLEAN_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/buf.h"
#include "pm25/err.h"

struct pm_buf;
struct pm_contract;

/* Day files kept in memory, in date order; owned. */
struct pm_day_files {
	size_t nr, alloc;
	char (*name)[32]; /* date=YYYY-MM-DD.csv */
	struct pm_buf *text;
};

void pm_day_files_release(struct pm_day_files *d);

struct pm_clean_opts {
	const struct pm_contract *contract; /* borrowed */
	/*
	 * The input rows, instead of files: a table (borrowed) whose rows
	 * are taken as its CSV form would be read, named table_origin in
	 * the report (line n + 2 is row n).
	 */
	const struct pm_table *table;
	const char *table_origin;
	struct pm_day_files *days; /* one CSV per UTC day in memory, or NULL */
	const char *out_dir;  /* one CSV per UTC day, or NULL */
	const char *out_file; /* one CSV, or NULL (neither: validate only) */
	const char *station;  /* station id for files without one */
	int64_t now;	      /* for freshness; PM_TIME_NONE: the clock */
	/*
	 * Called for each station after cleaning, in station order, with
	 * its hourly columns (col[PM_COL_*], each span long, borrowed; NaN
	 * for missing); may be NULL.
	 */
	void (*series)(void *data, const char *station, size_t len,
		       uint32_t first_hour, size_t span,
		       const double *const *col);
	void *series_data;
	/* Called after each input file; may be NULL. */
	void (*progress)(void *data, size_t done, size_t total);
	void *progress_data;
};

struct pm_sample {
	uint32_t file; /* index into pm_clean_report.files */
	uint32_t line;
};

struct pm_rule_result {
	size_t failed;	/* rows (or 1 for a failed batch rule) */
	size_t nr_samples;
	struct pm_sample samples[5];
	double value;	/* batch rules: the measured rate or age */
};

struct pm_strv;

struct pm_clean_report {
	char **files;	 /* owned: input paths in processing order */
	size_t nr_files;
	size_t input_rows, markers, junk, met_zero;
	size_t exact_dups, key_dups;
	size_t validated, accepted, rejected, flagged;
	struct pm_rule_result *rules; /* owned; parallel to contract rules */
	size_t nr_rules;
	double score;
	int batch_failed; /* an error-severity batch rule failed */
	int passed;	  /* score >= gate and no batch failure */
	size_t stations, grid_rows, rows_added;
	size_t pm25_missing_before, pm25_interpolated, pm25_missing_after;
	size_t interpolated_cells;
	size_t out_files, out_rows;
	int64_t newest; /* newest accepted time, PM_TIME_NONE if none */
	/*
	 * Borrowed, or NULL: the stations of the fetch that did not
	 * answer, "ID: why" (the report lists them when there are any).
	 */
	const struct pm_strv *unanswered;
};

void pm_clean_report_release(struct pm_clean_report *r);

struct pm_csv_opts;
/*
 * How the contract c reads source files: markers, met zeros, strict
 * times, the exact header. Fills those fields of co (c stays borrowed).
 */
void pm_clean_csv_opts(const struct pm_contract *c, struct pm_csv_opts *co);

/*
 * Run the engine over inputs (files, or directories whose *.csv files
 * are taken in name order). Output files appear only when the whole run
 * succeeded. Returns PM_OK even when the gate fails; see r->passed.
 */
enum pm_err pm_clean_run(const struct pm_clean_opts *o,
			 const char *const *inputs, size_t nr_inputs,
			 struct pm_clean_report *r, struct pm_buf *err);

/*
 * The input, dedup, validation, grid and output objects of the backfill
 * workload spec, keys in its order, appended to out (no braces around).
 */
void pm_clean_report_spec_json(const struct pm_clean_report *r,
			       const struct pm_contract *c, struct pm_buf *out);
/* The report as JSON (see docs/internals/CLEAN.md for the keys). */
void pm_clean_report_json(const struct pm_clean_report *r,
			  const struct pm_contract *c, struct pm_buf *out);

#endif
