/*
 * pm25 server: the JSON API over HTTP (server/, beside cli/; lib/ keeps
 * no sockets). It serves the routes of server/routes.c from a few
 * threads, each with its own state database connection, and runs the
 * scheduler and a worker for etl-pool-dev beside them unless told not
 * to, so that one process does the whole job.
 */
#ifndef PM25_SERVER_H
#define PM25_SERVER_H

#include <signal.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_home;

struct pm_server_opts {
	const char *listen;  /* "HOST:PORT"; PORT 0 picks a free one */
	const char *token;   /* the bearer token of writes, or NULL */
	int no_worker;	     /* no worker for etl-pool-dev in-process */
	int no_scheduler;    /* no scheduler in-process */
	const char *port_file; /* write the port here once listening */
	struct pm_home *home; /* borrowed */
	/* set (by a signal) to stop: in-flight requests finish first */
	volatile sig_atomic_t *stop;
	/* the server's own lines (started, stopped), or NULL */
	void (*say)(void *ctx, const char *line);
	void *ctx;
};

/*
 * Listen and serve until *o->stop. PM_ERR_USAGE for a bad address or a
 * non-loopback one without a token, PM_ERR_NET if it cannot listen.
 */
enum pm_err pm_server_run(const struct pm_server_opts *o, struct pm_buf *err);

#endif
