/*
 * pm25 seed [--data DIR] [--deployments FILE]: a new home with the
 * bundled real data in it, as make run and the embedded image's first
 * start want it. The steps are other commands run in this process, each
 * with its output kept back and shown only if it fails: pm25 init, a
 * backfill of DIR/history, a csv ingest of each recorded feed
 * DIR/air4thai/ *_flattened_*.csv (station names and places), the EDA
 * report, the model's training and pm25 deployment apply FILE. The
 * marker file "seeded" in the home, written last, makes it run once: a
 * seed killed half way is done again on the next start.
 *
 * cmd_seed_home() is the same for pm25 server --seed.
 */
#include "pm25/compat.h"
#include <glob.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "pm25/buf.h"
#include "pm25/fsutil.h"
#include "pm25/home.h"
#include "cmd.h"
#include "parse-options.h"

struct step {
	const struct cmd *cmd;
	const char *argv[8];
	const char *what;
};

/*
 * Run one command with its stdout in an unnamed temporary file; print
 * "seed: WHAT: FIRST LINE" on success, the whole output on failure.
 */
static int run_step(const struct step *s)
{
	struct pm_buf got = PM_BUF_INIT;
	const char *argv[PM_ARRAY_SIZE(s->argv)];
	int argc = 0, saved = -1, status = PM_EXIT_ERROR;
	FILE *fp = tmpfile();
	char chunk[4096], *nl;
	size_t n;

	/* a copy: parse_options() may reorder it */
	memcpy(argv, s->argv, sizeof(argv));
	while (argv[argc])
		argc++;
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (!fp || saved < 0 || dup2(fileno(fp), STDOUT_FILENO) < 0) {
		fprintf(stderr, "pm25 seed: a temporary file: %s\n",
			strerror(errno));
		goto out;
	}
	status = s->cmd->exec(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	rewind(fp);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		pm_buf_add(&got, chunk, n);
	if (status) {
		fprintf(stderr, "pm25 seed: %s failed (exit %d):\n%s", s->what,
			status, got.buf);
		goto out;
	}
	nl = strchr(got.buf, '\n');
	printf("seed: %s%s%.*s\n", s->what, got.len ? ": " : "",
	       (int)(nl ? nl - got.buf : (ptrdiff_t)got.len), got.buf);
	fflush(stdout);
out:
	if (fp)
		fclose(fp);
	if (saved >= 0)
		close(saved);
	pm_buf_release(&got);
	return status;
}

static int seeded(const struct pm_home *h, struct pm_buf *marker)
{
	struct stat st;

	pm_buf_reset(marker);
	pm_buf_addf(marker, "%s/seeded", h->dir);
	return stat(marker->buf, &st) == 0;
}

int cmd_seed_home(const char *data, const char *deployments)
{
	struct pm_buf marker = PM_BUF_INIT, hist = PM_BUF_INIT,
		      pat = PM_BUF_INIT, param = PM_BUF_INIT,
		      stamp = PM_BUF_INIT, err = PM_BUF_INIT;
	struct pm_home h;
	glob_t feeds = { 0 };
	int status = PM_EXIT_OK;
	size_t i;

	pm_home_locate(&h);
	if (seeded(&h, &marker)) {
		printf("seed: %s is seeded already (%s)\n", h.dir, marker.buf);
		goto out;
	}
	pm_buf_addf(&hist, "%s/history", data);
	{
		const struct step steps[] = {
			{ &cmd_init, { "init", NULL }, "init" },
			{ &cmd_backfill,
			  { "backfill", "--input", hist.buf, "-q", NULL },
			  "backfill of history/" },
		};

		for (i = 0; i < PM_ARRAY_SIZE(steps); i++) {
			status = run_step(&steps[i]);
			if (status)
				goto out;
		}
	}
	pm_buf_addf(&pat, "%s/air4thai/*_flattened_*.csv", data);
	if (glob(pat.buf, 0, NULL, &feeds) == 0) {
		for (i = 0; i < feeds.gl_pathc; i++) {
			struct step s = { &cmd_run,
					  { "run", "ingest-clean", "-q",
					    "--param", "source=csv", "--param",
					    NULL, NULL },
					  "recorded feed" };

			pm_buf_reset(&param);
			pm_buf_addf(&param, "file=%s", feeds.gl_pathv[i]);
			s.argv[6] = param.buf;
			status = run_step(&s);
			if (status)
				goto out;
		}
	}
	{
		const struct step steps[] = {
			{ &cmd_run,
			  { "run", "eda", "-q", NULL },
			  "EDA report" },
			{ &cmd_run,
			  { "run", "train-model", "-q", NULL },
			  "model" },
			{ &cmd_deployment,
			  { "deployment", "apply", deployments, NULL },
			  "deployments" },
		};

		for (i = 0; i < PM_ARRAY_SIZE(steps); i++) {
			status = run_step(&steps[i]);
			if (status)
				goto out;
		}
	}
	pm_buf_addf(&stamp, "seeded %lld from %s\n", (long long)(time(NULL)),
		    data);
	if (pm_file_write_atomic(marker.buf, stamp.buf, stamp.len, &err)) {
		status = cmd_fail("seed", PM_ERR_IO, err.buf);
		goto out;
	}
	printf("seed: %s is ready\n", h.dir);
out:
	fflush(stdout);
	globfree(&feeds);
	pm_home_release(&h);
	pm_buf_release(&marker);
	pm_buf_release(&hist);
	pm_buf_release(&pat);
	pm_buf_release(&param);
	pm_buf_release(&stamp);
	pm_buf_release(&err);
	return status;
}

static int seed_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 seed [--data DIR] [--deployments FILE]", NULL
	};
	const char *data = "data", *deployments = "deployments.yaml";
	struct option opts[] = {
		OPT_STRING_(0, "data", &data, "dir",
			    "the bundled data: history/ and air4thai/ (data)"),
		OPT_STRING_(0, "deployments", &deployments, "file",
			    "applied last (deployments.yaml)"),
		OPT_END_(),
	};

	if (parse_options(argc, argv, opts, usage))
		return cmd_usage_error("seed", "no arguments, only options");
	return cmd_seed_home(data, deployments);
}

const struct cmd cmd_seed = {
	.name = "seed",
	.summary = "a new home with the bundled data, once",
	.exec = seed_exec,
	.flags = CMD_NEED_NET,
};
