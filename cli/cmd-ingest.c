/*
 * pm25 ingest: one source into the canonical CSV (and, on request, the
 * station list and the raw response).
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/fsutil.h"
#include "pm25/http.h"
#include "pm25/source.h"
#include "pm25/table.h"
#include "pm25/timeutil.h"
#include "cmd.h"
#include "parse-options.h"

static const char *const ingest_usage[] = {
	"pm25 ingest --source S (--file PATH | --url URL) [--station ID...] "
	"[--from D --to D] -o OUT.csv [--json]",
	NULL
};

/* "ws,temp,rh" or "none" into a column bit set; -1 on a bad name. */
static int parse_zero_rule(const char *s, unsigned *mask)
{
	*mask = 0;
	if (!strcmp(s, "none") || !*s)
		return 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		int c = pm_col_lookup(s, n);

		if (c < 0 || c >= PM_NMEASURES)
			return -1;
		*mask |= 1u << c;
		s += n + (s[n] == ',');
	}
	return 0;
}

/* Stations with at least one row (filters may drop some). */
static size_t stations_used(const struct pm_table *t)
{
	char *seen = pm_xcalloc(t->stations.nr + 1, 1);
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++) {
		n += !seen[t->station[i]];
		seen[t->station[i]] = 1;
	}
	free(seen);
	return n;
}

static void print_json(const struct pm_source *src,
		       const struct pm_ingest_stats *st,
		       const struct pm_table *t, const char *out)
{
	struct pm_buf b = PM_BUF_INIT;
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	char ts[32];
	size_t i;

	for (i = 0; i < t->nr; i++) {
		if (t->time[i] == PM_TIME_NONE)
			continue;
		lo = t->time[i] < lo ? t->time[i] : lo;
		hi = t->time[i] > hi ? t->time[i] : hi;
	}
	pm_buf_addstr(&b, "{\"source\": ");
	pm_buf_add_json_str(&b, src->name, strlen(src->name));
	pm_buf_addstr(&b, ", \"origin\": ");
	pm_buf_add_json_str(&b, st->origin, strlen(st->origin));
	pm_buf_addf(&b, ", \"pages\": %zu, \"bytes\": %zu, \"rows\": %zu, "
			"\"stations\": %zu",
		    st->pages, st->bytes, t->nr, stations_used(t));
	pm_buf_addstr(&b, ", \"first_utc\": ");
	if (lo <= hi) {
		pm_time_format(lo, ts);
		pm_buf_add_json_str(&b, ts, strlen(ts));
		pm_buf_addstr(&b, ", \"last_utc\": ");
		pm_time_format(hi, ts);
		pm_buf_add_json_str(&b, ts, strlen(ts));
	} else {
		pm_buf_addstr(&b, "null, \"last_utc\": null");
	}
	pm_buf_addf(&b, ", \"stations_listed\": %zu", t->stations.nr);
	pm_buf_addf(&b, ", \"missing_marker_cells\": %zu, "
			"\"unparseable_cells\": %zu, \"met_zero_cells\": %zu",
		    t->markers, t->junk, t->met_zero);
	pm_buf_addstr(&b, ", \"output\": ");
	pm_buf_add_json_str(&b, out, strlen(out));
	pm_buf_addstr(&b, "}\n");
	fputs(b.buf, stdout);
	pm_buf_release(&b);
}

