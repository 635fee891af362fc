/*
 * pm25 ingest (placeholder until the sources land).
 */
#include "../lib/compat.h"
#include "cmd.h"

static int ingest_exec(int argc, const char **argv)
{
	(void)argc;
	(void)argv;
	return PM_EXIT_ERROR;
}

const struct cmd cmd_ingest = {
	.name = "ingest",
	.summary = "fetch or read one source into the canonical CSV",
	.exec = ingest_exec,
	.flags = CMD_NEED_NET,
};
