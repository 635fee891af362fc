/*
 * Data sources. Each driver is an ops table in lib/sources/<name>.c that
 * knows its API's URL and how to turn one response into canonical rows.
 * Fetching (HTTP, file:// recordings, local files) is shared.
 */
#ifndef PM25_SOURCE_H
#define PM25_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_table;
struct pm_missing;
struct pm_http_opts;

/* What to fetch. Every pointer is borrowed. */
struct pm_source_req {
	const char *file;	     /* read this file instead of the API */
	const char *url;	     /* fetch this URL (file:// works too) */
	const char *const *stations; /* station ids (filter, and the query) */
	size_t nr_stations;
	const char *params;	     /* comma list, e.g. "PM25,PM10" */
	int64_t from_day, to_day;    /* local dates as days since epoch, or
					PM_TIME_NONE */
	int64_t from_time, to_time;  /* keep hours labelled in (from, to],
					UTC s; 0 for no bound */
	const char *api_key;	     /* WAQI token, OpenAQ key */
	const char *station;	     /* csv: id for files without one */
	const struct pm_missing *missing; /* NULL: Air4Thai defaults */
	unsigned zero_missing;	     /* bit per column: 0 means missing */
	const char *hour_label;	     /* "begin" or "end" (default: detect) */
	const struct pm_http_opts *http; /* NULL: defaults */
};

struct pm_source {
	const char *name;
	const char *help;
	/* Build the URL of the live API for req. */
	enum pm_err (*build_url)(const struct pm_source_req *req,
				 struct pm_buf *url, struct pm_buf *err);
	/*
	 * Parse one response body (borrowed) and append its rows and station
	 * metadata to t. origin names the body in errors.
	 */
	enum pm_err (*parse)(const char *body, size_t len, const char *origin,
			     const struct pm_source_req *req,
			     struct pm_table *t, struct pm_buf *err);
	/*
	 * Optional: after a page was parsed, set url to the next page and
	 * return 1, or return 0 when there is none.
	 */
	int (*next_page)(const char *body, size_t len, const char *url,
			 int page, struct pm_buf *next);
	/* Extra HTTP headers for the live API (may use req->api_key). */
	void (*headers)(const struct pm_source_req *req, struct pm_buf *hdr);
	/*
	 * Its API is asked one station per request, so a flow's fetch
	 * asks for every station in parallel and one failing does not
	 * fail the others (pm_source_fetch_stations).
	 */
	int per_station;
	/* The setting that holds its live API's URL, or NULL. */
	const char *endpoint;
	/* The setting of the token its live API needs, or NULL. */
	const char *secret;
};

extern const struct pm_source pm_source_air4thai;
extern const struct pm_source pm_source_air4thai_history;
extern const struct pm_source pm_source_waqi;
extern const struct pm_source pm_source_openaq;
extern const struct pm_source pm_source_csv;

/*
 * Whether src's live API can be asked: its token's setting is set.
 * PM_ERR_USAGE saying which setting to set.
 */
enum pm_err pm_source_ready(const struct pm_source *src, struct pm_buf *err);
/* The driver called name, or NULL. */
const struct pm_source *pm_source_find(const char *name);
/* NULL-terminated list of every driver. */
const struct pm_source *const *pm_source_list(void);

struct pm_ingest_stats {
	size_t pages, bytes;
	char *origin; /* owned: the file or (redacted) URL read */
};

/* A station whose request failed, and why. */
struct pm_fetch_failure {
	char *station; /* owned */
	enum pm_err err;
	char *why;     /* owned */
};

/* Raw responses, byte for byte: every page of one fetch. */
struct pm_fetched {
	char *data;	  /* owned: the pages, concatenated */
	size_t len;
	size_t *page_end; /* owned: end offset of each page */
	size_t nr_pages;
	char *origin;	  /* owned: the file or (redacted) URL */
	/* per station fetches only, else NULL and 0: */
	char **page_station; /* owned: the station each page answers */
	struct pm_fetch_failure *failed; /* owned: who did not answer */
	size_t nr_failed;
};

/* Read req->file, or req->url, or the live API (all its pages). */
enum pm_err pm_source_fetch(const struct pm_source *src,
			    const struct pm_source_req *req,
			    struct pm_fetched *f, struct pm_buf *err);
/*
 * A per_station source's live API, one request per station of req, at
 * most concurrency at once and interval_ms apart per host: a page per
 * station that answered, a failure per one that did not (after the
 * retries of req->http). PM_ERR_USAGE if its URL cannot be built.
 */
enum pm_err pm_source_fetch_stations(const struct pm_source *src,
				     const struct pm_source_req *req,
				     int concurrency, long interval_ms,
				     struct pm_fetched *f, struct pm_buf *err);
/*
 * Whether the source answers, with one cheap request: req->file is
 * readable, or the driver's endpoint gives any HTTP answer below 500 in
 * one try (req->url is not asked twice: its fetch is the request).
 * PM_ERR_NET (or _TIMEOUT) names what did not.
 */
enum pm_err pm_source_probe(const struct pm_source *src,
			    const struct pm_source_req *req,
			    struct pm_buf *err);
/* Parse one page (body, len) into t, with no filter. */
enum pm_err pm_source_parse_page(const struct pm_source *src,
				 const struct pm_source_req *req,
				 const char *body, size_t len,
				 const char *origin, struct pm_table *t,
				 struct pm_buf *err);
/* Keep the rows of t from row from on of req's stations, dates, hours. */
void pm_source_filter(struct pm_table *t, const struct pm_source_req *req,
		      size_t from);
/* Parse every page of f into t, then keep the wanted stations and dates. */
enum pm_err pm_source_parse(const struct pm_source *src,
			    const struct pm_source_req *req,
			    const struct pm_fetched *f, struct pm_table *t,
			    struct pm_buf *err);
void pm_fetched_release(struct pm_fetched *f);

/*
 * Fetch and parse: reads req->file, or req->url, or the driver's live
 * URL; every raw body is appended to raw (if not NULL) byte for byte.
 * Rows outside req->stations or the date range are dropped. Caller
 * releases stats with pm_ingest_stats_release().
 */
enum pm_err pm_source_ingest(const struct pm_source *src,
			     const struct pm_source_req *req,
			     struct pm_table *t, struct pm_buf *raw,
			     struct pm_ingest_stats *stats,
			     struct pm_buf *err);
void pm_ingest_stats_release(struct pm_ingest_stats *s);

/* Shared by the JSON drivers (lib/sources/json.c). */
struct json_t;

#endif
