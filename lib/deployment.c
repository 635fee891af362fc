/*
 * deployments.yaml: reading it with libyaml's document API (which keeps
 * every node's line and column for errors) and checking each deployment.
 */
#include "compat.h"
#include <jansson.h>
#include "yaml-util.h"
#include "limits.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/cron.h"
#include "pm25/deployment.h"
#include "pm25/fsutil.h"
#include "pm25/pipeline.h"

void pm_deployment_release(struct pm_deployment *d)
{
	free(d->name);
	free(d->flow);
	free(d->cron);
	free(d->timezone);
	free(d->missed);
	free(d->work_pool);
	free(d->image);
	free(d->parameters);
	memset(d, 0, sizeof(*d));
}

void pm_deployments_release(struct pm_deployment *d, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		pm_deployment_release(&d[i]);
	free(d);
}

long pm_deployment_attempts(const struct pm_deployment *d)
{
	json_t *j = d->parameters ? json_loads(d->parameters, 0, NULL) : NULL;
	const char *r = json_string_value(json_object_get(j, "retries"));
	long n = r ? strtol(r, NULL, 10) : 0;

	json_decref(j);
	return n > 0 && n < 100 ? n + 1 : 1;
}

int pm_flow_known(const char *flow)
{
	static const char *const flows[] = { "ingest-clean", "backfill", "eda",
					     "train-model", "noop" };
	size_t i;

	for (i = 0; flow && i < PM_ARRAY_SIZE(flows); i++)
		if (!strcmp(flow, flows[i]))
			return 1;
	return 0;
}

/* Parameters TASK.OPTION: only for the flows with those tasks, valid. */
static enum pm_err check_task_options(const struct pm_deployment *d,
				      json_t *params, struct pm_buf *err)
{
	struct pm_task_policy p[PM_FLOW_NTASKS];
	const char *key;
	json_t *v;

	pm_task_policies_init(p);
	json_object_foreach(params, key, v)
	{
		if (!strchr(key, '.'))
			continue;
		if (strcmp(d->flow, "ingest-clean") && strcmp(d->flow, "backfill"))
			return pm_errf(err, PM_ERR_USAGE,
				       "deployment %s: %s: task options are for "
				       "ingest-clean and backfill",
				       d->name, key);
		if (!json_is_string(v) ||
		    pm_task_policy_set(p, key, json_string_value(v), err)) {
			if (!json_is_string(v))
				pm_errf(err, PM_ERR_USAGE, "%s: not a string", key);
			pm_err_prefix(err, ": ");
			pm_err_prefix(err, d->name);
			pm_err_prefix(err, "deployment ");
			return PM_ERR_USAGE;
		}
	}
	return PM_OK;
}

enum pm_err pm_deployment_check(const struct pm_deployment *d,
				struct pm_buf *err)
{
	const char *slash = d->name ? strchr(d->name, '/') : NULL;
	struct pm_cron c;
	const char *retry_on;
	enum pm_err ret;
	json_t *j;
	int object, retry_on_ok;

