/*
 * Fuzz target for the JSON source parsers: lib/sources/air4thai.c,
 * history.c, waqi.c, openaq.c and json.c. Each input goes through all
 * four drivers. Run: make fuzz && build/fuzz/fuzz-json-sources
 * -dict=tests/fuzz/json.dict -max_len=65536 tests/fuzz/corpus/json-sources
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pm_source *const drivers[] = {
		&pm_source_air4thai, &pm_source_air4thai_history,
		&pm_source_waqi, &pm_source_openaq
	};
	struct pm_source_req req;
	size_t i;

	memset(&req, 0, sizeof(req));
	req.from_day = req.to_day = PM_TIME_NONE;
	req.zero_missing = (1u << PM_COL_WS) | (1u << PM_COL_RH);
	for (i = 0; i < PM_ARRAY_SIZE(drivers); i++) {
		struct pm_buf err = PM_BUF_INIT, csv = PM_BUF_INIT;
		struct pm_table t;

		pm_table_init(&t);
		if (!drivers[i]->parse((const char *)data, size, "fuzz", &req,
				       &t, &err)) {
			pm_table_sort(&t, 0);
			pm_table_write_csv(&t, &csv);
			pm_table_write_stations(&t, &csv);
		}
		pm_table_release(&t);
		pm_buf_release(&err);
		pm_buf_release(&csv);
	}
	return 0;
}
