/*
 * Growable byte buffer. Invariants: buf is never NULL and always
 * NUL-terminated; len bytes are valid. A buffer fed from the network sets
 * max, and the add functions then refuse to grow past it.
 */
#ifndef PM25_BUF_H
#define PM25_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct pm_buf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t max; /* 0: no limit */
};

extern char pm_buf_slopbuf[];
#define PM_BUF_INIT { pm_buf_slopbuf, 0, 0, 0 }

/* Set up a caller-owned buffer; does not allocate. */
void pm_buf_init(struct pm_buf *b);
/* Free the contents and re-init. */
void pm_buf_release(struct pm_buf *b);
/* Hand the string to the caller, who frees it; b is left empty. */
char *pm_buf_detach(struct pm_buf *b, size_t *len);
/* Make room for n more bytes. Returns -1 (and changes nothing) past max. */
int pm_buf_grow(struct pm_buf *b, size_t n);
void pm_buf_reset(struct pm_buf *b);
void pm_buf_setlen(struct pm_buf *b, size_t len);
/* Append. Each returns 0, or -1 if max would be exceeded. */
int pm_buf_add(struct pm_buf *b, const void *p, size_t n);
int pm_buf_addstr(struct pm_buf *b, const char *s);
int pm_buf_addch(struct pm_buf *b, int c);
int pm_buf_addf(struct pm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pm_buf_vaddf(struct pm_buf *b, const char *fmt, va_list ap);
/* Replace the contents with the formatted text. */
void pm_buf_setf(struct pm_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Append at most max bytes of (p, n) for a terminal or a log: control
 * bytes (escape sequences among them) become '?', and "..." marks a cut.
 */
void pm_buf_add_printable(struct pm_buf *b, const char *p, size_t n,
			  size_t max);
/* Append s as a JSON string literal, quotes included. */
void pm_buf_add_json_str(struct pm_buf *b, const char *s, size_t n);
/* Append a double so that it reads back exactly (shortest %.17g form). */
void pm_buf_add_json_num(struct pm_buf *b, double v);
/* Append text with &, <, >, " and ' escaped for HTML and SVG. */
void pm_buf_add_html(struct pm_buf *b, const char *s, size_t n);

#endif
