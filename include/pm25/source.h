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
};

extern const struct pm_source pm_source_air4thai;
extern const struct pm_source pm_source_air4thai_history;
extern const struct pm_source pm_source_waqi;
extern const struct pm_source pm_source_openaq;
extern const struct pm_source pm_source_csv;

/* The driver called name, or NULL. */
const struct pm_source *pm_source_find(const char *name);
/* NULL-terminated list of every driver. */
const struct pm_source *const *pm_source_list(void);

struct pm_ingest_stats {
	size_t pages, bytes;
	char *origin; /* owned: the file or (redacted) URL read */
};

/* Raw responses, byte for byte: every page of one fetch. */
struct pm_fetched {
	char *data;	  /* owned: the pages, concatenated */
	size_t len;
	size_t *page_end; /* owned: end offset of each page */
	size_t nr_pages;
	char *origin;	  /* owned: the file or (redacted) URL */
};

/* Read req->file, or req->url, or the live API (all its pages). */
enum pm_err pm_source_fetch(const struct pm_source *src,
			    const struct pm_source_req *req,
			    struct pm_fetched *f, struct pm_buf *err);
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
