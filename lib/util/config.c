/*
 * Settings (pm25/config.h): the table, pm25.yaml, and the order in which
 * a value is found (environment, file, default).
 */
#include "pm25/compat.h"
#include "../limits.h"
#include "../yaml-util.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/fsutil.h"
#include "pm25/url.h"

#define TEXT(n, e, d, f, h) { n, e, PM_CFG_TEXT, 0, 0, NULL, d, f, h }
#define INT(n, e, lo, hi, d, f, h) { n, e, PM_CFG_INT, lo, hi, NULL, d, f, h }
#define CHOICE(n, e, c, d, h) { n, e, PM_CFG_CHOICE, 0, 0, c, d, 0, h }
#define URL(n, e, f, h) { n, e, PM_CFG_URL, 0, 0, NULL, NULL, f, h }
#define ENDPOINT(n, e, d, h) { n, e, PM_CFG_URL, 0, 0, NULL, d, 0, h }

static const struct pm_config_row table[PM_CFG_NKEYS] = {
	[PM_CFG_HOME] = TEXT("home", "PM25_HOME", "pm25-home", PM_CFG_ENV_ONLY,
			     "the home folder: state.db, data.git, model.git, "
			     "pm25.yaml"),
	[PM_CFG_STORE] = CHOICE("store", "PM25_STORE", "local|lakefs", "local",
				"where data and models are versioned"),
	[PM_CFG_DATABASE_URL] =
		TEXT("database_url", "PM25_DATABASE_URL", NULL, PM_CFG_PASSWORD,
		     "PostgreSQL for state (a postgresql:// URL "
		     "or libpq key=value); unset: SQLite in the "
		     "home"),
	[PM_CFG_SQLITE_BUSY_MS] = INT("sqlite_busy_ms", "PM25_SQLITE_BUSY_MS",
				      1, 3599999, "10000", 0,
				      "how long a SQLite statement waits for "
				      "another process's lock"),
	[PM_CFG_RETENTION_DAYS] =
		INT("retention_days", "PM25_RETENTION_DAYS", 0, 36500, "30", 0,
		    "days that ended runs and log lines are "
		    "kept"),
	[PM_CFG_STATE_WAIT_S] =
		INT("state_wait_s", "PM25_STATE_WAIT_S", 0, 86400, "60", 0,
		    "seconds a foreground run retries its "
		    "outcome while the state database does "
		    "not answer"),
	[PM_CFG_ENV] = TEXT("env", "PM25_ENV", NULL, 0,
			    "the env label of logs and alerts (default dev, "
			    "or a worker pool's -dev/-stage/-prod)"),
	[PM_CFG_LOKI_URL] = URL("loki_url", "PM25_LOKI_URL", PM_CFG_PASSWORD,
				"Loki to push log lines to; unset: none"),
	[PM_CFG_LOKI_TENANT] = TEXT("loki_tenant", "PM25_LOKI_TENANT", NULL, 0,
				    "X-Scope-OrgID of Loki pushes"),
	[PM_CFG_LOKI_MAX_LINES] = INT("loki_max_lines", "PM25_LOKI_MAX_LINES",
				      1, 10000000, "10000", 0,
				      "lines queued for Loki before the "
				      "oldest are dropped"),
	[PM_CFG_LOKI_BATCH] = INT("loki_batch", "PM25_LOKI_BATCH", 1, 1000000,
				  "1000", 0, "most lines in one Loki push"),
	[PM_CFG_LOKI_FLUSH_MS] = INT("loki_flush_ms", "PM25_LOKI_FLUSH_MS", 1,
				     3600000, "1000", 0,
				     "longest wait before queued lines are "
				     "pushed"),
	[PM_CFG_SLACK_WEBHOOK_URL] = URL(
		"slack_webhook_url", "PM25_SLACK_WEBHOOK_URL", PM_CFG_SECRET,
		"a Slack-compatible webhook for "
		"alerts; unset: alerts wait in the "
		"state database"),
	[PM_CFG_ALERT_THROTTLE_S] = INT(
		"alert_throttle_s", "PM25_ALERT_THROTTLE_S", 0, 86400, "300", 0,
		"seconds between two alerts of one "
		"key"),
	[PM_CFG_ALERT_TRIES] =
		INT("alert_tries", "PM25_ALERT_TRIES", 1, 100, "8", 0,
		    "attempts to deliver an alert before it is "
		    "given up"),
	[PM_CFG_LAKEFS_ENDPOINT] = URL("lakefs_endpoint", "LAKEFS_ENDPOINT", 0,
				       "the lakeFS server (store: lakefs)"),
	[PM_CFG_LAKEFS_ACCESS_KEY] =
		TEXT("lakefs_access_key", "LAKEFS_ACCESS_KEY", NULL, 0,
		     "lakeFS access key id"),
	[PM_CFG_LAKEFS_SECRET_KEY] =
		TEXT("lakefs_secret_key", "LAKEFS_SECRET_KEY", NULL,
		     PM_CFG_SECRET, "lakeFS secret access key"),
	[PM_CFG_LAKEFS_NAMESPACE] =
		TEXT("lakefs_namespace", "LAKEFS_STORAGE_NAMESPACE",
		     "local://pm25", 0,
		     "where pm25 init puts a new lakeFS "
		     "repository: NAMESPACE/REPO "
		     "(s3://BUCKET/pm25 on MinIO)"),
	[PM_CFG_WAQI_TOKEN] = TEXT("waqi_token", "WAQI_TOKEN", NULL,
				   PM_CFG_SECRET, "token of the waqi source"),
	[PM_CFG_OPENAQ_API_KEY] =
		TEXT("openaq_api_key", "OPENAQ_API_KEY", NULL, PM_CFG_SECRET,
		     "API key of the openaq source"),
	[PM_CFG_AIR4THAI_URL] = ENDPOINT(
		"air4thai_url", "PM25_AIR4THAI_URL",
		"http://air4thai.pcd.go.th/services/getNewAQI_JSON.php",
		"the air4thai source's station feed (a stand-in or a proxy "
		"goes here)"),
	[PM_CFG_AIR4THAI_HISTORY_URL] =
		ENDPOINT("air4thai_history_url", "PM25_AIR4THAI_HISTORY_URL",
			 "http://air4thai.com/forweb/getHistoryData.php",
			 "the air4thai-history source's hourly history"),
	[PM_CFG_WAQI_URL] =
		ENDPOINT("waqi_url", "PM25_WAQI_URL", "https://api.waqi.info",
			 "the waqi source's API (…/feed/CITY/)"),
	[PM_CFG_OPENAQ_URL] = ENDPOINT("openaq_url", "PM25_OPENAQ_URL",
				       "https://api.openaq.org/v3",
				       "the openaq source's API (v3)"),
	[PM_CFG_FETCH_CONCURRENCY] = INT(
		"fetch_concurrency", "PM25_FETCH_CONCURRENCY", 1, 64, "8", 0,
		"requests a flow's fetch has in flight "
		"at once"),
	[PM_CFG_FETCH_INTERVAL_MS] = INT(
		"fetch_interval_ms", "PM25_FETCH_INTERVAL_MS", 0, 60000, "5", 0,
		"least milliseconds between two "
		"requests to one host"),
	[PM_CFG_FETCH_TIMEOUT_S] =
		INT("fetch_timeout_s", "PM25_FETCH_TIMEOUT_S", 1, 3600, "30", 0,
		    "a flow's time limit per source "
		    "request"),
	[PM_CFG_FETCH_TRIES] =
		INT("fetch_tries", "PM25_FETCH_TRIES", 1, 10, "3", 0,
		    "tries of a source request that timed out "
		    "or answered 429 or 5xx"),
	[PM_CFG_SERVER_LISTEN] =
		TEXT("server_listen", "PM25_LISTEN", "127.0.0.1:4200", 0,
		     "where pm25 server listens (HOST:PORT)"),
	[PM_CFG_API_TOKEN] =
		TEXT("api_token", "PM25_API_TOKEN", NULL, PM_CFG_SECRET,
		     "the bearer token the server asks of every "
		     "request that changes state"),
	[PM_CFG_API_URL] = URL("api_url", "PM25_API_URL", 0,
			       "a pm25 server the CLI talks to instead of "
			       "the state database"),
	[PM_CFG_CONTAINER_ENGINE] =
		TEXT("container_engine", "PM25_CONTAINER_ENGINE", NULL, 0,
		     "what runs a docker pool's "
		     "containers (default podman, else "
		     "docker, on PATH)"),
	[PM_CFG_CONTAINER_PULL] =
		CHOICE("container_pull", "PM25_CONTAINER_PULL",
		       "always|missing|never|newer", "missing",
		       "when a docker pool pulls a run's "
		       "image"),
	[PM_CFG_SOURCE] = TEXT("source", NULL, "air4thai-history", 0,
			       "pm25 run ingest-clean's source, unless "
			       "--param source= says"),
	[PM_CFG_CONTRACT] = TEXT("contract", NULL, NULL, 0,
				 "pm25 run ingest-clean's data contract "
				 "(default: the built-in one)"),
	[PM_CFG_STATION] = TEXT("station", NULL, NULL, 0,
				"pm25 run ingest-clean's stations, "
				"comma-separated (default: the source's)"),
	[PM_CFG_TRACE] = TEXT("trace", "PM25_TRACE", NULL, 0,
			      "subsystems that log every step (http, all)"),
	[PM_CFG_NOW_MS] = INT("now_ms", "PM25_NOW_MS", 0, LONG_MAX, NULL,
			      PM_CFG_ENV_ONLY | PM_CFG_TEST,
			      "the clock of the state database, for tests"),
	[PM_CFG_PAUSE_AT] = TEXT("pause_at", "PM25_PAUSE_AT", NULL,
				 PM_CFG_ENV_ONLY | PM_CFG_TEST,
				 "stop at these points (pm25/pause.h)"),
	[PM_CFG_PAUSE_FILE] = TEXT("pause_file", "PM25_PAUSE_FILE", NULL,
				   PM_CFG_ENV_ONLY | PM_CFG_TEST,
				   "where a paused process writes its pid"),
	[PM_CFG_NOOP_LOG] = TEXT("noop_log", "PM25_NOOP_LOG", NULL,
				 PM_CFG_ENV_ONLY | PM_CFG_TEST,
				 "a file the noop flow appends each completed "
				 "run to"),
};

