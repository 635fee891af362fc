/*
 * CSV reader over a caller-owned buffer, and field writer. The reader
 * handles a UTF-8 BOM, LF/CRLF ends, quoted fields with commas, doubled
 * quotes and newlines, and reports each record's first line number.
 */
#ifndef PM25_CSV_H
#define PM25_CSV_H

#include <stddef.h>
#include "pm25/buf.h"
#include "pm25/str.h"

struct pm_csv {
	const char *p;	 /* borrowed: next byte to read */
	const char *end; /* borrowed */
	size_t line;	 /* line number of the next record */
	size_t rec_line; /* line number of the last record returned */
	int blank;	 /* the last record was empty or only blanks */
	size_t nf;	 /* fields in the last record */
	struct pm_str *f; /* fields; views into the input or into unq */
	size_t f_alloc;
	struct pm_buf unq; /* owned: text of unescaped quoted fields */
	size_t *unq_off;   /* owned: per field, offset in unq or SIZE_MAX */
	size_t unq_alloc;
};

/* Point c at data (borrowed: it must outlive c). Skips a UTF-8 BOM. */
void pm_csv_init(struct pm_csv *c, const char *data, size_t len);
void pm_csv_release(struct pm_csv *c);
/*
 * Read the next record into c->f/c->nf. Returns 1 for a record, 0 at the
 * end, -1 on an error described in err (unterminated quote, too many
 * fields). Field views stay valid until the next call.
 */
int pm_csv_next(struct pm_csv *c, struct pm_buf *err);

/* Append one field to out, quoting it when it holds , " CR or LF. */
void pm_csv_add_field(struct pm_buf *out, const char *p, size_t n);

#endif
