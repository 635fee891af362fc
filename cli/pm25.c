/*
 * pm25: main(), the commands[] table and the runner that sets up what a
 * command's flags ask for and checks that stdout was written cleanly.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/dl.h"
#include "pm25/http.h"
#include "pm25/log.h"
#include "pm25/timeutil.h"
#include "pm25/version.h"
#include "cmd.h"
#include "parse-options.h"

static const struct cmd *const commands[] = {
	&cmd_init,     &cmd_seed,   &cmd_run,	    &cmd_backfill,
	&cmd_data,     &cmd_ingest, &cmd_validate,  &cmd_clean,
	&cmd_batch,    &cmd_model,  &cmd_eda,	    &cmd_deployment,
	&cmd_flow_run, &cmd_pool,   &cmd_scheduler, &cmd_server,
	&cmd_worker,   &cmd_alert,  &cmd_health,    &cmd_config,
	&cmd_version,
};

int pm_exit_code(enum pm_err e)
{
	switch (e) {
	case PM_OK:
		return PM_EXIT_OK;
	case PM_ERR_USAGE:
		return PM_EXIT_USAGE;
	case PM_ERR_GATE:
		return PM_EXIT_GATE;
	case PM_ERR_NET:
	case PM_ERR_TIMEOUT:
		return PM_EXIT_UNAVAILABLE;
	default:
		return PM_EXIT_ERROR;
	}
}

static char last_error[256];

int cmd_fail(const char *cmd, enum pm_err e, const char *text)
{
	const char *t = text && *text ? text : pm_strerror(e);
	struct pm_buf shown = PM_BUF_INIT;

	/* what input files said is shown, their control bytes are not */
	pm_buf_add_printable(&shown, t, strlen(t), strlen(t));
	snprintf(last_error, sizeof(last_error), "%s", shown.buf);
	pm_buf_release(&shown);
	fprintf(stderr, "pm25 %s: %s\n", cmd, last_error);
	return pm_exit_code(e);
}

const char *cmd_last_error(void)
{
	return last_error;
}

int cmd_parse_day(const char *s, int64_t *day)
{
	if (!s) {
		*day = PM_TIME_NONE;
		return 0;
	}
	return pm_date_parse(s, strlen(s), day);
}

int cmd_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pm25 %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'pm25 %s -h')\n", cmd);
	return PM_EXIT_USAGE;
}

static int version_exec(int argc, const char **argv)
{
	const char *const usage[] = { "pm25 version [--json] [--libs]", NULL };
	int json = 0, libs = 0;
	struct option opts[] = {
		OPT_BOOL_(0, "json", &json,
			  "the version and the libraries loaded on first use"),
		OPT_BOOL_(0, "libs", &libs,
			  "the sonames loaded on first use, one a line (what "
			  "an image needs besides ldd's)"),
		OPT_END_(),
	};
	const struct pm_dl *l;
	size_t i;

	if (parse_options(argc, argv, opts, usage))
		return cmd_usage_error("version", "no arguments, only options");
	if (libs) {
		for (i = 0; (l = pm_dl_at(i)) != NULL; i++)
			printf("%s\n", pm_dl_soname(l));
	} else if (json) {
		struct pm_buf b = PM_BUF_INIT;

		pm_buf_addstr(&b, "{\"version\": ");
		pm_buf_add_json_str(&b, PM25_VERSION, strlen(PM25_VERSION));
		pm_buf_addstr(&b, ", \"loaded_on_first_use\": [");
		for (i = 0; (l = pm_dl_at(i)) != NULL; i++) {
			pm_buf_addstr(&b,
				      i ? ", {\"soname\": " : "{\"soname\": ");
			pm_buf_add_json_str(&b, pm_dl_soname(l),
					    strlen(pm_dl_soname(l)));
			pm_buf_addstr(&b, ", \"package\": ");
			pm_buf_add_json_str(&b, l->package, strlen(l->package));
			pm_buf_addch(&b, '}');
		}
		pm_buf_addstr(&b, "]}\n");
		fputs(b.buf, stdout);
		pm_buf_release(&b);
	} else {
		printf("pm25 %s\n", PM25_VERSION);
	}
	return 0;
}

const struct cmd cmd_version = {
	.name = "version",
	.summary = "print the version",
	.exec = version_exec,
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: pm25 [-v] [--version] <command> [<args>]\n\n"
		    "commands:\n");
	for (i = 0; i < PM_ARRAY_SIZE(commands); i++)
		fprintf(fp, "    %-12s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(fp, "\n'pm25 <command> -h' describes one command.\n"
		    "Exit codes: 0 ok, 1 error, 2 usage, 3 quality gate "
		    "failed, 4 dependency unreachable.\n");
}

/* Whether argv asks for help, which a broken pm25.yaml does not stop. */
static int wants_help(int argc, const char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return 1;
	return 0;
}

static int run_builtin(const struct cmd *c, int argc, const char **argv)
{
	struct pm_buf err = PM_BUF_INIT;
	const char *trace;
	int status;

	if (c != &cmd_version && pm_config_load(NULL, &err) &&
	    !wants_help(argc, argv)) {
		fprintf(stderr, "pm25 %s: %s\n", c->name, err.buf);
		pm_buf_release(&err);
		return PM_EXIT_USAGE;
	}
	pm_buf_release(&err);
	trace = pm_config_str(PM_CFG_TRACE);
	if (trace)
		pm_log_set_trace(trace);

	if (c->flags & CMD_NEED_NET)
		pm_http_global_init();
	status = c->exec(argc, argv);
	if (c->flags & CMD_NEED_NET)
		pm_http_global_cleanup();
	pm_config_release();
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		fprintf(stderr, "pm25 %s: write error on stdout: %s\n",
			c->name, strerror(errno));
		return PM_EXIT_ERROR;
	}
	return status;
}

int main(int argc, const char **argv)
{
	int verbose = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose++;
		} else if (!strcmp(argv[i], "--version")) {
			printf("pm25 %s\n", PM25_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "pm25: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return PM_EXIT_USAGE;
		}
	}
	pm_log_set_level(PM_LOG_WARN + verbose);
	if (i >= argc) {
		usage(stderr);
		return PM_EXIT_USAGE;
	}
	for (size_t k = 0; k < PM_ARRAY_SIZE(commands); k++)
		if (!strcmp(commands[k]->name, argv[i]))
			return run_builtin(commands[k], argc - i, argv + i);
	fprintf(stderr, "pm25: '%s' is not a command. See 'pm25 -h'.\n",
		argv[i]);
	return PM_EXIT_USAGE;
}
