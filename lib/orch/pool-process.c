/*
 * The process pool type: each run is pm25 flow-run execute ID, a child
 * of the worker in a process group of its own.
 */
#include "pm25/compat.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "pm25/worker.h"
#include "pool-int.h"

pid_t pm_pool_spawn(const char *id, long attempt, const char *worker,
		    char *const *argv, int *fd)
{
	int p[2] = { -1, -1 };
	char at[24];
	pid_t pid;

	snprintf(at, sizeof(at), "%ld", attempt);
	*fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		setpgid(0, 0);
		/* a worker killed with -9 takes its runs with it */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (argv)
			execvp(argv[0], argv);
		else
			execl("/proc/self/exe", "pm25", "flow-run", "execute",
			      id, "--worker", worker, "--attempt", at,
			      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid > 0) {
		setpgid(pid, pid);
		fcntl(p[0], F_SETFL, O_NONBLOCK);
		/* room for a burst while the worker talks to a slow peer */
		fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
		*fd = p[0];
	} else {
		close(p[0]);
	}
	return pid;
}

static enum pm_err init(struct pm_pool *p, const char *home_dir,
			struct pm_buf *err)
{
	(void)p;
	(void)home_dir;
	(void)err;
	return PM_OK;
}

static pid_t start(struct pm_pool *p, const struct pm_claim *c,
		   const char *worker, int *fd, char *why, size_t size)
{
	pid_t pid = pm_pool_spawn(c->id, c->attempt, worker, NULL, fd);

	(void)p;
	if (pid < 0)
		snprintf(why, size, "cannot start the run's process: %s",
			 strerror(errno));
	return pid;
}

static void stop(struct pm_pool *p, pid_t pid, const char *id, long attempt)
{
	(void)p;
	(void)id;
	(void)attempt;
	kill(-pid, SIGKILL);
}

static void reap(struct pm_pool *p, struct pm_state *st, const char *worker)
{
	(void)p;
	(void)st;
	(void)worker;
}

const struct pm_pool_ops pm_pool_process_ops = {
	.type = "process",
	.init = init,
	.start = start,
	.stop = stop,
	.reap = reap,
	.failed = NULL,
};

const struct pm_pool_ops *pm_pool_ops_find(const char *type)
{
	static const struct pm_pool_ops *const types[] = {
		&pm_pool_process_ops, &pm_pool_docker_ops
	};
	size_t i;

	for (i = 0; type && i < PM_ARRAY_SIZE(types); i++)
		if (!strcmp(types[i]->type, type))
			return types[i];
	return NULL;
}

void pm_pool_release(struct pm_pool *p)
{
	free(p->home);
	p->home = NULL;
}
