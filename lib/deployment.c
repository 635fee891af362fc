/*
 * deployments.yaml: reading it with libyaml's document API (which keeps
 * every node's line and column for errors) and checking each deployment.
 */
#include "pm25/compat.h"
#include <jansson.h>
#include <regex.h>
#include "yaml-util.h"
#include "limits.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/cron.h"
#include "pm25/deployment.h"
#include "pm25/flow.h"
#include "pm25/fsutil.h"
#include "pm25/http.h"
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

long pm_deployment_max_late(const char *parameters)
{
	json_t *j = parameters ? json_loads(parameters, 0, NULL) : NULL;
	const char *r = json_string_value(json_object_get(j, "max_late_runs"));
	char *end = NULL;
	long n = r ? strtol(r, &end, 10) : -1;

	if (r && (end == r || *end || n < 0))
		n = -1;
	json_decref(j);
	return n;
}

/* Options every run has: name, then the largest value allowed. */
static const struct {
	const char *name;
	double max;
} run_options[] = {
	{ "retries", 99 },
	{ "retry_delay_s", 86400 },
	{ "timeout_s", 7 * 86400 },
	{ "max_late_runs", 100000 },
};

/* A whole or decimal number in [0, max], as text; else 0. */
static int number_in(const char *s, double max)
{
	char *end;
	double v;

	if (!s || !*s || isspace((unsigned char)*s))
		return 0;
	errno = 0;
	v = strtod(s, &end);
	return !errno && !*end && isfinite(v) && v >= 0 && v <= max;
}

/* Each parameter: one the flow takes, with a value it can use. */
static enum pm_err check_params(const struct pm_deployment *d, json_t *params,
				struct pm_buf *err)
{
	const struct pm_flow *f = pm_flow_find(d->flow);
	const char *key, *hour;
	json_t *v;
	size_t i;

	json_object_foreach(params, key, v)
	{
		const char *text = json_string_value(v);
		int known = strchr(key, '.') != NULL || !strcmp(key, "retry_on");

		for (i = 0; !known && i < PM_ARRAY_SIZE(run_options); i++)
			if (!strcmp(key, run_options[i].name)) {
				if (!number_in(text, run_options[i].max))
					return pm_errf(
						err, PM_ERR_USAGE,
						"deployment %s: %s is a number "
						"from 0 to %g, not '%s'",
						d->name, key, run_options[i].max,
						text ? text : "");
				known = 1;
			}
		if (!known)
			known = f && pm_flow_takes(f, key);
		if (!known) {
			const struct pm_flow_param *p;
			struct pm_buf list = PM_BUF_INIT;

			for (p = f ? f->params : NULL; p && p->name; p++)
				pm_buf_addf(&list, "%s, ", p->name);
			pm_errf(err, PM_ERR_USAGE,
				"deployment %s: flow %s has no parameter '%s' "
				"(it takes %sretries, retry_delay_s, retry_on, "
				"timeout_s)",
				d->name, d->flow, key, list.buf);
			pm_buf_release(&list);
			return PM_ERR_USAGE;
		}
		if (text && strstr(text, "://")) {
			struct pm_buf shown = PM_BUF_INIT;
			int secret;

			pm_http_redact(text, &shown);
			secret = strcmp(shown.buf, text) != 0;
			pm_buf_release(&shown);
			if (secret)
				return pm_errf(err, PM_ERR_USAGE,
					       "deployment %s: %s holds a "
					       "password or key; deployments "
					       "are stored and shown, so give "
					       "it through the environment "
					       "(WAQI_TOKEN, OPENAQ_API_KEY)",
					       d->name, key);
		}
		if (text && strpbrk(text, "\n\r\t\033"))
			return pm_errf(err, PM_ERR_USAGE,
				       "deployment %s: %s holds a control "
				       "character",
				       d->name, key);
	}
	hour = json_string_value(json_object_get(params, "hour_label"));
	if (hour && strcmp(hour, "begin") && strcmp(hour, "end"))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: hour_label is begin or end, not "
			       "'%s'",
			       d->name, hour);
	if (json_object_get(params, "sleep_s") &&
	    !number_in(json_string_value(json_object_get(params, "sleep_s")),
		       86400))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: sleep_s is a number of seconds",
			       d->name);
	return PM_OK;
}

/*
 * The OCI image reference grammar (distribution/reference):
 * [domain[:port]/]path[:tag][@algorithm:hex], path components in lower
 * case. Nothing that starts with '-' can match, so no image is read as
 * an option of the container engine.
 */
