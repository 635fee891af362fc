/*
 * Fuzz target for the CSV reader and layouts: lib/util/csv.c,
 * lib/util/num.c, lib/util/timeutil.c and lib/sources/csvsrc.c, first
 * leniently, then strictly as the workload contract reads. Each way runs
 * twice, with and without the fast path for simple layouts, and the two
 * must agree on the result, the rows and the error, byte for byte.
 * Run: build/fuzz/fuzz-csv -dict=tests/fuzz/csv.dict tests/fuzz/corpus/csv
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/csvsrc.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read data one way into out (the rows as CSV, or the error). */
static enum pm_err read_once(const uint8_t *data, size_t size, int pass,
			     int general_only, struct pm_buf *out)
{
	struct pm_csv_opts o = { 0 };
	struct pm_buf err = PM_BUF_INIT;
	struct pm_table t;
	enum pm_err e;

	o.station = "fuzz";
	o.zero_missing = 1u << PM_COL_TEMP;
	o.general_only = general_only;
	if (pass) {
		o.time_flags = PM_TIME_STRICT;
		o.strict_fields = 1;
	}
	pm_table_init(&t);
	e = pm_csv_to_table((const char *)data, size, "fuzz", &o, &t, &err);
	if (!e) {
		pm_table_sort(&t, pass);
		pm_table_write_csv(&t, out);
		pm_buf_addf(out, "%zu markers, %zu junk, %zu met zeros\n",
			    t.markers, t.junk, t.met_zero);
	} else {
		pm_buf_addstr(out, err.buf);
	}
	pm_table_release(&t);
	pm_buf_release(&err);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		struct pm_buf fast = PM_BUF_INIT, general = PM_BUF_INIT;

		if (read_once(data, size, pass, 0, &fast) !=
			    read_once(data, size, pass, 1, &general) ||
		    fast.len != general.len ||
		    memcmp(fast.buf, general.buf, fast.len))
			abort();
		pm_buf_release(&fast);
		pm_buf_release(&general);
	}
	return 0;
}
