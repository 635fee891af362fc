/*
 * pm25 worker start -p POOL: claim the pool's due runs under a lease and
 * run each in a child process, pm25 flow-run execute ID, in its own
 * process group; heartbeat while it runs; a child killed by a signal is
 * Crashed. SIGTERM stops claiming, lets the runs finish for --grace
 * seconds, then kills them and gives their runs back. Every pass also
 * sweeps runs whose lease ran out (a worker killed with -9) into Crashed
 * and their retry policy.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "pm25/db.h"
#include "pm25/deployment.h"
#include "pm25/home.h"
#include "pm25/housekeeping.h"
#include "pm25/loki.h"
#include "pm25/notifier.h"
#include "pm25/notify.h"
#include "pm25/pause.h"
#include "pm25/policy.h"
#include "pm25/state.h"
#include "pm25/strv.h"
#include "pm25/timeutil.h"
#include "pm25/worker.h"
#include "cmd.h"
#include "container.h"
#include "parse-options.h"

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* ------------------------------------------------------------ the worker */

struct child {
	pid_t pid;
	int fd;		   /* the read end of the run's stderr, or -1 */
	struct pm_buf out; /* what it wrote after its last newline */
	char flow[32];
	char id[PM_RUN_ID_MAX];
	double started, beat;
	double timeout; /* seconds, 0: none */
	int stopped; /* its group was killed: 1 timed out, 2 cancelled, 3 lost */
	char why[128]; /* when it timed out */
	long attempt;  /* the attempt claimed */
	struct pm_retry policy; /* the run's own retries and time limit */
	/*
	 * Its process ended and the outcome waits to be recorded (the
	 * state database did not answer): the run stays this worker's,
	 * heartbeated, until it is.
	 */
	int unsettled;
	enum pm_run_state how; /* Completed, Failed, TimedOut, Crashed... */
	char reason[200];
	int64_t delay_ms; /* retry after this long; -1 not retried */
};

/*
 * A run's watchdog says a task ran out of time (its line j, then it kills
 * its process group): the run ends TimedOut, not Crashed.
 */
static void task_timed_out(struct child *k, struct pm_state *st, json_t *j,
			   const char *line)
{
	const char *task = json_string_value(json_object_get(j, "task")),
		   *state = json_string_value(json_object_get(j, "state"));

	if (!task || !state || strcmp(state, "TimedOut") ||
	    !json_is_number(json_object_get(j, "timeout_s")))
		return;
	k->stopped = 1;
	/* the run's process dies before it can keep this line */
	pm_state_log(st, k->id, "error", task, line, NULL);
	snprintf(k->why, sizeof(k->why),
		 "task %.32s timed out after %g s; its process group was "
		 "killed",
		 task, json_number_value(json_object_get(j, "timeout_s")));
}

/*
 * One line run k wrote: a TimedOut event stops it, and Loki, if any,
 * gets the line at its level (a JSON event's, else by its form).
 */
static void child_line(struct child *k, struct pm_state *st,
		       struct pm_loki *loki, const char *line)
{
	json_t *j = NULL;
	const char *level;

	if (*line == '{' && (loki || strstr(line, "\"TimedOut\"")))
		j = json_loads(line, 0, NULL);
	if (j)
		task_timed_out(k, st, j, line);
	level = json_string_value(json_object_get(j, "level"));
	if (!level)
		level = !strncmp(line, "pm25 ", 5) ? "error" : "info";
	if (loki && *line)
		pm_loki_push(loki, 0, k->flow, level, k->id, line);
	json_decref(j);
}

/*
 * Pass on what run k wrote: each whole line to the worker's stderr and
 * to child_line(). At eof the rest is a line too.
 */
static void child_lines(struct child *k, struct pm_state *st,
			struct pm_loki *loki, int eof)
{
	char chunk[8192], *nl;
	size_t at = 0;
	ssize_t n;

	while (k->fd >= 0 && (n = read(k->fd, chunk, sizeof(chunk))) > 0)
		pm_buf_add(&k->out, chunk, (size_t)n);
	if (eof && k->out.len && k->out.buf[k->out.len - 1] != '\n')
		pm_buf_addch(&k->out, '\n');
	/* a line that never ends is cut into pieces of 64 KiB */
	if (k->out.len > (64u << 10) && !memchr(k->out.buf, '\n', k->out.len))
		pm_buf_addch(&k->out, '\n');
	while (at < k->out.len &&
	       (nl = memchr(k->out.buf + at, '\n', k->out.len - at))) {
		fwrite(k->out.buf + at, 1, (size_t)(nl - k->out.buf) + 1 - at,
		       stderr);
		*nl = '\0';
		child_line(k, st, loki, k->out.buf + at);
		at = (size_t)(nl - k->out.buf) + 1;
	}
	if (at) {
		memmove(k->out.buf, k->out.buf + at, k->out.len - at);
		pm_buf_setlen(&k->out, k->out.len - at);
	}
	if (eof && k->fd >= 0) {
		close(k->fd);
		k->fd = -1;
	}
}

