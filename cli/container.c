/*
 * The container engine's command lines for docker pools.
 */
#include "pm25/compat.h"
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/strv.h"
#include "container.h"

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

const char *container_engine(void)
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
	static const char *const prefixes[] = { "PM25_", "PG",	"LAKEFS_",
						"AWS_",	 "WAQI_", "OPENAQ_" };
	size_t i;

	if (!strncmp(kv, "PM25_SLACK_WEBHOOK_URL=", 23) ||
	    !strncmp(kv, "PM25_LOKI_URL=", 14) || !strncmp(kv, "PM25_HOME=", 10))
		return 0;
	for (i = 0; i < PM_ARRAY_SIZE(prefixes); i++)
		if (!strncmp(kv, prefixes[i], strlen(prefixes[i])))
			return 1;
	return 0;
}

void container_argv(struct pm_strv *argv, const char *engine,
		    const char *image, const char *id, long attempt,
		    const char *worker, const char *home)
{
	struct pm_buf b = PM_BUF_INIT;
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

int container_runs(const char *engine, struct pm_strv *ids, long **attempts)
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
		execlp(engine, engine, "ps", "-a", "--filter", "name=^pm25-run-",
		       "--format", "{{.Names}}", (char *)NULL);
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
		*attempts = pm_xrealloc(*attempts, (nr + 1) * sizeof(**attempts));
		(*attempts)[nr++] = a;
	}
	pm_buf_release(&out);
	return 0;
}

void container_remove(const char *engine, const char *id, long attempt)
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
		execlp(engine, engine, "rm", "-f", "-t", "0", name, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
}
