/*
 * The flows table (pm25/flow.h): one row per flow, each defined in its
 * own file of lib/flows/.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/flow.h"
#include "pm25/home.h"
#include "pm25/store.h"
#include "flow-int.h"

static const struct pm_flow *const flows[] = {
	&pm_flow_def_ingest_clean, &pm_flow_def_backfill, &pm_flow_def_eda,
	&pm_flow_def_train_model,  &pm_flow_def_noop,
};

const struct pm_flow *pm_flow_at(size_t i)
{
	return i < PM_ARRAY_SIZE(flows) ? flows[i] : NULL;
}

const struct pm_flow *pm_flow_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < PM_ARRAY_SIZE(flows); i++)
		if (!strcmp(flows[i]->name, name))
			return flows[i];
	return NULL;
}

void pm_flow_names(struct pm_buf *out)
{
	size_t i;

	for (i = 0; i < PM_ARRAY_SIZE(flows); i++)
		pm_buf_addf(out, "%s%s", i ? ", " : "", flows[i]->name);
}

int pm_flow_takes(const struct pm_flow *f, const char *key)
{
	const struct pm_flow_param *p;

	for (p = f->params; p && p->name; p++)
		if (!strcmp(p->name, key))
			return 1;
	return 0;
}

void pm_flow_run_init(struct pm_flow_run *fr)
{
	memset(fr, 0, sizeof(*fr));
	pm_buf_init(&fr->summary);
}

void pm_flow_run_release(struct pm_flow_run *fr)
{
	pm_store_close(fr->data);
	pm_store_close(fr->models);
	fr->data = fr->models = NULL;
	pm_buf_release(&fr->summary);
	pm_flow_result_release(&fr->result);
	fr->has_result = 0;
}

enum pm_err pm_flow_open(const struct pm_flow *f, struct pm_flow_run *fr,
			 struct pm_buf *err)
{
	enum pm_err ret = PM_OK;

	if ((f->needs & PM_FLOW_DATA) && !fr->data)
		ret = pm_home_store(fr->home, "data", &fr->data, err);
	if (!ret && (f->needs & PM_FLOW_MODELS) && !fr->models)
		ret = pm_home_store(fr->home, "model", &fr->models, err);
	return ret;
}