#define REF_COMPONENT "[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*"
#define REF_DOMAIN                                                            \
	"[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*"    \
	"[a-zA-Z0-9])?)*(:[0-9]+)?"
#define REF_RE                                                                \
	"^(" REF_DOMAIN "/)?" REF_COMPONENT "(/" REF_COMPONENT ")*"           \
	"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"                              \
	"(@[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,})?$"

int pm_image_ref_valid(const char *ref)
{
	regex_t re;
	int ok;

	if (!ref || !*ref || strlen(ref) > 4096)
		return 0;
	if (regcomp(&re, REF_RE, REG_EXTENDED | REG_NOSUB))
		PM_BUG("the image reference pattern does not compile");
	ok = !regexec(&re, ref, 0, NULL, 0);
	regfree(&re);
	/* the name part (before a tag or digest) is at most 255 bytes */
	return ok && strcspn(ref, "@") <= 255 + 129;
}

/* A printable name: no control bytes, no space at either end. */
static int clean_text(const char *s)
{
	size_t n = s ? strlen(s) : 0, i;

	if (!n || isspace((unsigned char)s[0]) ||
	    isspace((unsigned char)s[n - 1]))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
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
	if (strspn(slash + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			      "0123456789_.-") != strlen(slash + 1) ||
	    strlen(slash + 1) > 64 || !isalnum((unsigned char)slash[1])) {
		struct pm_buf shown = PM_BUF_INIT;

		pm_buf_add_printable(&shown, slash + 1, strlen(slash + 1), 80);
		pm_errf(err, PM_ERR_USAGE,
			"deployment name after the flow: letters, digits, '_', "
			"'.' and '-', starting with a letter or digit, at most "
			"64 (not '%s')",
			shown.buf);
		pm_buf_release(&shown);
		return PM_ERR_USAGE;
	}
	if (d->image && !pm_image_ref_valid(d->image))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: image '%.200s' is not an image "
			       "reference ([registry/]name[:tag][@digest], "
			       "names in lower case)",
			       d->name, d->image);
	if ((d->image && !clean_text(d->image)) ||
	    (d->work_pool && !clean_text(d->work_pool)) ||
	    (d->timezone && !clean_text(d->timezone)) ||
	    (d->cron && *d->cron && !clean_text(d->cron)))
		return pm_errf(err, PM_ERR_USAGE,
			       "deployment %s: a value holds a control "
			       "character or a space at an end",
			       d->name);
	if (!pm_flow_find(d->flow)) {
		struct pm_buf names = PM_BUF_INIT;

		pm_flow_names(&names);
		pm_errf(err, PM_ERR_USAGE,
			"deployment %s: unknown flow '%s' (flows: %s)", d->name,
			d->flow ? d->flow : "", names.buf);
		pm_buf_release(&names);
		return PM_ERR_USAGE;
	}
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
	ret = object ? check_params(d, j, err) : PM_OK;
	if (!ret && object)
		ret = check_task_options(d, j, err);
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
		} else if (!strcmp(key, "paused")) {
			const char *b = pm_yaml_scalar(v);

			if (b && (!strcmp(b, "true") || !strcmp(b, "false")))
				d->paused = !strcmp(b, "true");
			else
				ret = at(x, v, "paused is true or false");
		} else if (!strcmp(key, "concurrency_limit")) {
			const char *s = pm_yaml_scalar(v);
			char *end;

			errno = 0;
			d->concurrency_limit = s ? strtol(s, &end, 10) : -1;
			if (!s || !*s || *end || errno ||
			    d->concurrency_limit < 0 ||
			    d->concurrency_limit > 1000000)
				ret = at(x, v, "concurrency_limit is a whole "
					       "number up to 1000000, 0 for "
					       "none");
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
	enum pm_err ret;

	*out = NULL;
	*nr = 0;
	ret = pm_file_read(path, PM_MAX_CONTRACT, &text, err);
	if (!ret)
		ret = pm_deployments_parse(text.buf ? text.buf : "", text.len,
					   path, out, nr, err);
	pm_buf_release(&text);
	return ret;
}

enum pm_err pm_deployments_parse(const char *text, size_t len,
				 const char *path, struct pm_deployment **out,
				 size_t *nr, struct pm_buf *err)
{
	yaml_document_t doc;
	struct ctx x = { &doc, path, err };
	yaml_node_t *root, *list = NULL;
	enum pm_err ret;
	size_t i;

	*out = NULL;
	*nr = 0;
	ret = pm_yaml_load(text, len, path, PM_ERR_PARSE, &doc, err);
	if (ret)
		return ret;
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
	return ret;
}
