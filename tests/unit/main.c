/*
 * The unit-test runner: every test in test-list.h runs in a forked child
 * with a timeout and a scratch directory; results are printed as TAP.
 * Usage: unit-tests [NAME...]
 */
#include "pm25/compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test.h"
#include "test-list.h"

#define DECLARE(name) void test_##name(void);
TEST_LIST(DECLARE)

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
#define ENTRY(name) { #name, test_##name },
	TEST_LIST(ENTRY)
};

static char scratch[256];

void pm_test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "# %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	_exit(1);
}

#define SKIP_STATUS 77

void pm_test_skip(const char *why)
{
	FILE *f = fopen(".skip", "w");

	if (f) {
		fputs(why, f);
		fclose(f);
	}
	fflush(stdout);
	exit(SKIP_STATUS);
}

const char *pm_test_file(const char *name, const char *text)
{
	static char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	fp = fopen(path, "w");
	if (!fp)
		pm_test_fail(__FILE__, __LINE__, "cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
	return path;
}

const char *pm_test_src(const char *rel)
{
	static char path[1024];
	const char *root = getenv("PM25_SRC");

	snprintf(path, sizeof(path), "%s/%s", root ? root : ".", rel);
	return path;
}

static int wanted(int argc, char **argv, const char *name)
{
	int i;

	if (argc < 2)
		return 1;
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	size_t i, n = PM_ARRAY_SIZE(tests), run = 0, failed = 0;
	const char *tmp = getenv("TMPDIR");

	/* tests chdir into scratch directories: make the root absolute */
	{
		char *abs = realpath(getenv("PM25_SRC") ? getenv("PM25_SRC") :
							  ".",
				     NULL);

		if (abs) {
			setenv("PM25_SRC", abs, 1);
			free(abs);
		}
	}
	printf("TAP version 13\n");
	for (i = 0; i < n; i++) {
		int status;
		pid_t pid;

		if (!wanted(argc, argv, tests[i].name))
			continue;
		run++;
		snprintf(scratch, sizeof(scratch), "%s/pm25-unit-XXXXXX",
			 tmp ? tmp : "/tmp");
		if (!mkdtemp(scratch)) {
			perror("mkdtemp");
			return 1;
		}
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			if (chdir(scratch))
				_exit(2);
			alarm(30);
			tests[i].fn();
			fflush(stdout);
			/* exit, not _exit: LeakSanitizer checks at exit */
			exit(0);
		}
		waitpid(pid, &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == SKIP_STATUS) {
			char why[256] = "", path[300];
			FILE *f;

			snprintf(path, sizeof(path), "%s/.skip", scratch);
			f = fopen(path, "r");
			if (f) {
				if (!fgets(why, sizeof(why), f))
					why[0] = '\0';
				fclose(f);
			}
			printf("ok %zu - %s # SKIP %s\n", run, tests[i].name,
			       why);
		} else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %zu - %s\n", run, tests[i].name);
		} else {
			failed++;
			printf("not ok %zu - %s%s\n", run, tests[i].name,
			       WIFSIGNALED(status) ?
				       (WTERMSIG(status) == SIGALRM ?
						" (timeout)" :
						" (signal)") :
				       "");
		}
		{
			char cmd[300];

			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
			if (system(cmd))
				fprintf(stderr, "cannot remove %s\n", scratch);
		}
	}
	printf("1..%zu\n", run);
	return failed ? 1 : 0;
}
