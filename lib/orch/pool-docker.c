/*
 * The docker pool type: each run is `ENGINE run IMAGE flow-run execute
 * ID` (podman or docker) in a container named pm25-run-ID-ATTEMPT, on
 * the host's network, with the home mounted at the same path and the
 * settings of the environment (PM25_*, PG*, LAKEFS_*, AWS_*, WAQI_TOKEN,
 * OPENAQ_API_KEY) passed by name, so that no secret is on a command
 * line, as the user and group that own the home. The container_pull
 * setting says when to pull.
 */
#include "pm25/compat.h"
#include <sys/stat.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/records.h"
#include "pm25/deployment.h"
#include "pm25/strv.h"
#include "pm25/worker.h"
#include "pool-int.h"

extern char **environ;

/* Whether name is an executable file in a directory of PATH. */
static int on_path(const char *name)
{
	const char *path = getenv("PATH"), *p;
	struct pm_buf b = PM_BUF_INIT;
	int found = 0;

	for (p = path ? path : "/usr/bin:/bin"; !found && *p;) {
		size_t n = strcspn(p, ":");

		pm_buf_setf(&b, "%.*s/%s", (int)n, p, name);
		found = n && !access(b.buf, X_OK);
		p += n + (p[n] == ':');
	}
	pm_buf_release(&b);
	return found;
}

static const char *engine_on_path(void)
{
	const char *e = pm_config_str(PM_CFG_CONTAINER_ENGINE);

	if (e)
		return e;
	if (on_path("podman"))
		return "podman";
	return on_path("docker") ? "docker" : NULL;
}

/* Settings a run reads from its environment; the alert and log URLs are
 * the worker's business. */
