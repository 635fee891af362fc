/*
 * PM25_HOME: the folder that holds an embedded installation. It has
 * pm25.yaml (configuration), data.git and model.git (the versioned
 * repositories) and tmp/ (scratch space of running flows).
 */
#ifndef PM25_HOME_H
#define PM25_HOME_H

#include "pm25/err.h"

struct pm_buf;
struct pm_state;
struct pm_store;

struct pm_home {
	char *dir;  /* owned */
	char *tmp;  /* owned: dir/tmp */
};

/* The home named by $PM25_HOME, or ./pm25-home. */
void pm_home_locate(struct pm_home *h);
void pm_home_release(struct pm_home *h);
/*
 * Create the home: its folder, pm25.yaml (unless present) and both
 * repositories with a first commit on main. Safe to run again.
 */
enum pm_err pm_home_init(struct pm_home *h, struct pm_buf *err);
/*
 * Open repository "data" or "model": by default the local driver on the
 * home's git repository; with PM25_STORE=lakefs the lakeFS repository of
 * that name. PM_ERR_NOTFOUND tells to run pm25 init.
 */
enum pm_err pm_home_store(struct pm_home *h, const char *which,
			  struct pm_store **out, struct pm_buf *err);
/*
 * Open the state database: PostgreSQL at $PM25_DATABASE_URL when set,
 * else SQLite at dir/state.db (PM_ERR_NOTFOUND without a home).
 */
enum pm_err pm_home_state(struct pm_home *h, struct pm_state **out,
			  struct pm_buf *err);

#endif