	if (!d->name || !slash || slash == d->name || !slash[1] ||
	    strchr(slash + 1, '/'))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment '%s': the name is flow/deployment",
			       d->name ? d->name : "");
	if (!pm_flow_known(d->flow))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: unknown flow '%s' (flows: "
			       "ingest-clean, backfill, eda, train-model, noop)",
			       d->name, d->flow ? d->flow : "");
	if (strncmp(d->name, d->flow, (size_t)(slash - d->name)) ||
	    strlen(d->flow) != (size_t)(slash - d->name))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: the name must start with its "
			       "flow, %s/",
			       d->name, d->flow);
	if (d->cron && pm_cron_parse(&c, d->cron, err)) {
		pm_err_prefix(err, ": ");
		pm_err_prefix(err, d->name);
		pm_err_prefix(err, "deployment ");
		return PM_ERR_USAGE;
	}
	if (!pm_tz_valid(d->timezone))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: unknown time zone '%s'", d->name,
			       d->timezone ? d->timezone : "");
	if (!d->missed || (strcmp(d->missed, "all") &&
			   strcmp(d->missed, "latest") &&
			   strcmp(d->missed, "none")))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: missed runs are all, latest or "
			       "none, not '%s'",
			       d->name, d->missed ? d->missed : "");
	if (d->concurrency_limit < 0)
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: concurrency_limit must be 0 "
			       "(none) or more",
			       d->name);
	j = d->parameters ? json_loads(d->parameters, 0, NULL) : NULL;
	object = json_is_object(j);
	retry_on = json_string_value(json_object_get(j, "retry_on"));
	retry_on_ok = !retry_on || !strcmp(retry_on, "transient") ||
		      !strcmp(retry_on, "any");
	ret = object ? check_task_options(d, j, err) : PM_OK;
	json_decref(j);
	if (!object)
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: parameters must be a mapping",
			       d->name);
	if (!retry_on_ok)
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: retry_on is transient or any",
			       d->name);
	return ret;
}

/* ---------------------------------------------------------------- YAML */

struct ctx {
	yaml_document_t *doc;
	const char *origin;
	struct pm_buf *err;
};

static enum pm_err at(struct ctx *x, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum pm_err at(struct ctx *x, yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	enum pm_err e;

	va_start(ap, fmt);
	e = pm_yaml_vfail(x->err, PM_ERR_PARSE, x->origin, n, fmt, ap);
	va_end(ap);
	return e;
}

static enum pm_err str(struct ctx *x, yaml_node_t *n, char **out)
{
	const char *s = pm_yaml_scalar(n);

	if (!s)
		return at(x, n, "expected a string");
	free(*out);
	*out = pm_xstrdup(s);
	return PM_OK;
}

/* A mapping of scalars as a JSON object of strings. */
static enum pm_err params(struct ctx *x, yaml_node_t *n, char **out)
{
	yaml_node_pair_t *p;
	json_t *o;

	if (n->type != YAML_MAPPING_NODE)
		return at(x, n, "parameters must be a mapping");
	o = json_object();
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(x->doc, p->value);

		if (!pm_yaml_scalar(k) || !pm_yaml_scalar(v)) {
			json_decref(o);
			return at(x, v, "parameter values are strings or "
					"numbers");
		}
		json_object_set_new(o, pm_yaml_scalar(k), json_string(pm_yaml_scalar(v)));
	}
	free(*out);
	*out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return PM_OK;
}

static enum pm_err schedule(struct ctx *x, yaml_node_t *n,
			    struct pm_deployment *d)
{
	yaml_node_pair_t *p;
	enum pm_err ret = PM_OK;

	if (n->type == YAML_SCALAR_NODE) /* schedule: "5 * * * *" */
		return str(x, n, &d->cron);
	if (n->type != YAML_MAPPING_NODE)
		return at(x, n, "schedule is a cron string or {cron, timezone, "
				"missed}");
	for (p = n->data.mapping.pairs.start;
	     !ret && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
		const char *key = pm_yaml_scalar(k) ? pm_yaml_scalar(k) : "";

		if (!strcmp(key, "cron"))
			ret = str(x, v, &d->cron);
		else if (!strcmp(key, "timezone"))
			ret = str(x, v, &d->timezone);
		else if (!strcmp(key, "missed"))
			ret = str(x, v, &d->missed);
		else
			ret = at(x, k, "unknown schedule key '%s' (cron, "
				       "timezone, missed)",
				 key);
	}
	return ret;
}

static enum pm_err one(struct ctx *x, yaml_node_t *n, struct pm_deployment *d)
{
	yaml_node_pair_t *p;
	enum pm_err ret = PM_OK;

