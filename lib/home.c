/*
 * The embedded home folder.
 */
#include "pm25/compat.h"
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "pm25/state.h"
#include "pm25/store.h"

void pm_home_locate(struct pm_home *h)
{
	const char *dir = pm_config_str(PM_CFG_HOME);
	struct pm_buf b = PM_BUF_INIT;

	h->dir = pm_xstrdup(dir ? dir : "pm25-home");
	pm_buf_addf(&b, "%s/tmp", h->dir);
	h->tmp = pm_buf_detach(&b, NULL);
}

void pm_home_release(struct pm_home *h)
{
	free(h->dir);
	free(h->tmp);
	h->dir = h->tmp = NULL;
}

/* The store driver: the store setting, else "local". */
static const char *driver(void)
{
	const char *d = pm_config_str(PM_CFG_STORE);

	return d ? d : "local";
}

static void where(struct pm_home *h, const char *which, struct pm_buf *out)
{
	if (!strcmp(driver(), "local"))
		pm_buf_addf(out, "%s/%s.git", h->dir, which);
	else
		pm_buf_addstr(out, which); /* a lakeFS repository name */
}

enum pm_err pm_home_init(struct pm_home *h, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	struct pm_store *s = NULL;
	enum pm_err ret;
	const char *repos[] = { "data", "model" };
	size_t i;

	ret = pm_mkdir_p(h->dir, err);
	if (!ret)
		ret = pm_mkdir_p(h->tmp, err);
	pm_buf_addf(&path, "%s/pm25.yaml", h->dir);
	if (!ret && access(path.buf, F_OK)) {
		struct pm_buf sample = PM_BUF_INIT;

		pm_config_sample(&sample);
		ret = pm_file_write_atomic(path.buf, sample.buf, sample.len,
					   err);
		pm_buf_release(&sample);
	}
	for (i = 0; !ret && i < PM_ARRAY_SIZE(repos); i++) {
		pm_buf_reset(&path);
		where(h, repos[i], &path);
		ret = pm_store_open(&s, driver(), path.buf, 1, err);
		pm_store_close(s);
		s = NULL;
	}
	pm_buf_release(&path);
	return ret;
}

enum pm_err pm_home_store(struct pm_home *h, const char *which,
			  struct pm_store **out, struct pm_buf *err)
{
	struct pm_buf path = PM_BUF_INIT;
	enum pm_err ret;

	where(h, which, &path);
	ret = pm_store_open(out, driver(), path.buf, 0, err);
	if (ret == PM_ERR_NOTFOUND)
		pm_errf(err, ret, "%s: no %s repository; run pm25 init first",
			h->dir, which);
	pm_buf_release(&path);
	return ret;
}

enum pm_err pm_home_state(struct pm_home *h, struct pm_state **out,
			  struct pm_buf *err)
{
	const char *url = pm_config_str(PM_CFG_DATABASE_URL);
	struct pm_buf path = PM_BUF_INIT;
	enum pm_err ret;

	*out = NULL;
	if (url) {
		/* never a SQLite file named after a connection string */
		ret = pm_state_check_url(url, err);
		return ret ? ret : pm_state_open(url, out, err);
	}
	if (!pm_is_dir(h->dir))
		return pm_errf(err, PM_ERR_NOTFOUND,
			       "%s: no pm25 home (run pm25 init)", h->dir);
	pm_buf_addf(&path, "%s/state.db", h->dir);
	ret = pm_state_open(path.buf, out, err);
	pm_buf_release(&path);
	return ret;
}
