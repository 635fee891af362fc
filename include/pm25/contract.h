/*
 * The data contract: what a valid row and a valid batch look like, read
 * from YAML. It also carries the cleaning policy (markers, duplicates,
 * interpolation, output layout), so one file describes one dataset.
 */
#ifndef PM25_CONTRACT_H
#define PM25_CONTRACT_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"
#include "pm25/num.h"
#include "pm25/table.h"

struct pm_buf;

enum pm_severity {
	PM_SEV_ERROR = 0, /* rejects the row (or fails the batch) */
	PM_SEV_WARN,	  /* flags the row */
};

enum pm_rule_kind {
	PM_RULE_TIME,	    /* timestamp present and parseable */
	PM_RULE_STATION,    /* station id not empty */
	PM_RULE_REQUIRED,   /* measurement present */
	PM_RULE_RANGE,	    /* measurement within [min, max] */
	PM_RULE_UNIQUE,	    /* batch: duplicate keys (count) */
	PM_RULE_MISSING,    /* batch: missing rate of a column */
	PM_RULE_FRESHNESS,  /* batch: newest row not older than limit */
	PM_RULE_TIME_RANGE, /* time within [earliest, now + max_future] */
};

struct pm_rule {
	char *name; /* owned */
	enum pm_rule_kind kind;
	enum pm_severity severity;
	int col;	  /* measurement column, or -1 */
	double min, max;  /* PM_RULE_RANGE, inclusive */
	double max_rate;  /* PM_RULE_MISSING */
	int64_t max_age;  /* PM_RULE_FRESHNESS, seconds */
	int64_t earliest; /* PM_RULE_TIME_RANGE: first second allowed */
	int64_t max_future; /* PM_RULE_TIME_RANGE: seconds after now, or -1 */
};

/* Output columns beyond the measurements. */
enum pm_out_col {
	PM_OUT_TIME = -10,
	PM_OUT_STATION = -11,
	PM_OUT_FLAGS = -12,
	PM_OUT_INTERPOLATED = -13, /* 0/1: pm25 was interpolated */
};

#define PM_MAX_OUT_COLS 32

struct pm_contract {
	char *name;	/* owned */
	double gate;	/* minimum score, default 0.90 */
	struct pm_missing missing;
	unsigned zero_missing; /* bit per column */
	int strict_time;       /* only "YYYY-MM-DD HH:00:00" */
	char *header;	       /* owned: exact input header, or NULL */
	int dedup_exact;       /* drop exact duplicate rows (keep first) */
	int key_keep_last;     /* key duplicates keep the last (else first) */
	unsigned interp_cols;  /* bit per column to interpolate */
	int max_gap;	       /* longest gap filled, hours */
	int max_hole;	       /* longest hole the grid spans, hours; 0: any */
	int decimals;	       /* output precision, -1 = shortest */
	int out_cols[PM_MAX_OUT_COLS]; /* column or enum pm_out_col */
	size_t nr_out_cols;
	struct pm_rule *rules; /* owned, in report order */
	size_t nr_rules;
	char *units[PM_NCOLS]; /* owned: declared unit per column, or NULL */
	/*
	 * owned: a POSIX extended regular expression every station id must
	 * match (the station_id rule), or NULL for any id that is not empty
	 */
	char *station_pattern;
};

void pm_contract_init(struct pm_contract *c);
void pm_contract_release(struct pm_contract *c);
/* The built-in contract, equal to contracts/pm25.yaml. */
void pm_contract_default(struct pm_contract *c);
/*
 * Load a contract from YAML text (borrowed). origin names it in errors,
 * which give the line and column: "FILE:LINE:COL: message".
 */
enum pm_err pm_contract_parse(struct pm_contract *c, const char *text,
			      size_t len, const char *origin,
			      struct pm_buf *err);
enum pm_err pm_contract_load(struct pm_contract *c, const char *path,
			     struct pm_buf *err);

#endif