/* What pm25.yaml said, owned; NULL where it said nothing. */
static char *from_file[PM_CFG_NKEYS];
static char *file_path;

const struct pm_config_row *pm_config_row(enum pm_config_key k)
{
	return &table[k];
}

int pm_config_find(const char *name)
{
	int k;

	for (k = 0; k < PM_CFG_NKEYS; k++)
		if (!strcmp(table[k].name, name))
			return k;
	return -1;
}

const char *pm_config_file(void)
{
	return file_path;
}

void pm_config_release(void)
{
	int k;

	for (k = 0; k < PM_CFG_NKEYS; k++) {
		free(from_file[k]);
		from_file[k] = NULL;
	}
	free(file_path);
	file_path = NULL;
}

/* The environment's value, "" included (it overrides the file). */
static const char *from_env(enum pm_config_key k)
{
	return table[k].env ? getenv(table[k].env) : NULL;
}

enum pm_config_origin pm_config_origin(enum pm_config_key k)
{
	if (from_env(k))
		return PM_CFG_FROM_ENV;
	return from_file[k] ? PM_CFG_FROM_FILE : PM_CFG_FROM_DEFAULT;
}

const char *pm_config_origin_name(enum pm_config_origin o)
{
	static const char *const names[] = { "default", "file", "env" };

	return names[o];
}

