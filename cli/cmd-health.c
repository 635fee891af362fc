/*
 * pm25 health [--url URL] [--json]: whether pm25 can do its job, for a
 * container's health check (OCI images keep no HEALTHCHECK). With a
 * server (--url, or PM25_API_URL) it asks the server's /readyz; else it
 * asks the home itself: the state database answers and the data store
 * has main. Exit 0 when ready, 1 when not, 2 for a usage error.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/home.h"
#include "pm25/http.h"
#include "pm25/state.h"
#include "pm25/store.h"
#include "cmd.h"
#include "parse-options.h"

/* The server at url answers /readyz with 200; why in out if not. */
static int server_ready(const char *url, struct pm_buf *why)
{
	struct pm_buf u = PM_BUF_INIT, body = PM_BUF_INIT;
	struct pm_http_opts o = { 0 };
	struct pm_http_req rq = { 0 };
	size_t n = strlen(url);
	long status = 0;
	enum pm_err e;

	pm_buf_add(&u, url, n && url[n - 1] == '/' ? n - 1 : n);
	pm_buf_addstr(&u, "/readyz");
	rq.method = "GET";
	rq.url = u.buf;
	o.connect_timeout_ms = 2000;
	o.timeout_ms = 5000;
	o.max_tries = 1;
	e = pm_http_request(&rq, &o, &body, &status, why);
	if (!e && status != 200) {
		pm_buf_reset(why);
		pm_buf_addf(why, "/readyz answered HTTP %ld", status);
	}
	pm_buf_release(&u);
	pm_buf_release(&body);
	return !e && status == 200;
}

/* The home's state database answers and its data store has main. */
static int home_ready(struct pm_buf *why)
{
	struct pm_home h;
	struct pm_state *st = NULL;
	struct pm_store *data = NULL;
	char id[PM_ID_MAX];
	enum pm_err e;

	pm_home_locate(&h);
	e = pm_home_state(&h, &st, why);
	if (!e)
		e = pm_state_ping(st, why);
	if (!e)
		e = pm_home_store(&h, "data", &data, why);
	if (!e)
		e = pm_store_resolve(data, "main", id, why);
	pm_store_close(data);
	pm_state_close(st);
	pm_home_release(&h);
	return !e;
}

static int health_exec(int argc, const char **argv)
{
	static const char *const usage[] = { "pm25 health [--url URL] [--json]",
					     NULL };
	const char *url = NULL;
	int json = 0, ready;
	struct option opts[] = {
		OPT_STRING_(
			0, "url", &url, "url",
			"ask the server at url (default PM25_API_URL; none: "
			"the home)"),
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_END_(),
	};
	struct pm_buf why = PM_BUF_INIT, out = PM_BUF_INIT, shown = PM_BUF_INIT;

	if (parse_options(argc, argv, opts, usage)) {
		usage_with_options(usage, opts, 1);
		return PM_EXIT_USAGE;
	}
	if (!url || !*url)
		url = pm_config_str(PM_CFG_API_URL);
	ready = url && *url ? server_ready(url, &why) : home_ready(&why);
	if (url && *url)
		pm_http_redact(url, &shown);
	if (json) {
		pm_buf_addf(&out, "{\"status\": \"%s\", \"checked\": ",
			    ready ? "ready" : "unavailable");
		if (url && *url)
			pm_buf_add_json_str(&out, shown.buf, shown.len);
		else
			pm_buf_addstr(&out, "\"home\"");
		pm_buf_addstr(&out, ", \"why\": ");
		if (ready || !why.buf)
			pm_buf_addstr(&out, "null");
		else
			pm_buf_add_json_str(&out, why.buf, why.len);
		pm_buf_addstr(&out, "}\n");
	} else if (ready) {
		pm_buf_addf(&out, "ready (%s)\n",
			    url && *url ? shown.buf : "home");
	} else {
		pm_buf_addf(&out, "unavailable (%s): %s\n",
			    url && *url ? shown.buf : "home",
			    why.buf ? why.buf : "no answer");
	}
	fputs(out.buf, ready ? stdout : json ? stdout : stderr);
	pm_buf_release(&why);
	pm_buf_release(&out);
	pm_buf_release(&shown);
	return ready ? PM_EXIT_OK : PM_EXIT_ERROR;
}

const struct cmd cmd_health = {
	.name = "health",
	.summary = "whether pm25 can do its job (a container's health check)",
	.exec = health_exec,
	.flags = CMD_NEED_NET,
};
