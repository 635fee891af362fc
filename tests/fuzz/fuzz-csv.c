/*
 * Fuzz target for the CSV reader and layouts: lib/util/csv.c,
 * lib/util/num.c, lib/util/timeutil.c and lib/sources/csvsrc.c, first
 * leniently, then strictly as the workload contract reads.
 * Run: build/fuzz/fuzz-csv -dict=tests/fuzz/csv.dict tests/fuzz/corpus/csv
 */
#include "../../lib/compat.h"
#include "pm25/buf.h"
#include "pm25/csvsrc.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		struct pm_csv_opts o = { 0 };
		struct pm_buf err = PM_BUF_INIT, out = PM_BUF_INIT;
		struct pm_table t;

		o.station = "fuzz";
		o.zero_missing = 1u << PM_COL_TEMP;
		if (pass) {
			o.time_flags = PM_TIME_STRICT;
			o.strict_fields = 1;
		}
		pm_table_init(&t);
		if (!pm_csv_to_table((const char *)data, size, "fuzz", &o, &t,
				     &err)) {
			pm_table_sort(&t, pass);
			pm_table_write_csv(&t, &out);
		}
		pm_table_release(&t);
		pm_buf_release(&err);
		pm_buf_release(&out);
	}
	return 0;
}
