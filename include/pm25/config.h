/*
 * Settings: one table of every knob pm25 reads, with its type, range,
 * default, environment variable and help. A value comes from the
 * environment, else from PM25_HOME/pm25.yaml, else the default.
 *
 * The table and the values read from the file are owned by this module
 * (process-wide: settings are read once, before threads start). Strings
 * returned are borrowed and stay valid until pm_config_release().
 */
#ifndef PM25_CONFIG_H
#define PM25_CONFIG_H

#include "pm25/err.h"

struct pm_buf;

enum pm_config_key {
	PM_CFG_HOME,
	PM_CFG_STORE,
	PM_CFG_DATABASE_URL,
	PM_CFG_SQLITE_BUSY_MS,
	PM_CFG_RETENTION_DAYS,
	PM_CFG_STATE_WAIT_S,
	PM_CFG_ENV,
	PM_CFG_LOKI_URL,
	PM_CFG_LOKI_TENANT,
	PM_CFG_LOKI_MAX_LINES,
	PM_CFG_LOKI_BATCH,
	PM_CFG_LOKI_FLUSH_MS,
	PM_CFG_SLACK_WEBHOOK_URL,
	PM_CFG_ALERT_THROTTLE_S,
	PM_CFG_ALERT_TRIES,
	PM_CFG_LAKEFS_ENDPOINT,
	PM_CFG_LAKEFS_ACCESS_KEY,
	PM_CFG_LAKEFS_SECRET_KEY,
	PM_CFG_LAKEFS_NAMESPACE,
	PM_CFG_WAQI_TOKEN,
	PM_CFG_OPENAQ_API_KEY,
	PM_CFG_AIR4THAI_URL,
	PM_CFG_AIR4THAI_HISTORY_URL,
	PM_CFG_WAQI_URL,
	PM_CFG_OPENAQ_URL,
	PM_CFG_FETCH_CONCURRENCY,
	PM_CFG_FETCH_INTERVAL_MS,
	PM_CFG_FETCH_TIMEOUT_S,
	PM_CFG_FETCH_TRIES,
	PM_CFG_SERVER_LISTEN,
	PM_CFG_API_TOKEN,
	PM_CFG_API_URL,
	PM_CFG_CONTAINER_ENGINE,
	PM_CFG_CONTAINER_PULL,
	PM_CFG_SOURCE,
	PM_CFG_CONTRACT,
	PM_CFG_STATION,
	PM_CFG_TRACE,
	PM_CFG_NOW_MS,
	PM_CFG_PAUSE_AT,
	PM_CFG_PAUSE_FILE,
	PM_CFG_NOOP_LOG,
	PM_CFG_NKEYS
};

enum pm_config_type {
	PM_CFG_TEXT,   /* any text */
	PM_CFG_INT,    /* a whole number in [min, max] */
	PM_CFG_CHOICE, /* one of the words in choices ("a|b|c") */
	PM_CFG_URL,    /* http:// or https:// */
};

enum pm_config_flags {
	PM_CFG_SECRET = 1 << 0,	  /* shown as ***; a URL keeps its host */
	PM_CFG_PASSWORD = 1 << 1, /* its password part is shown as *** */
	PM_CFG_ENV_ONLY = 1 << 2, /* not read from pm25.yaml */
	PM_CFG_TEST = 1 << 3,	  /* a test hook: listed with --all only */
};

enum pm_config_origin {
	PM_CFG_FROM_DEFAULT,
	PM_CFG_FROM_FILE,
	PM_CFG_FROM_ENV,
};

struct pm_config_row {
	const char *name; /* its key in pm25.yaml */
	const char *env;  /* its environment variable, or NULL */
	enum pm_config_type type;
	long min, max;	     /* PM_CFG_INT */
	const char *choices; /* PM_CFG_CHOICE */
	const char *dflt;    /* NULL: unset */
	unsigned flags;
	const char *help;
};

/* Row k of the table. */
const struct pm_config_row *pm_config_row(enum pm_config_key k);
/* The key named name (a pm25.yaml key), or -1. */
int pm_config_find(const char *name);

/*
 * Read path (a pm25.yaml; absent is fine, NULL: PM25_HOME's) and check
 * every setting's value, from whichever place it comes. PM_ERR_USAGE
 * names the setting and the file or variable: a key the table does not
 * know, a value of the wrong type or out of range.
 */
enum pm_err pm_config_load(const char *path, struct pm_buf *err);
/*
 * The part of pm_config_load() that reads a file's text (len bytes,
 * borrowed); origin names it in errors. On error nothing is kept.
 */
enum pm_err pm_config_parse(const char *text, size_t len, const char *origin,
			    struct pm_buf *err);
/* Forget the values read from a file. */
void pm_config_release(void);

/* The file pm_config_load() read, or NULL. */
const char *pm_config_file(void);
/* The effective value; NULL when unset or empty. */
const char *pm_config_str(enum pm_config_key k);
/* The effective value, or the default when it is unset or empty. */
const char *pm_config_str_or_default(enum pm_config_key k);
/* The effective value of a PM_CFG_INT; its default if not a number. */
long pm_config_long(enum pm_config_key k);
enum pm_config_origin pm_config_origin(enum pm_config_key k);
const char *pm_config_origin_name(enum pm_config_origin o);
/* The effective value as it may be shown: secrets masked; "" if unset. */
void pm_config_shown(enum pm_config_key k, struct pm_buf *out);
/*
 * Check value (NUL-terminated) against row k; on error err says what
 * is wrong, naming where (the variable or "FILE: key").
 */
enum pm_err pm_config_check(enum pm_config_key k, const char *value,
			    const char *where, struct pm_buf *err);
/* The sample pm25.yaml that pm25 init writes: every key, commented. */
void pm_config_sample(struct pm_buf *out);

#endif
