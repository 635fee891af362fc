/*
 * The CLI's command table entries and the helpers that every cmd-*.c
 * shares: exit codes and error reporting.
 */
#ifndef PM25_CMD_H
#define PM25_CMD_H

#include <stdint.h>
#include "pm25/err.h"

/* Exit codes of pm25, documented in the README. */
enum pm_exit {
	PM_EXIT_OK = 0,
	PM_EXIT_ERROR = 1,
	PM_EXIT_USAGE = 2,
	PM_EXIT_GATE = 3,
	PM_EXIT_UNAVAILABLE = 4,
};

enum cmd_flags {
	CMD_NEED_NET = (1 << 0), /* initialise libcurl */
};

struct cmd {
	const char *name;
	const char *summary;
	int (*exec)(int argc, const char **argv);
	unsigned flags;
};

extern const struct cmd cmd_ingest;
extern const struct cmd cmd_validate;
extern const struct cmd cmd_clean;
extern const struct cmd cmd_version;
extern const struct cmd cmd_init;
extern const struct cmd cmd_run;
extern const struct cmd cmd_backfill;
extern const struct cmd cmd_data;
extern const struct cmd cmd_batch;
extern const struct cmd cmd_model;
extern const struct cmd cmd_eda;
extern const struct cmd cmd_deployment;
extern const struct cmd cmd_flow_run;
extern const struct cmd cmd_pool;
extern const struct cmd cmd_scheduler;
extern const struct cmd cmd_server;
extern const struct cmd cmd_worker;
extern const struct cmd cmd_health;
extern const struct cmd cmd_alert;
extern const struct cmd cmd_config;
extern const struct cmd cmd_seed;

/*
 * pm25 flow-run execute: run flow run id (Pending) in this process, as
 * attempt of_attempt (0: the run's current one).
 */
int cmd_flow_run_execute(const char *id, const char *worker,
			 long of_attempt);

/*
 * pm25 seed: unless the home has the marker "seeded", initialise it,
 * load the bundled data of dir data and apply deployments. Progress on
 * stdout; an exit code.
 */
int cmd_seed_home(const char *data, const char *deployments);

/* Exit code for a library error. */
int pm_exit_code(enum pm_err e);
/* Print "pm25 CMD: TEXT" on stderr and return pm_exit_code(e). */
int cmd_fail(const char *cmd, enum pm_err e, const char *text);
/* The text of the last cmd_fail(), "" if none. */
const char *cmd_last_error(void);
/*
 * A --from/--to date (YYYY-MM-DD and the other forms pm_date_parse
 * knows) into days since epoch; NULL gives PM_TIME_NONE. -1 if bad.
 */
int cmd_parse_day(const char *s, int64_t *day);
/* Print a usage error and return PM_EXIT_USAGE. */
int cmd_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