/* One line of the worker's own, on stderr and to Loki. */
static void worker_line(struct pm_loki *loki, const char *level,
			const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void worker_line(struct pm_loki *loki, const char *level,
			const char *fmt, ...)
{
	struct pm_buf b = PM_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	pm_buf_vaddf(&b, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", b.buf);
	pm_loki_push(loki, 0, "worker", level, NULL, b.buf);
	pm_buf_release(&b);
}

/* The env label of a pool: etl-pool-prod is prod; PM25_ENV wins. */
static const char *pool_env(const char *pool)
{
	const char *dash = strrchr(pool, '-');

	if (dash && (!strcmp(dash, "-dev") || !strcmp(dash, "-stage") ||
		     !strcmp(dash, "-prod")))
		return dash + 1;
	return "dev";
}

/*
 * Start run id: pm25 flow-run execute ID in a process group of its own,
 * or, when argv is given (a docker pool), that command. Its stderr comes
 * back through *fd.
 */
static pid_t spawn(const char *id, long attempt, const char *worker,
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

/* Start a claimed run the way the pool runs them; -1 with why if not. */
static pid_t start_run(const struct pm_claim *c, const char *worker,
		       const char *engine, const char *home, int *fd,
		       char *why, size_t size)
{
	struct pm_strv cmd = PM_STRV_INIT;
	char **argv;
	pid_t pid;
	size_t i;

	if (!engine)
		return spawn(c->id, c->attempt, worker, NULL, fd);
	if (!c->image) {
		snprintf(why, size, "a docker pool runs images, and deployment "
				    "%s has none",
			 c->deployment ? c->deployment : "(none)");
		return -1;
	}
	if (!pm_image_ref_valid(c->image)) {
		snprintf(why, size, "image '%.60s' is not an image reference",
			 c->image);
		return -1;
	}
	container_argv(&cmd, engine, c->image, c->id, c->attempt, worker,
		       home);
	argv = pm_xcalloc(cmd.nr + 1, sizeof(*argv));
	for (i = 0; i < cmd.nr; i++)
		argv[i] = cmd.v[i];
	pid = spawn(c->id, c->attempt, worker, argv, fd);
	if (pid < 0)
		snprintf(why, size, "cannot start %s: %s", engine,
			 strerror(errno));
	free(argv);
	pm_strv_release(&cmd);
	return pid;
}

/* Stop run k: its container first, if any, then its process group. */
static void stop_run(const struct child *k, const char *engine)
{
	if (engine)
		container_remove(engine, k->id, k->attempt);
	kill(-k->pid, SIGKILL);
}

/*
 * Remove the containers of runs that no longer need them: the run is
 * gone, has ended, or has moved on to another attempt (its worker was
 * killed with -9 and the container outlived it). A container of a live
 * attempt belongs to whichever worker claimed it, and stays.
 */
static void reap_containers(struct pm_state *st, const char *engine,
			    const char *worker)
{
	struct pm_strv ids = PM_STRV_INIT;
	long *attempts = NULL;
	size_t i;

	if (container_runs(engine, &ids, &attempts))
		return;
	for (i = 0; i < ids.nr; i++) {
		struct pm_rows run, hist;
		enum pm_err e = pm_state_run_get(st, ids.v[i], &run, &hist, NULL);
		int stale = e == PM_ERR_NOTFOUND;

		if (!e) {
			int s = pm_run_state_parse(pm_rows_get(&run, 0, 4));

			stale = (s >= 0 &&
				 pm_run_state_final((enum pm_run_state)s)) ||
				strtol(pm_rows_get(&run, 0, 11), NULL, 10) !=
					attempts[i];
			pm_rows_release(&run);
			pm_rows_release(&hist);
		}
		if (stale) {
			fprintf(stderr, "{\"worker\": \"%s\", \"removed\": "
					"\"pm25-run-%s-%ld\", \"why\": \"its run "
					"no longer needs it\"}\n",
				worker, ids.v[i], attempts[i]);
			container_remove(engine, ids.v[i], attempts[i]);
		}
	}
	free(attempts);
	pm_strv_release(&ids);
}

/* The type of pool (process or docker), static text. */
static enum pm_err pool_type(struct pm_state *st, const char *pool,
			     const char **type, struct pm_buf *err)
{
	struct pm_rows rs;
	enum pm_err ret;
	size_t r;

	*type = "process";
	ret = pm_state_pools(st, &rs, err);
	for (r = 0; !ret && r < rs.nr; r++)
		if (!strcmp(pm_rows_get(&rs, r, 0), pool) &&
		    !strcmp(pm_rows_get(&rs, r, 1), "docker"))
			*type = "docker";
	if (!ret)
		pm_rows_release(&rs);
	return ret;
}

static void release_child(struct child *k)
{
	pm_buf_release(&k->out);
	memset(k, 0, sizeof(*k));
}

/*
 * What run k's ended process (wait status ws) means for the run, kept
 * in k until it is recorded. A process that recorded its own outcome
 * makes the record here a no-op (the run is final already).
 */
static void outcome(struct child *k, int ws, const char *engine)
{
	int status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;

	k->delay_ms = 0;
	k->how = PM_RUN_CRASHED;
	if (k->stopped == 1) {
		k->how = PM_RUN_TIMEDOUT;
		snprintf(k->reason, sizeof(k->reason), "%s", k->why);
	} else if (k->stopped == 2) {
		k->how = PM_RUN_CANCELLED;
		snprintf(k->reason, sizeof(k->reason),
			 "cancelled: its process group was stopped");
	} else if (k->stopped == 3) {
		k->how = PM_RUN_NSTATES; /* already Crashed by a sweep */
	} else if (engine && status >= 125) {
		/* the engine's own failure (125-127), or the container
		 * killed (128 + n) */
		if (status > 128)
			snprintf(k->reason, sizeof(k->reason),
				 "the run's container was killed by signal %d",
				 status - 128);
		else
			snprintf(k->reason, sizeof(k->reason),
				 "%s could not run the container (exit %d)",
				 engine, status);
	} else if (WIFSIGNALED(ws)) {
		snprintf(k->reason, sizeof(k->reason),
			 "the run's process was killed by signal %d",
			 WTERMSIG(ws));
	} else if (status == 0) {
		k->how = PM_RUN_COMPLETED;
		snprintf(k->reason, sizeof(k->reason), "completed");
	} else {
		k->how = PM_RUN_FAILED;
		snprintf(k->reason, sizeof(k->reason),
			 "exit %d (recorded by its worker)", status);
		k->delay_ms = pm_run_retryable(&k->policy, status) ?
				      (int64_t)(pm_run_retry_delay(&k->policy,
								   k->attempt) *
						1000) :
				      -1;
	}
}

/*
 * Record run k's outcome; while the state database does not answer it
 * stays unsettled, to be tried again.
 */
static void settle(struct child *k, struct pm_state *st,
		   struct pm_loki *loki, const char *worker)
{
	struct pm_buf err = PM_BUF_INIT;
	enum pm_err e = PM_OK;
	int retried;

	if (k->how == PM_RUN_COMPLETED || k->how == PM_RUN_CANCELLED)
		e = pm_state_run_move_at(st, k->id, k->attempt, PM_RUN_NSTATES,
					 k->how, k->reason, &err);
	else if (k->how != PM_RUN_NSTATES)
		e = pm_state_run_fail(st, k->id, k->attempt, k->how, k->reason,
				      k->delay_ms, &retried, &err);
	if (e == PM_ERR_NET || e == PM_ERR_IO) {
		if (k->unsettled == 1)
			worker_line(loki, "warn",
				    "{\"worker\": \"%s\", \"run\": \"%s\", "
				    "\"outcome\": \"%s\", \"waiting\": \"the "
				    "state database does not answer; retrying "
				    "each second\"}",
				    worker, k->id, pm_run_state_name(k->how));
		k->unsettled = 2;
		k->pid = 0;
	} else {
		if (k->unsettled == 2)
			worker_line(loki, "info",
				    "{\"worker\": \"%s\", \"run\": \"%s\", "
				    "\"outcome\": \"%s\", \"recorded\": "
				    "\"late, once the state database "
				    "answered\"}",
				    worker, k->id, pm_run_state_name(k->how));
		/* CONFLICT: its process recorded it, or a sweep did */
		release_child(k);
	}
	pm_buf_release(&err);
}

/*
 * The state database failed a claim (e), or answered again (e == 0):
 * say so on each change, and hold claims back with a growing delay.
 * The count of failures in a row is returned.
 */
static long db_down(struct pm_loki *loki, const char *worker, long failures,
		    enum pm_err e, const char *why, double *claim_after)
{
	double wait;

	if (!e) {
		if (failures)
			worker_line(loki, "info",
				    "{\"worker\": \"%s\", \"state_database\": "
				    "\"answering again\", \"failures\": %ld}",
				    worker, failures);
		*claim_after = 0;
		return 0;
	}
	wait = pm_backoff_s(0.5, failures + 1, 10);
	*claim_after = pm_mono_s() + wait;
	if (!failures) {
		struct pm_buf j = PM_BUF_INIT;

		pm_buf_add_json_str(&j, why ? why : "", why ? strlen(why) : 0);
		worker_line(loki, "error",
			    "{\"worker\": \"%s\", \"state_database\": \"%s\", "
			    "\"error\": %s, \"then\": \"runs go on; claims "
			    "wait\"}",
			    worker, pm_strerror(e), j.buf);
		pm_buf_release(&j);
	}
	return failures + 1;
}

static int worker_exec(int argc, const char **argv)
{
	const char *const usage[] = {
		"pm25 worker start -p POOL [--type process|docker] [--run-once] "
		"[--limit N] [--lease S] [--grace S] [--name NAME]",
		NULL
	};
	const char *pool = NULL, *name = NULL, *type = NULL, *engine = NULL;
	char *home = NULL;
	long limit = 1, lease = 30, grace = 30;
	int once = 0, status = PM_EXIT_OK, nr = 0, claimed = 0;
	struct option opts[] = {
		OPT_STRING_('p', "pool", &pool, "pool", "the work pool to serve"),
		OPT_BOOL_(0, "run-once", &once, "run at most one run, then exit"),
		OPT_INT_(0, "limit", &limit, "n", "at most n runs at once (1)"),
		OPT_INT_(0, "lease", &lease, "s",
			 "lease length; heartbeats every third (30)"),
		OPT_INT_(0, "grace", &grace, "s",
			 "on SIGTERM, wait this long for runs (30)"),
		OPT_STRING_(0, "name", &name, "name",
			    "worker name (host-pid)"),
		OPT_STRING_(0, "type", &type, "t",
			    "process or docker (the pool's type)"),
		OPT_END_(),
	};
	struct pm_buf err = PM_BUF_INIT;
	struct pm_state *st = NULL;
	struct child *kids = NULL;
	struct pm_notify notify;
	struct pm_loki_opts lo;
	struct pm_loki *loki = NULL;
	struct pm_notifier *notifier = NULL;
	struct pollfd *fds = NULL;
	struct pm_home h;
	char me[128];
	double stop_at = 0, last_sweep = 0, last_prune = 0, last_reap = 0,
	       last_settle = 0, claim_after = 0;
	long db_failures = 0;
	enum pm_err e;
	int i;

	nr = parse_options(argc, argv, opts, usage);
	if (nr != 1 || strcmp(argv[0], "start") || !pool)
		return cmd_usage_error("worker", "start -p POOL");
	if (type && strcmp(type, "process") && strcmp(type, "docker"))
		return cmd_usage_error("worker", "--type is process or docker");
	if (limit < 1 || lease < 3 || grace < 0)
		return cmd_usage_error("worker", "--limit >= 1, --lease >= 3, "
						 "--grace >= 0");
	if (!name) {
		char host[64] = "host";

		gethostname(host, sizeof(host) - 1);
		snprintf(me, sizeof(me), "%s-%ld", host, (long)getpid());
		name = me;
	}
	pm_home_locate(&h);
	e = pm_home_state(&h, &st, &err);
	if (e) {
		status = cmd_fail("worker", e, err.buf);
		goto out;
	}
	if (!type)
		e = pool_type(st, pool, &type, &err);
	if (!e && !strcmp(type, "docker")) {
		engine = container_engine();
		home = realpath(h.dir, NULL);
		if (!engine || !home)
			e = pm_errf(&err, PM_ERR_USAGE,
				    !engine ? "a docker pool needs podman or "
					      "docker on PATH (or "
					      "PM25_CONTAINER_ENGINE)" :
					      "%s: %s",
				    h.dir, strerror(errno));
	}
	if (e) {
		status = cmd_fail("worker", e, err.buf);
		goto out;
	}
	pm_notify_from_env(&notify);
	kids = pm_xcalloc((size_t)limit, sizeof(*kids));
	fds = pm_xcalloc((size_t)limit, sizeof(*fds));
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	pm_loki_opts_from_env(&lo, pool_env(pool));
	loki = pm_loki_start(&lo);
	/* alerts go out on a thread of their own: a webhook that hangs
	 * holds up no heartbeat */
	notifier = pm_notifier_start(&h, &notify);
	worker_line(loki, "info",
		    "{\"worker\": \"%s\", \"pool\": \"%s\", \"type\": \"%s\", "
		    "\"state\": \"started\", \"limit\": %ld}",
		    name, pool, type, limit);
	for (;;) {
		double now = pm_mono_s();
		int running = 0, busy = 0, nfds;
		pid_t pid;
		int ws;

		/* children that ended */
		while ((pid = waitpid(-1, &ws, WNOHANG)) > 0)
			for (i = 0; i < limit; i++) {
				if (kids[i].pid != pid || kids[i].unsettled)
					continue;
				child_lines(&kids[i], st, loki, 1);
				outcome(&kids[i], ws, engine);
				kids[i].unsettled = 1;
				settle(&kids[i], st, loki, name);
			}
		/* outcomes the state database did not take yet */
		if (now - last_settle >= 1) {
			last_settle = now;
			for (i = 0; i < limit; i++)
				if (kids[i].unsettled)
					settle(&kids[i], st, loki, name);
		}
		for (i = 0; i < limit; i++)
			running += kids[i].pid != 0 || kids[i].unsettled;
		if (stopping && !stop_at)
			stop_at = now + (double)grace;
		if (stopping && (!running || now >= stop_at))
			break;
		/* heartbeats, cancels and timeouts */
		for (i = 0; i < limit; i++) {
			int cancel = 0;

			enum pm_err he = PM_OK;

			/* a run whose outcome waits is held on to as well */
			if (!kids[i].unsettled &&
			    (!kids[i].pid || kids[i].stopped))
				continue;
			if (now - kids[i].beat >= lease / 3.0) {
				kids[i].beat = now;
				he = pm_state_heartbeat(st, kids[i].id, name,
							lease * 1000, &cancel,
							NULL);
				if (he == PM_ERR_CONFLICT && kids[i].unsettled) {
					/* swept meanwhile: nothing to record */
					kids[i].unsettled = 0;
					release_child(&kids[i]);
					continue;
				}
				if (he == PM_ERR_CONFLICT) {
					/* the lease is lost: the run is no
					 * longer ours to run */
					kids[i].stopped = 3;
					stop_run(&kids[i], engine);
					continue;
				}
				/* the database down: the run goes on, and the
				 * next beat tries again */
			}
			if (kids[i].unsettled)
				continue;
			if (cancel || (kids[i].timeout > 0 &&
				       now - kids[i].started > kids[i].timeout)) {
				kids[i].stopped = cancel ? 2 : 1;
				snprintf(kids[i].why, sizeof(kids[i].why),
					 "timed out after %.0f s; its %s",
					 kids[i].timeout,
					 engine ? "container was removed" :
						  "process group was killed");
				stop_run(&kids[i], engine);
			}
		}
		if (engine && now - last_reap >= 30) {
			last_reap = now;
			reap_containers(st, engine, name);
		}
		if (now - last_sweep >= 1) {
			struct pm_housekeeping hk = { 0 };

			last_sweep = now;
			pm_housekeep_sweep(st, &h, &hk, NULL);
		}
		if (now - last_prune >= 600) {
			/* retention, on by default, even without a scheduler */
			size_t runs, logs;

			last_prune = now;
			pm_state_prune(st, st->retention_days, &runs, &logs,
				       NULL);
		}
		/* claims */
		while (!stopping && running < limit && !(once && claimed)) {
			struct pm_claim c;

			if (now < claim_after)
				break;
			pm_buf_reset(&err);
			e = pm_state_claim(st, pool, name, lease * 1000, &c,
					   &err);
			if (e == PM_ERR_NOTFOUND) {
				db_failures = db_down(loki, name, db_failures,
						      0, NULL, &claim_after);
				break;
			}
			if (e) {
				/* no claims for a while; the runs go on */
				db_failures = db_down(loki, name, db_failures,
						      e, err.buf, &claim_after);
				break;
			}
			db_failures = db_down(loki, name, db_failures, 0, NULL,
					      &claim_after);
			for (i = 0; kids[i].pid || kids[i].unsettled; i++)
				;
			release_child(&kids[i]);
			pm_run_policy(c.parameters, &kids[i].policy);
			kids[i].timeout = kids[i].policy.timeout_s;
			snprintf(kids[i].flow, sizeof(kids[i].flow), "%s",
				 c.flow);
			kids[i].attempt = c.attempt;
			kids[i].pid = start_run(&c, name, engine, home,
						&kids[i].fd, kids[i].why,
						sizeof(kids[i].why));
			if (kids[i].pid < 0) {
				int retried;

				/* nothing to run it in: it cannot start */
				kids[i].pid = 0;
				pm_state_run_fail(st, c.id, c.attempt,
						  PM_RUN_CRASHED,
						  kids[i].why, 0, &retried,
						  NULL);
				pm_claim_release(&c);
				break;
			}
			snprintf(kids[i].id, sizeof(kids[i].id), "%s", c.id);
			kids[i].started = kids[i].beat = now;
			pm_claim_release(&c);
			running++;
			claimed++;
			busy = 1;
		}
		if (once && (claimed || !running) && !running)
			break;
		/*
		 * Naps, woken by what the runs write: short while runs go
		 * on, so that a claim starts soon.
		 */
		nfds = 0;
		for (i = 0; i < limit; i++)
			if (kids[i].pid && kids[i].fd >= 0) {
				fds[nfds].fd = kids[i].fd;
				fds[nfds++].events = POLLIN;
			}
		poll(fds, (nfds_t)nfds, busy ? 1 : running ? 20 : 200);
		for (i = 0; i < limit; i++)
			if (kids[i].pid)
				child_lines(&kids[i], st, loki, 0);
	}
	/* out of grace: stop what still runs and give it back */
	for (i = 0; i < limit; i++)
		if (kids[i].pid) {
			stop_run(&kids[i], engine);
			waitpid(kids[i].pid, NULL, 0);
			child_lines(&kids[i], st, loki, 1);
			if (pm_state_release(st, kids[i].id, name,
					     "given back: its worker shut down",
					     &err))
				worker_line(loki, "error",
					    "{\"worker\": \"%s\", \"run\": "
					    "\"%s\", \"not_given_back\": \"%s\"}",
					    name, kids[i].id,
					    pm_strerror(PM_ERR_NET));
			kids[i].pid = 0;
		}
	/* outcomes still waiting: said, so that none is dropped unseen */
	for (i = 0; i < limit; i++)
		if (kids[i].unsettled) {
			struct pm_buf j = PM_BUF_INIT;

			pm_buf_add_json_str(&j, kids[i].reason,
					    strlen(kids[i].reason));
			worker_line(loki, "error",
				    "{\"worker\": \"%s\", \"run\": \"%s\", "
				    "\"attempt\": %ld, \"outcome_not_recorded\": "
				    "\"%s\", \"reason\": %s, \"then\": \"it is "
				    "Crashed when its lease runs out\"}",
				    name, kids[i].id, kids[i].attempt,
				    pm_run_state_name(kids[i].how), j.buf);
			pm_buf_release(&j);
		}
	/* what the last runs queued, before the worker goes */
	pm_notifier_stop(notifier, 5000);
	notifier = NULL;
	if (loki) {
		struct pm_loki_stats ls;

		worker_line(loki, "info",
			    "{\"worker\": \"%s\", \"state\": \"stopped\", "
			    "\"runs\": %d}",
			    name, claimed);
		pm_loki_stop(loki, 5000, &ls);
		fprintf(stderr,
			"{\"worker\": \"%s\", \"loki\": {\"lines\": "
			"%zu, \"sent\": %zu, \"dropped\": %zu, "
			"\"failed_pushes\": %zu}}\n",
			name, ls.queued, ls.sent, ls.dropped, ls.failures);
	} else {
		worker_line(NULL, "info",
			    "{\"worker\": \"%s\", \"state\": \"stopped\", "
			    "\"runs\": %d}",
			    name, claimed);
	}
out:
	pm_notifier_stop(notifier, 0);
	free(home);
	if (kids)
		for (i = 0; i < limit; i++)
			release_child(&kids[i]);
	free(kids);
	free(fds);
	pm_state_close(st);
	pm_home_release(&h);
	pm_buf_release(&err);
	return status;
}

const struct cmd cmd_worker = {
	.name = "worker",
	.summary = "serve a work pool: claim runs and execute them",
	.exec = worker_exec,
};
