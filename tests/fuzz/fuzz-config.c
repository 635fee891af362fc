/*
 * Fuzz target for the settings file reader: lib/util/config.c (and
 * lib/util/yaml.c's event pre-scan under it). Run: build/fuzz/fuzz-config
 * -dict=tests/fuzz/config.dict tests/fuzz/corpus/config
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_buf err = PM_BUF_INIT, shown = PM_BUF_INIT;
	int k;

	if (!pm_config_parse((const char *)data, size, "fuzz", &err))
		for (k = 0; k < PM_CFG_NKEYS; k++) {
			pm_config_shown(k, &shown);
			pm_config_long(k);
		}
	pm_config_release();
	pm_buf_release(&err);
	pm_buf_release(&shown);
	return 0;
}
