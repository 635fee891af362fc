/*
 * What the dashboard's pages share (server/page.c): the frame with its
 * navigation, escaped text and URL arguments, times, ages and
 * durations, state badges, buttons that act through the API, and the
 * next-page link. Every string from the data goes through page_text()
 * or page_arg(). Internal to server/.
 */
#ifndef PM25_SERVER_PAGE_H
#define PM25_SERVER_PAGE_H

#include <stdint.h>
#include "server-int.h"

struct pm_buf;

/* Start a page: head, navigation (nav is the current section's path). */
void page_open(const struct srv_req *rq, struct srv_resp *out,
	       const char *title, const char *nav);
/* End it. */
void page_close(struct srv_resp *out);

/* s escaped for HTML; NULL or "" as a dash. */
void page_text(struct pm_buf *b, const char *s);
/* s percent-encoded for a URL's path part or query value. */
void page_arg(struct pm_buf *b, const char *s);
/* A time (ms since the epoch) in ICT, as <time>; a dash for none. */
void page_time(struct pm_buf *b, int64_t ms);
/* How long ago ms was from now_ms: "5 min ago". */
void page_age(struct pm_buf *b, int64_t ms, int64_t now_ms);
/* A duration in seconds: "850 ms", "12.4 s", "3 min 2 s", "2 h 5 min". */
void page_secs(struct pm_buf *b, double secs);
/* A run state as a coloured badge. */
void page_state(struct pm_buf *b, const char *state);
/* A link to run id. */
void page_run_link(struct pm_buf *b, const char *id);

/*
 * A button that sends method to url (an /api route) with body (JSON, or
 * NULL) after the user confirms question; the page then reloads. It is
 * disabled with a hint when the server takes no writes.
 */
void page_button(const struct srv_req *rq, struct pm_buf *b, const char *label,
		 const char *method, const char *url, const char *body,
		 const char *question);

/* The link to the next page: base (with its query) and cursor. */
void page_next(struct pm_buf *b, const char *base, const char *cursor);

/* A section heading with an empty-list note when n is 0. */
void page_h2(struct pm_buf *b, const char *title);
/* "nothing yet" as a paragraph. */
void page_none(struct pm_buf *b, const char *what);

struct pm_run;
/* A table of runs, as the runs list and the overview show them. */
void page_runs_table(struct pm_buf *b, const struct pm_run *v, size_t n,
		     int64_t now);

struct pm_store;
struct pm_commit_info;
/* The home's store name ("data", "models"), or NULL with why set. */
struct pm_store *page_store(const struct srv_req *rq, const char *name,
			    struct pm_buf *why);
/* A commit's metadata value of key, or NULL. */
const char *page_meta(const struct pm_commit_info *c, const char *key);

/* The colour of a run state, for charts. */
const char *page_state_colour(const char *state);

#endif