static int ingest_exec(int argc, const char **argv)
{
	const char *source = NULL, *file = NULL, *url = NULL, *out = NULL;
	const char *from = NULL, *to = NULL, *param = NULL, *key = NULL;
	const char *stations_out = NULL, *raw_out = NULL, *label = NULL;
	const char *zero = "ws,temp,rh";
	struct opt_list stations = { 0 };
	long timeout = 60, retries = 4, max_body = 64 << 20;
	int json = 0, status = PM_EXIT_OK;
	struct option opts[] = {
		OPT_STRING_('s', "source", &source, "name",
			    "air4thai, air4thai-history, waqi, openaq or csv"),
		OPT_STRING_(0, "file", &file, "path",
			    "read a saved response or CSV file"),
		OPT_STRING_(0, "url", &url, "url",
			    "fetch this URL (file:// replays a recording)"),
		OPT_LIST_(0, "station", &stations, "id",
			  "station to fetch or keep (repeatable)"),
		OPT_STRING_(0, "from", &from, "date", "first local date"),
		OPT_STRING_(0, "to", &to, "date", "last local date"),
		OPT_STRING_(0, "param", &param, "list",
			    "parameters, e.g. PM25,PM10 (openaq: pm25)"),
		OPT_STRING_(0, "api-key", &key, "key",
			    "WAQI token or OpenAQ key (or WAQI_TOKEN, "
			    "OPENAQ_API_KEY)"),
		OPT_STRING_(0, "zero-missing", &zero, "cols",
			    "columns where 0 means no sensor (default "
			    "ws,temp,rh; 'none')"),
		OPT_STRING_(0, "hour-label", &label, "begin|end",
			    "history labels mark the hour's begin or end "
			    "(default: detect)"),
		OPT_INT_(0, "timeout", &timeout, "sec",
			 "HTTP timeout per try (default 60)"),
		OPT_INT_(0, "retries", &retries, "n",
			 "HTTP tries on timeout, 429 or 5xx (default 4)"),
		OPT_INT_(0, "max-body", &max_body, "bytes",
			 "largest response accepted (default 64 MiB)"),
		OPT_STRING_('o', "output", &out, "file",
			    "canonical CSV to write"),
		OPT_STRING_(0, "stations-out", &stations_out, "file",
			    "also write the station list as CSV"),
		OPT_STRING_(0, "raw-out", &raw_out, "file",
			    "also keep the raw response, byte for byte"),
		OPT_BOOL_(0, "json", &json, "print a JSON summary"),
		OPT_END_(),
	};
	struct pm_http_opts http = PM_HTTP_OPTS_INIT;
	struct pm_source_req req;
	struct pm_ingest_stats st = { 0 };
	struct pm_buf err = PM_BUF_INIT, raw = PM_BUF_INIT, csv = PM_BUF_INIT;
	const struct pm_source *src;
	struct pm_table t;
	enum pm_err e;

	pm_table_init(&t);
	memset(&req, 0, sizeof(req));
	if (parse_options(argc, argv, opts, ingest_usage)) {
		status = cmd_usage_error("ingest", "unexpected argument '%s'",
					 argv[0]);
		goto out;
	}
	if (!source || !(src = pm_source_find(source))) {
		status = cmd_usage_error("ingest", "%s --source%s%s",
					 source ? "unknown" : "missing",
					 source ? " " : "",
					 source ? source : "");
		goto out;
	}
	if (!out) {
		status = cmd_usage_error("ingest", "missing -o OUT.csv");
		goto out;
	}
	if (file && url) {
		status = cmd_usage_error("ingest",
					 "give --file or --url, not both");
		goto out;
	}
	if (cmd_parse_day(from, &req.from_day) || cmd_parse_day(to, &req.to_day)) {
		status = cmd_usage_error("ingest", "--from/--to: not a date "
						   "(YYYY-MM-DD)");
		goto out;
	}
	if (parse_zero_rule(zero, &req.zero_missing)) {
		status = cmd_usage_error("ingest", "--zero-missing: unknown "
						   "column in '%s'", zero);
		goto out;
	}
	if (label && strcmp(label, "begin") && strcmp(label, "end")) {
		status = cmd_usage_error("ingest",
					 "--hour-label is begin or end");
		goto out;
	}
	if (timeout < 1 || retries < 1 || retries > 10) {
		status = cmd_usage_error("ingest", "--timeout must be >= 1 and "
						   "--retries 1 to 10");
		goto out;
	}
	if (max_body < 1) {
		status = cmd_usage_error("ingest", "--max-body must be >= 1");
		goto out;
	}
	http.max_body = (size_t)max_body;
	http.timeout_ms = timeout * 1000;
	http.max_tries = (int)retries;
	req.file = file;
	req.url = url;
	req.stations = stations.v;
	req.nr_stations = stations.nr;
	req.params = param;
	req.api_key = key;
	req.station = stations.nr ? stations.v[0] : NULL;
	req.hour_label = label;
	req.http = &http;
	e = pm_source_ingest(src, &req, &t, raw_out ? &raw : NULL, &st, &err);
	if (e) {
		status = cmd_fail("ingest", e, err.buf);
		goto out;
	}
	pm_table_sort(&t, 0);
	pm_table_write_csv(&t, &csv);
	e = pm_file_write_atomic(out, csv.buf, csv.len, &err);
	if (!e && stations_out) {
		pm_buf_reset(&csv);
		pm_table_write_stations(&t, &csv);
		e = pm_file_write_atomic(stations_out, csv.buf, csv.len, &err);
	}
	if (!e && raw_out)
		e = pm_file_write_atomic(raw_out, raw.buf, raw.len, &err);
	if (e) {
		status = cmd_fail("ingest", e, err.buf);
		goto out;
	}
	if (json)
		print_json(src, &st, &t, out);
	else if (!t.nr && t.stations.nr)
		printf("%s: a station list of %zu stations from %s -> %s\n",
		       src->name, t.stations.nr, st.origin,
		       stations_out ? stations_out : "(use --stations-out)");
	else
		printf("%s: %zu rows, %zu stations from %s -> %s\n", src->name,
		       t.nr, stations_used(&t), st.origin, out);
out:
	pm_ingest_stats_release(&st);
	pm_table_release(&t);
	opt_list_release(&stations);
	pm_buf_release(&err);
	pm_buf_release(&raw);
	pm_buf_release(&csv);
	return status;
}

const struct cmd cmd_ingest = {
	.name = "ingest",
	.summary = "read one source into the canonical CSV",
	.exec = ingest_exec,
	.flags = CMD_NEED_NET,
};
