/*
 * Pool types (process, docker): how a worker starts, stops and cleans up
 * after the runs it claimed. One ops table per type, one file each;
 * internal to lib/orch/.
 */
#ifndef PM25_POOL_INT_H
#define PM25_POOL_INT_H

#include <stddef.h>
#include <sys/types.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_claim;
struct pm_state;

/* A worker's pool: its type's ops, and what they were set up with. */
struct pm_pool {
	const struct pm_pool_ops *ops;
	const char *engine; /* docker: podman or docker */
	char *home;	    /* docker: the home's absolute path, owned */
	/* Say a line of the worker's own (reap uses it). */
	void (*say)(void *ctx, const char *level, const char *line);
	void *ctx;
};

struct pm_pool_ops {
	const char *type;
	/* Set p up for home_dir; PM_ERR_USAGE with err if it cannot run. */
	enum pm_err (*init)(struct pm_pool *p, const char *home_dir,
			    struct pm_buf *err);
	/*
	 * Start claimed run c for worker in a process group of its own;
	 * its stderr comes back through *fd. -1 with why if it cannot.
	 */
	pid_t (*start)(struct pm_pool *p, const struct pm_claim *c,
		       const char *worker, int *fd, char *why, size_t size);
	/* Stop run id's attempt, whose process group is pid. */
	void (*stop)(struct pm_pool *p, pid_t pid, const char *id,
		     long attempt);
	/* Remove what ended runs left behind (docker: containers). */
	void (*reap)(struct pm_pool *p, struct pm_state *st,
		     const char *worker);
	/*
	 * Whether exit status is the pool's own failure rather than the
	 * run's (why says which); may be NULL.
	 */
	int (*failed)(const struct pm_pool *p, int status, char *why,
		      size_t size);
};

extern const struct pm_pool_ops pm_pool_process_ops;
extern const struct pm_pool_ops pm_pool_docker_ops;

/* The ops of type ("process", "docker"), or NULL. */
const struct pm_pool_ops *pm_pool_ops_find(const char *type);
void pm_pool_release(struct pm_pool *p);

/*
 * Start run id's attempt: pm25 flow-run execute ID in a process group
 * of its own, or argv (NULL-terminated) when given. Its stderr comes
 * back through *fd. The child dies with the worker.
 */
pid_t pm_pool_spawn(const char *id, long attempt, const char *worker,
		    char *const *argv, int *fd);

#endif
