/*
 * The quality reports that runs published on main, read back
 * (lib/report/quality-log.c): for each, its run, its local date, its
 * score and gate, and how many rows or batches each rule failed. The
 * dashboard's quality page and /api/quality draw on it.
 */
#ifndef PM25_QUALITY_LOG_H
#define PM25_QUALITY_LOG_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_store;

struct pm_quality_entry {
	char run[48];
	char date[16]; /* the batch's local date, YYYY-MM-DD */
	double score;
	int passed;
	size_t input_rows, accepted_rows;
	size_t nrules;
	char **rule;	/* owned: each rule's name */
	size_t *failed; /* owned: what it failed */
};

/*
 * The newest limit reports under quality/ on main, oldest first. A
 * report that does not parse is skipped. Release with
 * pm_quality_log_free().
 */
enum pm_err pm_quality_log(struct pm_store *data, size_t limit,
			   struct pm_quality_entry **v, size_t *n,
			   struct pm_buf *err);
void pm_quality_log_free(struct pm_quality_entry *v, size_t n);

#endif