const char *pm_config_str(enum pm_config_key k)
{
	const char *v = from_env(k);

	if (!v)
		v = from_file[k] ? from_file[k] : table[k].dflt;
	return v && *v ? v : NULL;
}

const char *pm_config_str_or_default(enum pm_config_key k)
{
	const char *v = pm_config_str(k);

	return v ? v : table[k].dflt ? table[k].dflt : "";
}

/* A whole number in [lo, hi]: 0, else -1. */
static int whole(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

long pm_config_long(enum pm_config_key k)
{
	const char *v = pm_config_str(k);
	long n = 0;

	if (v && !whole(v, table[k].min, table[k].max, &n))
		return n;
	return table[k].dflt ? strtol(table[k].dflt, NULL, 10) : 0;
}

static int chosen(const char *choices, const char *v)
{
	size_t n = strlen(v);

	while (*choices) {
		size_t len = strcspn(choices, "|");

		if (len == n && !memcmp(choices, v, n))
			return 1;
		choices += len + (choices[len] == '|');
	}
	return 0;
}

enum pm_err pm_config_check(enum pm_config_key k, const char *value,
			    const char *where, struct pm_buf *err)
{
	const struct pm_config_row *r = &table[k];
	struct pm_buf shown = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	const char *p;
	long n;

	for (p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return pm_errf(err, PM_ERR_USAGE,
				       "%s: a control byte in the value",
				       where);
	if (!*value)
		return PM_OK; /* empty is unset */
	if (!(r->flags & (PM_CFG_SECRET | PM_CFG_PASSWORD)))
		pm_buf_add_printable(&shown, value, strlen(value), 60);
	else
		pm_buf_addstr(&shown, "(hidden)");
	if (r->type == PM_CFG_INT && whole(value, r->min, r->max, &n))
		ret = pm_errf(err, PM_ERR_USAGE,
			      "%s: '%s' is not a whole number from %ld to %ld",
			      where, shown.buf, r->min, r->max);
	else if (r->type == PM_CFG_CHOICE && !chosen(r->choices, value))
		ret = pm_errf(err, PM_ERR_USAGE, "%s: '%s' is not one of %s",
			      where, shown.buf, r->choices);
	else if (r->type == PM_CFG_URL && strncmp(value, "http://", 7) &&
		 strncmp(value, "https://", 8))
		ret = pm_errf(err, PM_ERR_USAGE,
			      "%s: '%s' is not an http:// or https:// URL",
			      where, r->flags & PM_CFG_SECRET ? "(hidden)" :
								shown.buf);
	pm_buf_release(&shown);
	return ret;
}

/* Key: value pairs of one mapping into from_file[]. */
static enum pm_err take_file(yaml_document_t *doc, const char *path,
			     struct pm_buf *err)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	yaml_node_pair_t *pair;
	struct pm_buf where = PM_BUF_INIT;
	enum pm_err ret = PM_OK;

	if (!root || (root->type == YAML_SCALAR_NODE &&
		      !*pm_yaml_scalar(root)))
		goto out; /* an empty file, or comments only */
	if (root->type != YAML_MAPPING_NODE) {
		ret = pm_errf(err, PM_ERR_USAGE,
			      "%s: not a mapping of setting: value", path);
		goto out;
	}
	for (pair = root->data.mapping.pairs.start;
	     !ret && pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = yaml_document_get_node(doc, pair->key),
			    *vn = yaml_document_get_node(doc, pair->value);
		const char *key = pm_yaml_scalar(kn), *v = pm_yaml_scalar(vn);
		int k = key ? pm_config_find(key) : -1;

		pm_buf_setf(&where, "%s:%zu: %s", path,
			    kn ? kn->start_mark.line + 1 : 1,
			    key ? key : "(key)");
		if (k < 0)
			ret = pm_errf(err, PM_ERR_USAGE,
				      "%s: not a setting (pm25 config ls lists "
				      "them)",
				      where.buf);
		else if (table[k].flags & PM_CFG_ENV_ONLY)
			ret = pm_errf(err, PM_ERR_USAGE,
				      "%s: set in the environment only (%s)",
				      where.buf, table[k].env);
		else if (!v)
			ret = pm_errf(err, PM_ERR_USAGE,
				      "%s: the value is not a scalar",
				      where.buf);
		else if (!(ret = pm_config_check(k, v, where.buf, err)))
			from_file[k] = pm_xstrdup(v);
	}
out:
	pm_buf_release(&where);
	return ret;
}

enum pm_err pm_config_parse(const char *text, size_t len, const char *origin,
			    struct pm_buf *err)
{
	yaml_document_t doc;
	enum pm_err ret;

	pm_config_release();
	ret = pm_yaml_load(text, len, origin, PM_ERR_USAGE, &doc, err);
	if (ret)
		return ret;
	ret = take_file(&doc, origin, err);
	yaml_document_delete(&doc);
	if (ret)
		pm_config_release();
	return ret;
}

static enum pm_err read_file(const char *path, struct pm_buf *err)
{
	struct pm_buf text = PM_BUF_INIT;
	enum pm_err ret;

	ret = pm_file_read(path, PM_MAX_CONTRACT, &text, err);
	if (ret == PM_ERR_NOTFOUND) {
		ret = PM_OK; /* no file: defaults and environment */
		goto out;
	}
	if (!ret)
		ret = pm_config_parse(text.buf ? text.buf : "", text.len, path,
				      err);
	if (!ret)
		file_path = pm_xstrdup(path);
out:
	pm_buf_release(&text);
	return ret;
}

enum pm_err pm_config_load(const char *path, struct pm_buf *err)
{
	struct pm_buf home = PM_BUF_INIT;
	enum pm_err ret = PM_OK;
	int k;

	pm_config_release();
	if (!path) {
		const char *dir = pm_config_str(PM_CFG_HOME);

		pm_buf_addf(&home, "%s/pm25.yaml", dir ? dir : "pm25-home");
		path = home.buf;
	}
	ret = read_file(path, err);
	for (k = 0; !ret && k < PM_CFG_NKEYS; k++)
		if (from_env(k))
			ret = pm_config_check(k, from_env(k), table[k].env,
					      err);
	if (ret)
		pm_config_release();
	pm_buf_release(&home);
	return ret;
}

/* The password of a URL's user:password@, or of password=, as ***. */
static void mask_password(const char *v, struct pm_buf *out)
{
	const char *pw;
	size_t off, len;

	if (!pm_url_password(v, &off, &len)) {
		pm_buf_add(out, v, off);
		pm_buf_addstr(out, "***");
		v += off + len;
	}
	while ((pw = strstr(v, "password")) != NULL) {
		const char *q = pw + 8 + strspn(pw + 8, " \t");

		if (*q != '=') {
			pm_buf_add(out, v, (size_t)(q - v));
			v = q;
			continue;
		}
		q++;
		q += strspn(q, " \t");
		pm_buf_add(out, v, (size_t)(q - v));
		pm_buf_addstr(out, "***");
		if (*q == '\'') {
			for (q++; *q && *q != '\''; q++)
				if (*q == '\\' && q[1])
					q++;
			q += *q == '\'';
		} else {
			q += strcspn(q, " \t");
		}
		v = q;
	}
	pm_buf_addstr(out, v);
}

void pm_config_shown(enum pm_config_key k, struct pm_buf *out)
{
	const char *v = pm_config_str(k);
	struct pm_buf raw = PM_BUF_INIT;

	if (!v)
		return;
	if (table[k].flags & PM_CFG_SECRET) {
		const char *auth = strstr(v, "://");

		if (table[k].type == PM_CFG_URL && auth) {
			size_t host = strcspn(auth + 3, "/?#@");

			/* the host is shown; path, query and user are not */
			if (auth[3 + host] == '@')
				host = 0;
			pm_buf_add(&raw, v, (size_t)(auth + 3 - v) + host);
			pm_buf_addstr(&raw, host ? "/***" : "***");
		} else {
			pm_buf_addstr(&raw, "***");
		}
	} else if (table[k].flags & PM_CFG_PASSWORD) {
		mask_password(v, &raw);
	} else {
		pm_buf_addstr(&raw, v);
	}
	pm_buf_add_printable(out, raw.buf, raw.len, 200);
	pm_buf_release(&raw);
}

void pm_config_sample(struct pm_buf *out)
{
	int k;

	pm_buf_addstr(out, "# pm25 settings (pm25 init writes this file once; "
			   "pm25 config ls shows\n# what is in effect). A "
			   "variable in the environment overrides a line\n"
			   "# here, and a line here overrides the default. "
			   "Flow parameters given\n# with --param override "
			   "source, contract and station.\n");
	for (k = 0; k < PM_CFG_NKEYS; k++) {
		const struct pm_config_row *r = &table[k];

		if (r->flags & PM_CFG_ENV_ONLY)
			continue;
		pm_buf_addf(out, "\n# %s", r->help);
		if (r->env)
			pm_buf_addf(out, " (%s)", r->env);
		pm_buf_addf(out, "\n# %s:%s%s\n", r->name, r->dflt ? " " : "",
			    r->dflt ? r->dflt : "");
	}
}
