/*
 * pm_buf: the growable, always NUL-terminated byte buffer used for every
 * string that is built at run time.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"

char pm_buf_slopbuf[1];

void pm_buf_init(struct pm_buf *b)
{
	b->buf = pm_buf_slopbuf;
	b->len = 0;
	b->alloc = 0;
	b->max = 0;
}

void pm_buf_release(struct pm_buf *b)
{
	size_t max = b->max;

	if (b->alloc)
		free(b->buf);
	pm_buf_init(b);
	b->max = max;
}

char *pm_buf_detach(struct pm_buf *b, size_t *len)
{
	char *s;

	if (len)
		*len = b->len;
	if (!b->alloc)
		return pm_xstrdup("");
	s = b->buf;
	pm_buf_init(b);
	return s;
}

int pm_buf_grow(struct pm_buf *b, size_t n)
{
	size_t want;

	if (b->max && (n > b->max || b->len > b->max - n))
		return -1;
	want = b->len + n + 1;
	if (want <= b->alloc)
		return 0;
	if (!b->alloc)
		b->buf = NULL;
	if (want < b->alloc * 3 / 2)
		want = b->alloc * 3 / 2;
	if (want < 64)
		want = 64;
	b->buf = pm_xrealloc(b->buf, want);
	b->alloc = want;
	b->buf[b->len] = '\0';
	return 0;
}

void pm_buf_reset(struct pm_buf *b)
{
	pm_buf_setlen(b, 0);
}

void pm_buf_setlen(struct pm_buf *b, size_t len)
{
	if (len > (b->alloc ? b->alloc - 1 : 0))
		PM_BUG("pm_buf_setlen beyond allocation");
	b->len = len;
	if (b->alloc)
		b->buf[len] = '\0';
}

int pm_buf_add(struct pm_buf *b, const void *p, size_t n)
{
	if (!n)
		return 0;
	if (pm_buf_grow(b, n))
		return -1;
	memcpy(b->buf + b->len, p, n);
	b->len += n;
	b->buf[b->len] = '\0';
	return 0;
}

int pm_buf_addstr(struct pm_buf *b, const char *s)
{
	return pm_buf_add(b, s, strlen(s));
}

int pm_buf_addch(struct pm_buf *b, int c)
{
	char ch = (char)c;

	return pm_buf_add(b, &ch, 1);
}

int pm_buf_vaddf(struct pm_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(b->buf + b->len, b->alloc ? b->alloc - b->len : 0, fmt,
		      cp);
	va_end(cp);
	if (n < 0)
		PM_BUG("vsnprintf failed");
	if (b->alloc && (size_t)n < b->alloc - b->len) {
		b->len += (size_t)n;
		return 0;
	}
	if (pm_buf_grow(b, (size_t)n))
		return -1;
	n = vsnprintf(b->buf + b->len, b->alloc - b->len, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int pm_buf_addf(struct pm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = pm_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return r;
}

void pm_buf_setf(struct pm_buf *b, const char *fmt, ...)
{
	va_list ap;

	pm_buf_reset(b);
	va_start(ap, fmt);
	pm_buf_vaddf(b, fmt, ap);
	va_end(ap);
}

void pm_buf_add_json_str(struct pm_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	pm_buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			pm_buf_add(b, "\\\"", 2);
			break;
		case '\\':
			pm_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			pm_buf_add(b, "\\n", 2);
			break;
		case '\r':
			pm_buf_add(b, "\\r", 2);
			break;
		case '\t':
			pm_buf_add(b, "\\t", 2);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				char u[6] = { '\\', 'u', '0', '0', hex[c >> 4],
					      hex[c & 15] };
				pm_buf_add(b, u, 6);
			} else {
				pm_buf_addch(b, c);
			}
		}
	}
	pm_buf_addch(b, '"');
}

void pm_buf_add_json_num(struct pm_buf *b, double v)
{
	char tmp[32];
	int prec;

	if (!isfinite(v)) {
		pm_buf_addstr(b, "null");
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	pm_buf_addstr(b, tmp);
	if (!strpbrk(tmp, ".eEn"))
		pm_buf_addstr(b, ".0");
}

void pm_buf_add_printable(struct pm_buf *b, const char *p, size_t n,
			  size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)p[i];

		pm_buf_addch(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	if (n > max)
		pm_buf_addstr(b, "...");
}

void pm_buf_add_html(struct pm_buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			pm_buf_addstr(b, "&amp;");
			break;
		case '<':
			pm_buf_addstr(b, "&lt;");
			break;
		case '>':
			pm_buf_addstr(b, "&gt;");
			break;
		case '"':
			pm_buf_addstr(b, "&quot;");
			break;
		case '\'':
			pm_buf_addstr(b, "&#39;");
			break;
		default:
			pm_buf_addch(b, s[i]);
		}
	}
}