	if (n->type != YAML_MAPPING_NODE)
		return at(x, n, "a deployment is a mapping");
	d->timezone = pm_xstrdup("Asia/Bangkok");
	d->missed = pm_xstrdup("latest");
	d->work_pool = pm_xstrdup("etl-pool-dev");
	d->parameters = pm_xstrdup("{}");
	for (p = n->data.mapping.pairs.start;
	     !ret && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(x->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(x->doc, p->value);
		const char *key = pm_yaml_scalar(k) ? pm_yaml_scalar(k) : "";

		if (!strcmp(key, "name")) {
			ret = str(x, v, &d->name);
		} else if (!strcmp(key, "flow")) {
			ret = str(x, v, &d->flow);
		} else if (!strcmp(key, "schedule")) {
			ret = schedule(x, v, d);
		} else if (!strcmp(key, "work_pool")) {
			ret = str(x, v, &d->work_pool);
		} else if (!strcmp(key, "image")) {
			ret = str(x, v, &d->image);
		} else if (!strcmp(key, "parameters")) {
			ret = params(x, v, &d->parameters);
		} else if (!strcmp(key, "concurrency_limit")) {
			const char *s = pm_yaml_scalar(v);
			char *end;

			d->concurrency_limit = s ? strtol(s, &end, 10) : -1;
			if (!s || !*s || *end || d->concurrency_limit < 0)
				ret = at(x, v, "concurrency_limit is a whole "
					       "number, 0 for none");
		} else {
			ret = at(x, k, "unknown key '%s'", key);
		}
	}
	if (!ret && !d->name)
		ret = at(x, n, "a deployment needs a name");
	if (!ret && !d->flow) /* the flow is the name's first part */
		d->flow = pm_xmemdupz(d->name, strcspn(d->name, "/"));
	if (!ret && pm_deployment_check(d, x->err)) {
		struct pm_buf why = PM_BUF_INIT;

		pm_buf_addstr(&why, x->err->buf);
		ret = at(x, n, "%s", why.buf);
		pm_buf_release(&why);
	}
	return ret;
}

enum pm_err pm_deployments_load(const char *path, struct pm_deployment **out,
				size_t *nr, struct pm_buf *err)
{
	struct pm_buf text = PM_BUF_INIT;
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx x = { &doc, path, err };
	yaml_node_t *root, *list = NULL;
	enum pm_err ret;
	size_t i;

	*out = NULL;
	*nr = 0;
	ret = pm_file_read(path, PM_MAX_CONTRACT, &text, err);
	if (ret)
		return ret;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text.buf,
				     text.len);
	if (!yaml_parser_load(&parser, &doc)) {
		ret = pm_errf(err, PM_ERR_PARSE, "%s:%zu:%zu: %s", path,
			      parser.problem_mark.line + 1,
			      parser.problem_mark.column + 1,
			      parser.problem ? parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		pm_buf_release(&text);
		return ret;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		yaml_node_pair_t *p;

		for (p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++)
			if (pm_yaml_scalar(yaml_document_get_node(&doc, p->key)) &&
			    !strcmp(pm_yaml_scalar(yaml_document_get_node(&doc, p->key)),
				    "deployments"))
				list = yaml_document_get_node(&doc, p->value);
	}
	if (!list || list->type != YAML_SEQUENCE_NODE) {
		ret = at(&x, list ? list : root,
			 "expected 'deployments:' with a list of deployments");
		goto out;
	}
	*out = pm_xcalloc((size_t)(list->data.sequence.items.top -
				   list->data.sequence.items.start) + 1,
			  sizeof(**out));
	for (i = 0; list->data.sequence.items.start + i <
		    list->data.sequence.items.top;
	     i++) {
		yaml_node_t *n = yaml_document_get_node(
			&doc, list->data.sequence.items.start[i]);
		size_t k;

		*nr = i + 1;
		ret = one(&x, n, &(*out)[i]);
		for (k = 0; !ret && k < i; k++)
			if (!strcmp((*out)[k].name, (*out)[i].name))
				ret = at(&x, n, "deployment %s appears twice",
					 (*out)[i].name);
		if (ret)
			break;
	}
out:
	if (ret) {
		pm_deployments_release(*out, *nr);
		*out = NULL;
		*nr = 0;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	pm_buf_release(&text);
	return ret;
}
