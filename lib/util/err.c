/*
 * Error codes to text, and the helpers that fill a caller's error buffer.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/err.h"

const char *pm_strerror(enum pm_err e)
{
	switch (e) {
	case PM_OK:
		return "ok";
	case PM_ERR_IO:
		return "i/o error";
	case PM_ERR_PARSE:
		return "parse error";
	case PM_ERR_USAGE:
		return "usage error";
	case PM_ERR_NET:
		return "network error";
	case PM_ERR_TIMEOUT:
		return "timed out";
	case PM_ERR_HTTP:
		return "http error";
	case PM_ERR_LIMIT:
		return "limit exceeded";
	case PM_ERR_CONTRACT:
		return "bad contract";
	case PM_ERR_GATE:
		return "quality gate failed";
	case PM_ERR_NOTFOUND:
		return "not found";
	case PM_ERR_DATA:
		return "insufficient data";
	case PM_ERR_CONFLICT:
		return "conflict";
	}
	return "unknown error";
}

enum pm_err pm_errf(struct pm_buf *err, enum pm_err e, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return e;
	pm_buf_reset(err);
	va_start(ap, fmt);
	pm_buf_vaddf(err, fmt, ap);
	va_end(ap);
	return e;
}

void pm_err_prefix(struct pm_buf *err, const char *prefix)
{
	struct pm_buf tmp = PM_BUF_INIT;

	if (!err)
		return;
	pm_buf_addstr(&tmp, prefix);
	pm_buf_add(&tmp, err->buf, err->len);
	pm_buf_reset(err);
	pm_buf_add(err, tmp.buf, tmp.len);
	pm_buf_release(&tmp);
}
