/*
 * pm25 server [--listen HOST:PORT] [--no-worker] [--no-scheduler]
 * [--init] [--seed DIR]: the JSON API (include/pm25/server.h), with the
 * scheduler and a worker for etl-pool-dev beside it. --seed DIR seeds a new
 * home first (pm25 seed --data DIR/data --deployments DIR/deployments.yaml),
 * which is how the embedded image starts without a shell; --init only
 * runs pm25 init (the home, the store's repositories), as the production
 * stack's server does on every start; with --seed
 * and no PM25_API_TOKEN, the token is the home's api-token file, made
 * (random, 0600) and printed once on the first start. SIGTERM and SIGINT stop
 * it: no new connections, requests in flight answered, runs given back.
 */
#include "pm25/compat.h"
#include <ctype.h>
#include <signal.h>
#include <sys/stat.h>
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "pm25/random.h"
#include "pm25/server.h"
#include "cmd.h"
#include "parse-options.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void say(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s\n", line);
}

/* The token in h's api-token, made on first use; NULL on failure. */
static const char *home_token(const struct pm_home *h, struct pm_buf *tok)
{
	struct pm_buf path = PM_BUF_INIT, err = PM_BUF_INIT;
	const char *ret = NULL;

	pm_buf_addf(&path, "%s/api-token", h->dir);
	if (pm_file_read(path.buf, 4096, tok, NULL) == PM_OK) {
		while (tok->len &&
		       isspace((unsigned char)tok->buf[tok->len - 1]))
			pm_buf_setlen(tok, tok->len - 1);
		fprintf(stderr, "pm25 server: the API token is in %s\n",
			path.buf);
	} else if (pm_random_hex(16, tok, &err) ||
		   pm_file_write_atomic(path.buf, tok->buf, tok->len, &err) ||
		   chmod(path.buf, 0600)) {
		cmd_fail("server", PM_ERR_IO, err.len ? err.buf : path.buf);
		goto out;
	} else {
		fprintf(stderr,
			"pm25 server: first start: the API token is %s "
			"(kept in %s; PM25_API_TOKEN sets your own)\n",
			tok->buf, path.buf);
	}
	ret = tok->len ? tok->buf : NULL;
out:
	pm_buf_release(&path);
	pm_buf_release(&err);
	return ret;
}

static int server_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 server [--listen HOST:PORT] [--no-worker] "
		"[--no-scheduler] [--port-file FILE] [--init] [--seed DIR]",
		NULL
	};
	struct pm_server_opts o = { 0 };
	const char *seed = NULL;
	int init = 0;
	struct option opts[] = {
		OPT_STRING_(0, "listen", &o.listen, "host:port",
			    "where to listen (server_listen, 127.0.0.1:4200)"),
		OPT_BOOL_(0, "no-worker", &o.no_worker,
			  "no worker for etl-pool-dev in this process"),
		OPT_BOOL_(0, "no-scheduler", &o.no_scheduler,
			  "no scheduler in this process"),
		OPT_STRING_(0, "port-file", &o.port_file, "file",
			    "write the port here once listening (port 0 "
			    "picks one)"),
		OPT_BOOL_(0, "init", &init,
			  "pm25 init first (safe on an initialised home)"),
		OPT_STRING_(0, "seed", &seed, "dir",
			    "seed a new home first from DIR/data and "
			    "DIR/deployments.yaml"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT, tok = PM_BUF_INIT;
	struct pm_home h;
	int status = PM_EXIT_OK;
	enum pm_err e;

	if (parse_options(argc, argv, opts, usage) != 0)
		return cmd_usage_error("server", "no arguments, only options");
	if (!o.listen)
		o.listen = pm_config_str_or_default(PM_CFG_SERVER_LISTEN);
	o.token = pm_config_str(PM_CFG_API_TOKEN);
	if (seed) {
		struct pm_buf data = PM_BUF_INIT, deps = PM_BUF_INIT;

		pm_buf_addf(&data, "%s/data", seed);
		pm_buf_addf(&deps, "%s/deployments.yaml", seed);
		status = cmd_seed_home(data.buf, deps.buf);
		pm_buf_release(&data);
		pm_buf_release(&deps);
		if (status)
			return status;
	}
	pm_home_locate(&h);
	if (init && !seed && (e = pm_home_init(&h, &err)) != PM_OK) {
		status = cmd_fail("server", e, err.buf);
		goto out;
	}
	if (seed && (!o.token || !*o.token)) {
		o.token = home_token(&h, &tok);
		if (!o.token) {
			status = PM_EXIT_ERROR;
			goto out;
		}
	}
	o.home = &h;
	o.stop = &stopping;
	o.say = say;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	e = pm_server_run(&o, &err);
	if (e)
		status = cmd_fail("server", e, err.buf);
out:
	pm_home_release(&h);
	pm_buf_release(&err);
	pm_buf_release(&tok);
	return status;
}

const struct cmd cmd_server = {
	.name = "server",
	.summary = "serve the JSON API, with the scheduler and a worker",
	.exec = server_exec,
	.flags = CMD_NEED_NET,
};
