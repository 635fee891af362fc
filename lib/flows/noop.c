/*
 * The noop flow: sleep_s seconds, then fail if asked to (fail=1, or
 * fail=transient as if a peer were down). It runs nothing and opens
 * nothing, for testing the orchestrator.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/flow.h"
#include "pm25/pause.h"
#include "pm25/store.h"
#include "flow-int.h"

static const char *param(const struct pm_flow_run *fr, const char *key)
{
	size_t i;

	for (i = 0; i < fr->nparams; i++)
		if (!strcmp(fr->params[i].key, key))
			return fr->params[i].value;
	return NULL;
}

static enum pm_err check(const struct pm_flow_run *fr, struct pm_buf *err)
{
	size_t i;

	for (i = 0; i < fr->nparams; i++)
		if (!pm_flow_takes(&pm_flow_def_noop, fr->params[i].key))
			return pm_errf(err, PM_ERR_USAGE,
				       "bad --param '%s=%s' (noop: sleep_s, "
				       "fail)",
				       fr->params[i].key, fr->params[i].value);
	return PM_OK;
}

static enum pm_err run(struct pm_flow_run *fr, struct pm_buf *err)
{
	const char *sleep_s = param(fr, "sleep_s"), *fail = param(fr, "fail");
	double s = sleep_s ? strtod(sleep_s, NULL) : 0;
	enum pm_err ret = check(fr, err);

	if (ret)
		return ret;
	pm_pause_point("noop");
	if (s > 0) {
		struct timespec ts = { (time_t)s,
				       (long)((s - (double)(time_t)s) * 1e9) };

		nanosleep(&ts, NULL);
	}
	if (fail && !strcmp(fail, "transient"))
		return pm_errf(err, PM_ERR_NET,
			       "failed as asked, as if a peer were down "
			       "(fail=transient)");
	if (fail && strcmp(fail, "0") && strcmp(fail, "false"))
		return pm_errf(err, PM_ERR_DATA, "failed as asked (fail=1)");
	return PM_OK;
}

static const char *const tasks[] = { "sleep", NULL };

static const struct pm_flow_param params[] = {
	{ "sleep_s", "seconds to sleep" },
	{ "fail", "1: fail; transient: fail as if a peer were down" },
	{ NULL, NULL },
};

const struct pm_flow pm_flow_def_noop = {
	.name = "noop",
	.summary = "sleep, then succeed or fail as asked (for tests)",
	.tasks = tasks,
	.params = params,
	.needs = 0,
	.check = check,
	.run = run,
};
