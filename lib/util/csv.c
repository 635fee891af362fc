/*
 * The CSV tokenizer. Unquoted lines take a memchr fast path; a line with
 * a quote goes through the general state machine.
 */
#include "pm25/compat.h"
#include "../limits.h"
#include "pm25/alloc.h"
#include "pm25/csv.h"
#include "pm25/err.h"

int pm_str_ieq(struct pm_str s, const char *z)
{
	size_t i, n = strlen(z);

	if (s.len != n)
		return 0;
	for (i = 0; i < n; i++) {
		int a = (unsigned char)s.ptr[i], b = (unsigned char)z[i];

		if (a >= 'A' && a <= 'Z')
			a += 32;
		if (b >= 'A' && b <= 'Z')
			b += 32;
		if (a != b)
			return 0;
	}
	return 1;
}

void pm_csv_init(struct pm_csv *c, const char *data, size_t len)
{
	memset(c, 0, sizeof(*c));
	pm_buf_init(&c->unq);
	c->p = data;
	c->end = data + len;
	c->line = 1;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		c->p += 3;
}

void pm_csv_release(struct pm_csv *c)
{
	free(c->f);
	free(c->unq_off);
	pm_buf_release(&c->unq);
	c->f = NULL;
	c->unq_off = NULL;
}

static inline int push(struct pm_csv *c, const char *p, size_t n, size_t off,
		       struct pm_buf *err)
{
	if (c->nf < c->f_alloc && c->nf < c->unq_alloc) {
		c->f[c->nf].ptr = p;
		c->f[c->nf].len = n;
		c->unq_off[c->nf++] = off;
		return 0;
	}
	if (c->nf >= PM_MAX_FIELDS) {
		pm_errf(err, PM_ERR_LIMIT, "line %zu: more than %d fields",
			c->rec_line, PM_MAX_FIELDS);
		return -1;
	}
	PM_ALLOC_GROW(c->f, c->nf + 1, c->f_alloc);
	PM_ALLOC_GROW(c->unq_off, c->nf + 1, c->unq_alloc);
	c->f[c->nf].ptr = p;
	c->f[c->nf].len = n;
	c->unq_off[c->nf] = off;
	c->nf++;
	return 0;
}

static int is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

static int slow_record(struct pm_csv *c, struct pm_buf *err)
{
	const char *p = c->p;

	pm_buf_reset(&c->unq);
	for (;;) {
		const char *start = p;

		if (p < c->end && *p == '"') {
			size_t off = c->unq.len;

			p++;
			for (;;) {
				if (p >= c->end) {
					pm_errf(err, PM_ERR_PARSE,
						"line %zu: unterminated quoted field",
						c->rec_line);
					return -1;
				}
				if (*p == '"') {
					if (p + 1 < c->end && p[1] == '"') {
						pm_buf_addch(&c->unq, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\n')
					c->line++;
				pm_buf_addch(&c->unq, *p++);
			}
			/* text after the closing quote is kept verbatim */
			while (p < c->end && *p != ',' && *p != '\n' &&
			       !(*p == '\r' && (p + 1 == c->end || p[1] == '\n')))
				pm_buf_addch(&c->unq, *p++);
			if (push(c, NULL, c->unq.len - off, off, err))
				return -1;
		} else {
			while (p < c->end && *p != ',' && *p != '\n')
				p++;
			if (push(c, start,
				 (size_t)(p - start) -
					 ((p > start && p[-1] == '\r' &&
					   (p == c->end || *p == '\n')) ?
						  1 :
						  0),
				 SIZE_MAX, err))
				return -1;
		}
		if (p < c->end && *p == '\r' && (p + 1 == c->end || p[1] == '\n'))
			p++;
		if (p >= c->end || *p == '\n') {
			if (p < c->end)
				p++;
			break;
		}
		p++; /* the comma */
	}
	c->p = p;
	return 1;
}

int pm_csv_next(struct pm_csv *c, struct pm_buf *err)
{
	const char *line = c->p, *q, *end = c->end;

	if (line >= end)
		return 0;
	c->nf = 0;
	c->rec_line = c->line++;
	/* one pass: fields end at a comma, the line at a newline */
	for (q = line;;) {
		const char *f = q;
		size_t n;

		while (q < end && *q != ',' && *q != '\n' && *q != '"')
			q++;
		if (q < end && *q == '"')
			break;
		n = (size_t)(q - f);
		if ((q == end || *q == '\n') && n && f[n - 1] == '\r')
			n--;
		if (c->nf < c->f_alloc) {
			c->f[c->nf].ptr = f;
			c->f[c->nf++].len = n;
		} else if (push(c, f, n, SIZE_MAX, err)) {
			return -1;
		}
		if (q == end || *q == '\n') {
			c->p = q < end ? q + 1 : end;
			c->blank = c->nf == 1 && is_blank(f, n);
			return 1;
		}
		q++;
	}
	{
		/* a quote: the general state machine, from the line's start */
		size_t i;
		int r;

		c->nf = 0;
		c->p = line;
		c->line = c->rec_line;
		r = slow_record(c, err);
		if (r <= 0)
			return r;
		c->line++;
		for (i = 0; i < c->nf; i++)
			if (c->unq_off[i] != SIZE_MAX)
				c->f[i].ptr = c->unq.buf + c->unq_off[i];
		c->blank = 0;
		return 1;
	}
}

void pm_csv_add_field(struct pm_buf *out, const char *p, size_t n)
{
	size_t i;

	if (!n || !(memchr(p, ',', n) || memchr(p, '"', n) ||
		    memchr(p, '\n', n) || memchr(p, '\r', n))) {
		pm_buf_add(out, p, n);
		return;
	}
	pm_buf_addch(out, '"');
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			pm_buf_addch(out, '"');
		pm_buf_addch(out, p[i]);
	}
	pm_buf_addch(out, '"');
}
