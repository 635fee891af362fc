/*
 * Fuzz target for the contract loader: lib/quality/contract.c (libyaml's
 * document API underneath). Run: build/fuzz/fuzz-contract
 * -dict=tests/fuzz/contract.dict tests/fuzz/corpus/contract
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/contract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_buf err = PM_BUF_INIT;
	struct pm_contract c;

	pm_contract_init(&c);
	pm_contract_parse(&c, (const char *)data, size, "fuzz", &err);
	pm_contract_release(&c);
	pm_buf_release(&err);
	return 0;
}
