/*
 * pm25 data diff (cli/data-diff.c).
 */
#ifndef PM25_CLI_DATA_DIFF_H
#define PM25_CLI_DATA_DIFF_H

#include "pm25/err.h"

struct pm_buf;
struct pm_store;

/* Print the diff of refs a and b (as JSON if json): the exit status. */
int data_diff(struct pm_store *s, const char *a, const char *b, int json,
	      struct pm_buf *err);

#endif