static int passed_on(const char *kv)
{
	static const char *const prefixes[] = { "PM25_", "PG",	  "LAKEFS_",
						"AWS_",	 "WAQI_", "OPENAQ_" };
	size_t i;

	if (!strncmp(kv, "PM25_SLACK_WEBHOOK_URL=", 23) ||
	    !strncmp(kv, "PM25_LOKI_URL=", 14) ||
	    !strncmp(kv, "PM25_HOME=", 10))
		return 0;
	for (i = 0; i < PM_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(kv, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

static void container_argv(struct pm_strv *argv, const char *engine,
			   const char *image, const char *id, long attempt,
			   const char *worker, const char *home)
{
	struct pm_buf b = PM_BUF_INIT;
	struct stat st;
	char **e;

	pm_strv_push(argv, engine);
	pm_strv_push(argv, "run");
	pm_strv_push(argv, "--rm");
	pm_buf_setf(&b, "pm25-run-%s-%ld", id, attempt);
	pm_strv_push(argv, "--name");
	pm_strv_push(argv, b.buf);
	pm_strv_push(argv, "--network");
	pm_strv_push(argv, "host");
	pm_buf_setf(&b, "--pull=%s", pm_config_str(PM_CFG_CONTAINER_PULL));
	pm_strv_push(argv, b.buf);
	pm_buf_setf(&b, "%s:%s", home, home);
	pm_strv_push(argv, "-v");
	pm_strv_push(argv, b.buf);
	/* the image's own user (65532) may not write the host's home: the
	 * run is the home's owner, as a process pool's run is */
	if (stat(home, &st) == 0) {
		pm_buf_setf(&b, "--user=%ld:%ld", (long)st.st_uid,
			    (long)st.st_gid);
		pm_strv_push(argv, b.buf);
	}
	pm_buf_setf(&b, "PM25_HOME=%s", home);
	pm_strv_push(argv, "-e");
	pm_strv_push(argv, b.buf);
	for (e = environ; *e; e++) {
		size_t n = strcspn(*e, "=");

		if (!passed_on(*e))
			continue;
		/* by name only: the engine copies the value */
		pm_strv_push(argv, "-e");
		pm_strv_pushn(argv, *e, n);
	}
	pm_strv_push(argv, "--entrypoint");
	pm_strv_push(argv, "pm25");
	/* the engine's options end here: the image is never one */
	pm_strv_push(argv, "--");
	pm_strv_push(argv, image);
	pm_strv_push(argv, "flow-run");
	pm_strv_push(argv, "execute");
	pm_strv_push(argv, id);
	pm_strv_push(argv, "--worker");
	pm_strv_push(argv, worker);
	pm_buf_setf(&b, "%ld", attempt);
	pm_strv_push(argv, "--attempt");
	pm_strv_push(argv, b.buf);
	pm_buf_release(&b);
}

static int container_runs(const char *engine, struct pm_strv *ids,
			  long **attempts)
{
	struct pm_buf out = PM_BUF_INIT;
	char chunk[4096], *line, *save = NULL;
	size_t nr = 0;
	int p[2], status = -1;
	ssize_t n;
	pid_t pid;

	*attempts = NULL;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(p[1], 1);
		if (null >= 0)
			dup2(null, 2);
		execlp(engine, engine, "ps", "-a", "--filter",
		       "name=^pm25-run-", "--format", "{{.Names}}",
		       (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (pid > 0 && (n = read(p[0], chunk, sizeof(chunk))) > 0)
		pm_buf_add(&out, chunk, (size_t)n);
	close(p[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		pm_buf_release(&out);
		return -1;
	}
	for (line = out.len ? strtok_r(out.buf, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *dash = strrchr(line, '-'), *end;
		long a;

		if (strncmp(line, "pm25-run-", 9) || !dash || dash < line + 9)
			continue;
		a = strtol(dash + 1, &end, 10);
		if (*end || a < 1)
			continue;
		pm_strv_pushn(ids, line + 9, (size_t)(dash - line - 9));
		*attempts =
			pm_xrealloc(*attempts, (nr + 1) * sizeof(**attempts));
		(*attempts)[nr++] = a;
	}
	pm_buf_release(&out);
	return 0;
}

static void container_remove(const char *engine, const char *id, long attempt)
{
	char name[96];
	pid_t pid;

	snprintf(name, sizeof(name), "pm25-run-%s-%ld", id, attempt);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp(engine, engine, "rm", "-f", "-t", "0", name,
		       (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static enum pm_err init(struct pm_pool *p, const char *home_dir,
			struct pm_buf *err)
{
	p->engine = engine_on_path();
	if (!p->engine)
		return pm_errf(err, PM_ERR_USAGE,
			       "a docker pool needs podman or docker on PATH "
			       "(or the container_engine setting)");
	p->home = realpath(home_dir, NULL);
	if (!p->home)
		return pm_errf(err, PM_ERR_USAGE, "%s: %s", home_dir,
			       strerror(errno));
	return PM_OK;
}

static pid_t start(struct pm_pool *p, const struct pm_claim *c,
		   const char *worker, int *fd, char *why, size_t size)
{
	struct pm_strv cmd = PM_STRV_INIT;
	char **argv;
	pid_t pid;
	size_t i;

	if (!c->image) {
		snprintf(why, size,
			 "a docker pool runs images, and deployment "
			 "%s has none",
			 c->deployment ? c->deployment : "(none)");
		return -1;
	}
	if (!pm_image_ref_valid(c->image)) {
		snprintf(why, size, "image '%.60s' is not an image reference",
			 c->image);
		return -1;
	}
	container_argv(&cmd, p->engine, c->image, c->id, c->attempt, worker,
		       p->home);
	argv = pm_xcalloc(cmd.nr + 1, sizeof(*argv));
	for (i = 0; i < cmd.nr; i++)
		argv[i] = cmd.v[i];
	pid = pm_pool_spawn(c->id, c->attempt, worker, argv, fd);
	if (pid < 0)
		snprintf(why, size, "cannot start %s: %s", p->engine,
			 strerror(errno));
	free(argv);
	pm_strv_release(&cmd);
	return pid;
}

/* Its container first, then its process group. */
static void stop(struct pm_pool *p, pid_t pid, const char *id, long attempt)
{
	container_remove(p->engine, id, attempt);
	kill(-pid, SIGKILL);
}

/*
 * Remove the containers of runs that no longer need them: the run is
 * gone, has ended, or has moved on to another attempt (its worker was
 * killed with -9 and the container outlived it). A container of a live
 * attempt belongs to whichever worker claimed it, and stays.
 */
static void reap(struct pm_pool *p, struct pm_state *st, const char *worker)
{
	struct pm_strv ids = PM_STRV_INIT;
	long *attempts = NULL;
	size_t i;

	if (container_runs(p->engine, &ids, &attempts))
		return;
	for (i = 0; i < ids.nr; i++) {
		struct pm_run run;
		enum pm_err e =
			pm_state_run_load(st, ids.v[i], &run, NULL, NULL, NULL);
		int stale = e == PM_ERR_NOTFOUND;

		if (!e) {
			stale = pm_run_state_final(run.state) ||
				run.attempt != attempts[i];
			pm_run_release(&run);
		}
		if (stale) {
			struct pm_buf line = PM_BUF_INIT;

			pm_buf_addf(&line,
				    "{\"worker\": \"%s\", \"removed\": "
				    "\"pm25-run-%s-%ld\", \"why\": \"its "
				    "run no longer needs it\"}",
				    worker, ids.v[i], attempts[i]);
			if (p->say)
				p->say(p->ctx, "info", line.buf);
			pm_buf_release(&line);
			container_remove(p->engine, ids.v[i], attempts[i]);
		}
	}
	free(attempts);
	pm_strv_release(&ids);
}

/* The engine's own failure (125-127), or the container killed (128 + n). */
static int failed(const struct pm_pool *p, int status, char *why, size_t size)
{
	if (status < 125)
		return 0;
	if (status > 128)
		snprintf(why, size,
			 "the run's container was killed by signal %d",
			 status - 128);
	else
		snprintf(why, size, "%s could not run the container (exit %d)",
			 p->engine, status);
	return 1;
}

const struct pm_pool_ops pm_pool_docker_ops = {
	.type = "docker",
	.init = init,
	.start = start,
	.stop = stop,
	.reap = reap,
	.failed = failed,
};
