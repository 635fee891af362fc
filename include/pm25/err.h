/*
 * Error codes of libpm25. Fallible functions return enum pm_err and write
 * the human detail into a caller-owned struct pm_buf *err.
 */
#ifndef PM25_ERR_H
#define PM25_ERR_H

struct pm_buf;

enum pm_err {
	PM_OK = 0,
	PM_ERR_IO,	 /* file system */
	PM_ERR_PARSE,	 /* malformed input */
	PM_ERR_USAGE,	 /* bad arguments */
	PM_ERR_NET,	 /* connection, DNS, TLS */
	PM_ERR_TIMEOUT,	 /* a peer was too slow */
	PM_ERR_HTTP,	 /* unexpected HTTP status */
	PM_ERR_LIMIT,	 /* a hard limit was hit */
	PM_ERR_CONTRACT, /* broken data contract */
	PM_ERR_GATE,	 /* quality gate failed */
	PM_ERR_NOTFOUND, /* no such file, ref or station */
	PM_ERR_DATA,	 /* data that cannot support the operation */
	PM_ERR_CONFLICT, /* a merge conflict, or a ref that kept moving */
};

/* Short static text for code e. */
const char *pm_strerror(enum pm_err e);

/*
 * Replace the text in err (if err is not NULL) and return code e, so that
 * callers can write: return pm_errf(err, PM_ERR_IO, "%s: %s", ...).
 */
enum pm_err pm_errf(struct pm_buf *err, enum pm_err e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Put prefix in front of the text already in err. */
void pm_err_prefix(struct pm_buf *err, const char *prefix);

#endif
