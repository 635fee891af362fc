/*
 * Loading data contracts from YAML with libyaml's document API, which
 * keeps the line and column of every node for error messages.
 */
#include "pm25/compat.h"
#include <regex.h>
#include "../limits.h"
#include "../yaml-util.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/contract.h"
#include "pm25/fsutil.h"
#include "pm25/timeutil.h"

void pm_contract_init(struct pm_contract *c)
{
	memset(c, 0, sizeof(*c));
	c->gate = 0.90;
	c->dedup_exact = 1;
	c->key_keep_last = 1;
	c->decimals = -1;
	c->max_gap = 0;
}

void pm_contract_release(struct pm_contract *c)
{
	size_t i;

	free(c->name);
	free(c->header);
	pm_missing_release(&c->missing);
	for (i = 0; i < c->nr_rules; i++)
		free(c->rules[i].name);
	free(c->rules);
	for (i = 0; i < PM_NCOLS; i++)
		free(c->units[i]);
	free(c->station_pattern);
	pm_contract_init(c);
}

static struct pm_rule *add_rule(struct pm_contract *c, const char *name,
				enum pm_rule_kind kind, int col)
{
	struct pm_rule *r;

	c->rules = pm_xrealloc(c->rules, (c->nr_rules + 1) * sizeof(*r));
	r = &c->rules[c->nr_rules++];
	memset(r, 0, sizeof(*r));
	r->name = pm_xstrdup(name);
	r->kind = kind;
	r->col = col;
	r->severity = PM_SEV_ERROR;
	return r;
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
	e = pm_yaml_vfail(x->err, PM_ERR_CONTRACT, x->origin, n, fmt, ap);
	va_end(ap);
	return e;
}

static enum pm_err get_str(struct ctx *x, yaml_node_t *n, const char **out)
{
	*out = pm_yaml_scalar(n);
	if (!*out)
		return at(x, n, "expected a string");
	return PM_OK;
}

static enum pm_err get_num(struct ctx *x, yaml_node_t *n, double *out)
{
	const char *s = pm_yaml_scalar(n);
	char *end;

	if (!s || !*s)
		return at(x, n, "expected a number");
	errno = 0;
	*out = strtod(s, &end);
	if (errno || *end || !isfinite(*out))
		return at(x, n, "expected a number, got '%s'", s);
	return PM_OK;
}

static enum pm_err get_bool(struct ctx *x, yaml_node_t *n, int *out)
{
	const char *s = pm_yaml_scalar(n);

	if (s && (!strcmp(s, "true") || !strcmp(s, "yes")))
		*out = 1;
	else if (s && (!strcmp(s, "false") || !strcmp(s, "no")))
		*out = 0;
	else
		return at(x, n, "expected true or false");
	return PM_OK;
}

/* "90", "90s", "15m", "3h", "2d" into seconds. */
static enum pm_err get_duration(struct ctx *x, yaml_node_t *n, int64_t *out)
{
	const char *s = pm_yaml_scalar(n);
	char *end;
	long long v;

	if (!s)
		return at(x, n, "expected a duration such as 3h");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		return at(x, n, "bad duration '%s'", s);
	if (!*end || !strcmp(end, "s"))
		*out = v;
	else if (!strcmp(end, "m"))
		*out = v * 60;
	else if (!strcmp(end, "h"))
		*out = v * 3600;
	else if (!strcmp(end, "d"))
		*out = v * 86400;
	else
		return at(x, n, "bad duration '%s' (use s, m, h or d)", s);
	return PM_OK;
}

static enum pm_err get_severity(struct ctx *x, yaml_node_t *n,
				enum pm_severity *out)
{
	const char *s = pm_yaml_scalar(n);

	if (s && !strcmp(s, "error"))
		*out = PM_SEV_ERROR;
	else if (s && !strcmp(s, "warn"))
		*out = PM_SEV_WARN;
	else
		return at(x, n, "severity must be error or warn");
	return PM_OK;
}

#define for_each_pair(x, map, k, v)                                           \
	for (yaml_node_pair_t *p_ = (map)->data.mapping.pairs.start;          \
	     p_ < (map)->data.mapping.pairs.top &&                            \
	     ((k) = yaml_document_get_node((x)->doc, p_->key),                \
	     (v) = yaml_document_get_node((x)->doc, p_->value), 1);           \
	     p_++)

#define for_each_item(x, seq, v)                                              \
	for (yaml_node_item_t *i_ = (seq)->data.sequence.items.start;         \
	     i_ < (seq)->data.sequence.items.top &&                           \
	     ((v) = yaml_document_get_node((x)->doc, *i_), 1);                \
	     i_++)

static enum pm_err need(struct ctx *x, yaml_node_t *n, yaml_node_type_t t,
			const char *what)
{
	if (!n || n->type != t)
		return at(x, n, "expected %s", what);
	return PM_OK;
}

/* Column name (canonical or alias) to its index, or an out-column. */
static int column_of(const char *name)
{
	if (!strcmp(name, "time_utc"))
		return PM_OUT_TIME;
	if (!strcmp(name, "station_id"))
		return PM_OUT_STATION;
	if (!strcmp(name, "flags"))
		return PM_OUT_FLAGS;
	if (!strcmp(name, "pm25_interpolated"))
		return PM_OUT_INTERPOLATED;
	return pm_col_lookup(name, strlen(name));
}

static enum pm_err col_list(struct ctx *x, yaml_node_t *seq, unsigned *mask)
{
	enum pm_err ret;
	yaml_node_t *v;

	if ((ret = need(x, seq, YAML_SEQUENCE_NODE, "a list of columns")))
		return ret;
	for_each_item(x, seq, v) {
		const char *s = pm_yaml_scalar(v);
		int c = s ? column_of(s) : -1;

		if (c < 0 || c >= PM_NMEASURES)
			return at(x, v, "not a measurement column: '%s'",
				  s ? s : "?");
		*mask |= 1u << c;
	}
	return PM_OK;
}

static enum pm_err parse_missing(struct ctx *x, struct pm_contract *c,
				 yaml_node_t *map)
{
	yaml_node_t *k, *v, *it;
	enum pm_err ret;

	if ((ret = need(x, map, YAML_MAPPING_NODE, "a mapping")))
		return ret;
	for_each_pair(x, map, k, v) {
		const char *key = pm_yaml_scalar(k);

		if (!key)
			return at(x, k, "expected a key");
		if (!strcmp(key, "markers")) {
			if ((ret = need(x, v, YAML_SEQUENCE_NODE, "a list")))
				return ret;
			for (size_t i = 0; i < c->missing.nr_strings; i++)
				free(c->missing.strings[i]);
			c->missing.nr_strings = 0;
			for_each_item(x, v, it) {
				const char *s;

				if ((ret = get_str(x, it, &s)))
					return ret;
				if (pm_missing_add_string(&c->missing, s))
					return at(x, it, "too many markers");
			}
		} else if (!strcmp(key, "values")) {
			if ((ret = need(x, v, YAML_SEQUENCE_NODE, "a list")))
				return ret;
			c->missing.nr_values = 0;
			for_each_item(x, v, it) {
				double d;

				if ((ret = get_num(x, it, &d)))
					return ret;
				if (c->missing.nr_values >= PM_MAX_MARKERS)
					return at(x, it, "too many values");
				c->missing.values[c->missing.nr_values++] = d;
			}
		} else if (!strcmp(key, "zero_is_missing")) {
			c->zero_missing = 0;
			if ((ret = col_list(x, v, &c->zero_missing)))
				return ret;
		} else {
			return at(x, k, "unknown key '%s' in missing", key);
		}
	}
	return PM_OK;
}

static enum pm_err parse_column(struct ctx *x, struct pm_contract *c,
				yaml_node_t *map)
{
	const char *name = NULL, *type = NULL, *rule = NULL, *unit = NULL,
		   *pattern = NULL;
	double min = NAN, max = NAN, omin = NAN, omax = NAN, rate = NAN;
	enum pm_severity sev = PM_SEV_ERROR;
	int required = 0, col;
	int64_t earliest = INT64_MIN, future = -1;
	yaml_node_t *k, *v, *name_node = map, *pattern_node = NULL,
			   *time_node = NULL;
	struct pm_buf rname = PM_BUF_INIT;
	enum pm_err ret;

	if ((ret = need(x, map, YAML_MAPPING_NODE, "a column mapping")))
		return ret;
	for_each_pair(x, map, k, v) {
		const char *key = pm_yaml_scalar(k);

		if (!key)
			return at(x, k, "expected a key");
		if (!strcmp(key, "name")) {
			name_node = v;
			ret = get_str(x, v, &name);
		} else if (!strcmp(key, "type")) {
			ret = get_str(x, v, &type);
		} else if (!strcmp(key, "unit")) {
			ret = get_str(x, v, &unit);
		} else if (!strcmp(key, "rule")) {
			ret = get_str(x, v, &rule);
		} else if (!strcmp(key, "required")) {
			ret = get_bool(x, v, &required);
		} else if (!strcmp(key, "min")) {
			ret = get_num(x, v, &min);
		} else if (!strcmp(key, "max")) {
			ret = get_num(x, v, &max);
		} else if (!strcmp(key, "outlier_min")) {
			ret = get_num(x, v, &omin);
		} else if (!strcmp(key, "outlier_max")) {
			ret = get_num(x, v, &omax);
		} else if (!strcmp(key, "max_missing")) {
			ret = get_num(x, v, &rate);
			if (!ret && (rate < 0 || rate > 1))
				ret = at(x, v, "max_missing must be in [0, 1]");
		} else if (!strcmp(key, "severity")) {
			ret = get_severity(x, v, &sev);
		} else if (!strcmp(key, "pattern")) {
			pattern_node = v;
			ret = get_str(x, v, &pattern);
		} else if (!strcmp(key, "earliest")) {
			const char *d;

			time_node = v;
			ret = get_str(x, v, &d);
			if (!ret && pm_date_parse(d, strlen(d), &earliest))
				ret = at(x, v, "earliest is a date: YYYY-MM-DD");
			earliest *= 86400;
		} else if (!strcmp(key, "max_future")) {
			time_node = v;
			ret = get_duration(x, v, &future);
		} else {
			ret = at(x, k, "unknown key '%s' in column", key);
		}
		if (ret)
			return ret;
	}
	if (!name)
		return at(x, map, "column without a name");
	col = column_of(name);
	if (col == PM_OUT_FLAGS || col == PM_OUT_INTERPOLATED || col == -1)
		return at(x, name_node, "unknown column '%s'", name);
	if (type && strcmp(type, col == PM_OUT_TIME	? "time" :
				 col == PM_OUT_STATION ? "string" :
							 "number"))
		return at(x, name_node, "column '%s' cannot have type '%s'",
			  name, type);
	if (unit && col >= 0) {
		free(c->units[col]);
		c->units[col] = pm_xstrdup(unit);
	}
	if (pattern) {
		regex_t re;
		int rc;

		if (col != PM_OUT_STATION)
			return at(x, pattern_node, "only station_id has a pattern");
		rc = regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char why[128];

			regerror(rc, &re, why, sizeof(why));
			return at(x, pattern_node, "bad pattern: %s", why);
		}
		regfree(&re);
		free(c->station_pattern);
		c->station_pattern = pm_xstrdup(pattern);
	}
	if (time_node) {
		struct pm_rule *r;

		if (col != PM_OUT_TIME)
			return at(x, time_node,
				  "only time_utc has earliest and max_future");
		pm_buf_setf(&rname, "%s_range", name);
		r = add_rule(c, rname.buf, PM_RULE_TIME_RANGE, -1);
		r->earliest = earliest;
		r->max_future = future;
		r->severity = PM_SEV_ERROR;
	}
	if (required) {
		if (!rule) {
			pm_buf_setf(&rname, "%s_required", name);
			rule = rname.buf;
		}
		add_rule(c, rule,
			 col == PM_OUT_TIME ?
				 PM_RULE_TIME :
				 col == PM_OUT_STATION ? PM_RULE_STATION :
							 PM_RULE_REQUIRED,
			 col)->severity = sev;
	}
	if ((!isnan(min) || !isnan(max)) && col >= 0) {
		struct pm_rule *r;

		pm_buf_setf(&rname, "%s_range", name);
		r = add_rule(c, rname.buf, PM_RULE_RANGE, col);
		r->min = isnan(min) ? -INFINITY : min;
		r->max = isnan(max) ? INFINITY : max;
		r->severity = sev;
		if (r->min > r->max) {
			pm_buf_release(&rname);
			return at(x, map, "column '%s': min above max", name);
		}
	}
	if ((!isnan(omin) || !isnan(omax)) && col >= 0) {
		struct pm_rule *r;

		pm_buf_setf(&rname, "%s_outlier", name);
		r = add_rule(c, rname.buf, PM_RULE_RANGE, col);
		r->min = isnan(omin) ? -INFINITY : omin;
		r->max = isnan(omax) ? INFINITY : omax;
		r->severity = PM_SEV_WARN;
	}
	if (!isnan(rate) && col >= 0) {
		pm_buf_setf(&rname, "%s_missing", name);
		add_rule(c, rname.buf, PM_RULE_MISSING, col)->max_rate = rate;
		c->rules[c->nr_rules - 1].severity = PM_SEV_WARN;
	}
	pm_buf_release(&rname);
	return PM_OK;
}

static enum pm_err parse_batch_rule(struct ctx *x, struct pm_contract *c,
				    yaml_node_t *map, const char *name,
				    enum pm_rule_kind kind)
{
	struct pm_rule r = { 0 };
	yaml_node_t *k, *v;
	enum pm_err ret;

	if ((ret = need(x, map, YAML_MAPPING_NODE, "a mapping")))
		return ret;
	r.severity = PM_SEV_WARN;
	for_each_pair(x, map, k, v) {
		const char *key = pm_yaml_scalar(k);

		if (key && !strcmp(key, "severity"))
			ret = get_severity(x, v, &r.severity);
		else if (key && !strcmp(key, "max_age") &&
			 kind == PM_RULE_FRESHNESS)
			ret = get_duration(x, v, &r.max_age);
		else
			ret = at(x, k, "unknown key '%s' in %s",
				 key ? key : "?", name);
		if (ret)
			return ret;
	}
	if (kind == PM_RULE_FRESHNESS && !r.max_age)
		return at(x, map, "freshness needs max_age");
	{
		struct pm_rule *nr = add_rule(c, name, kind, -1);

		nr->severity = r.severity;
		nr->max_age = r.max_age;
	}
	return PM_OK;
}

/* interpolate: columns and max_gap. */
static enum pm_err parse_interpolate(struct ctx *x, struct pm_contract *c,
			       yaml_node_t *v)
{
	yaml_node_t *kk, *vv;
	enum pm_err ret = PM_OK;
	const char *s;

	if ((ret = need(x, v, YAML_MAPPING_NODE, "a mapping")))
		return ret;
	for_each_pair(x, v, kk, vv) {
		s = pm_yaml_scalar(kk);
		if (s && !strcmp(s, "columns")) {
			c->interp_cols = 0;
			ret = col_list(x, vv, &c->interp_cols);
		} else if (s && !strcmp(s, "max_gap")) {
			double d;

			ret = get_num(x, vv, &d);
			if (!ret && (d < 0 || d > PM_MAX_GAP ||
				     d != floor(d)))
				ret = at(x, vv,
					 "max_gap must be a "
					 "whole number of "
					 "hours, 0 to %d",
					 PM_MAX_GAP);
			c->max_gap = (int)d;
		} else {
			ret = at(x, kk,
				 "unknown key in interpolate");
		}
		if (ret)
			return ret;
	}
	return ret;
}

/* output: decimals and columns. */
static enum pm_err parse_output(struct ctx *x, struct pm_contract *c,
			       yaml_node_t *v)
{
	yaml_node_t *kk, *vv, *it;
	enum pm_err ret = PM_OK;
	const char *s;

	if ((ret = need(x, v, YAML_MAPPING_NODE, "a mapping")))
		return ret;
	for_each_pair(x, v, kk, vv) {
		s = pm_yaml_scalar(kk);
		if (s && !strcmp(s, "decimals")) {
			double d;

			ret = get_num(x, vv, &d);
			if (!ret && (d < 0 || d > 17))
				ret = at(x, vv,
					 "decimals must be 0 "
					 "to 17");
			c->decimals = (int)d;
		} else if (s && !strcmp(s, "columns")) {
			if ((ret = need(x, vv,
					YAML_SEQUENCE_NODE,
					"a list")))
				return ret;
			c->nr_out_cols = 0;
			for_each_item(x, vv, it) {
				const char *cn = pm_yaml_scalar(it);
				int col = cn ? column_of(cn) : -1;

				if (col == -1)
					return at(x, it,
						  "unknown "
						  "output "
						  "column");
				if (c->nr_out_cols >=
				    PM_MAX_OUT_COLS)
					return at(x, it,
						  "too many "
						  "columns");
				c->out_cols[c->nr_out_cols++] =
					col;
			}
		} else {
			ret = at(x, kk,
				 "unknown key in output");
		}
		if (ret)
			return ret;
	}
	return ret;
}

static enum pm_err parse_top(struct ctx *x, struct pm_contract *c,
			     yaml_node_t *root)
{
	yaml_node_t *k, *v, *kk, *vv, *it;
	enum pm_err ret = PM_OK;

	if ((ret = need(x, root, YAML_MAPPING_NODE, "a mapping at the top")))
		return ret;
	for_each_pair(x, root, k, v) {
		const char *key = pm_yaml_scalar(k), *s;

		if (!key)
			return at(x, k, "expected a key");
		if (!strcmp(key, "name")) {
			if (!(ret = get_str(x, v, &s))) {
				free(c->name);
				c->name = pm_xstrdup(s);
			}
		} else if (!strcmp(key, "version")) {
			double d;

			ret = get_num(x, v, &d);
		} else if (!strcmp(key, "gate")) {
			ret = get_num(x, v, &c->gate);
			if (!ret && (c->gate < 0 || c->gate > 1))
				ret = at(x, v, "gate must be in [0, 1]");
		} else if (!strcmp(key, "key")) {
			/* the key is fixed: (station_id, time_utc) */
			int n = 0;

			if ((ret = need(x, v, YAML_SEQUENCE_NODE, "a list")))
				return ret;
			for_each_item(x, v, it) {
				s = pm_yaml_scalar(it);
				if (!s || (strcmp(s, "station_id") &&
					   strcmp(s, "time_utc")))
					return at(x, it,
						  "key columns must be "
						  "station_id and time_utc");
				n++;
			}
			if (n != 2)
				return at(x, v, "key must list station_id "
						"and time_utc");
		} else if (!strcmp(key, "missing")) {
			ret = parse_missing(x, c, v);
		} else if (!strcmp(key, "time")) {
			if ((ret = need(x, v, YAML_MAPPING_NODE, "a mapping")))
				return ret;
			for_each_pair(x, v, kk, vv) {
				s = pm_yaml_scalar(kk);
				if (s && !strcmp(s, "strict"))
					ret = get_bool(x, vv, &c->strict_time);
				else
					ret = at(x, kk, "unknown key in time");
				if (ret)
					return ret;
			}
		} else if (!strcmp(key, "input")) {
			if ((ret = need(x, v, YAML_MAPPING_NODE, "a mapping")))
				return ret;
			for_each_pair(x, v, kk, vv) {
				s = pm_yaml_scalar(kk);
				if (!s || strcmp(s, "header"))
					return at(x, kk, "unknown key in input");
				if ((ret = get_str(x, vv, &s)))
					return ret;
				free(c->header);
				c->header = pm_xstrdup(s);
			}
		} else if (!strcmp(key, "duplicates")) {
			if ((ret = need(x, v, YAML_MAPPING_NODE, "a mapping")))
				return ret;
			for_each_pair(x, v, kk, vv) {
				const char *val = pm_yaml_scalar(vv);

				s = pm_yaml_scalar(kk);
				if (s && !strcmp(s, "exact") && val &&
				    (!strcmp(val, "drop") ||
				     !strcmp(val, "keep")))
					c->dedup_exact = !strcmp(val, "drop");
				else if (s && !strcmp(s, "key") && val &&
					 (!strcmp(val, "keep_last") ||
					  !strcmp(val, "keep_first")))
					c->key_keep_last =
						!strcmp(val, "keep_last");
				else
					return at(x, kk,
						  "duplicates: exact is drop "
						  "or keep, key is keep_last "
						  "or keep_first");
			}
		} else if (!strcmp(key, "grid")) {
			if ((ret = need(x, v, YAML_MAPPING_NODE, "a mapping")))
				return ret;
			for_each_pair(x, v, kk, vv) {
				int64_t secs;

				s = pm_yaml_scalar(kk);
				if (!s || strcmp(s, "max_hole"))
					return at(x, kk, "unknown key in grid "
							 "(max_hole)");
				if ((ret = get_duration(x, vv, &secs)))
					return ret;
				if (secs < 3600 || secs > 3650LL * 86400)
					return at(x, vv, "max_hole is from 1h "
							 "to 3650d");
				c->max_hole = (int)(secs / 3600);
			}
		} else if (!strcmp(key, "interpolate")) {
			ret = parse_interpolate(x, c, v);
		} else if (!strcmp(key, "output")) {
			ret = parse_output(x, c, v);
		} else if (!strcmp(key, "columns")) {
			if ((ret = need(x, v, YAML_SEQUENCE_NODE,
					"a list of columns")))
				return ret;
			for_each_item(x, v, it)
				if ((ret = parse_column(x, c, it)))
					return ret;
		} else if (!strcmp(key, "unique")) {
			ret = parse_batch_rule(x, c, v, "unique_key",
					       PM_RULE_UNIQUE);
		} else if (!strcmp(key, "freshness")) {
			ret = parse_batch_rule(x, c, v, "freshness",
					       PM_RULE_FRESHNESS);
		} else {
			ret = at(x, k, "unknown key '%s'", key);
		}
		if (ret)
			return ret;
	}
	return PM_OK;
}

static void default_output(struct pm_contract *c)
{
	int col;

	c->nr_out_cols = 0;
	c->out_cols[c->nr_out_cols++] = PM_OUT_STATION;
	c->out_cols[c->nr_out_cols++] = PM_OUT_TIME;
	for (col = 0; col < PM_NMEASURES; col++)
		c->out_cols[c->nr_out_cols++] = col;
	c->out_cols[c->nr_out_cols++] = PM_OUT_FLAGS;
}

enum pm_err pm_contract_parse(struct pm_contract *c, const char *text,
			      size_t len, const char *origin,
			      struct pm_buf *err)
{
	yaml_document_t doc;
	struct ctx x = { &doc, origin, err };
	enum pm_err ret = PM_OK;
	yaml_node_t *root;

	pm_contract_release(c);
	pm_missing_default(&c->missing);
	c->zero_missing = (1u << PM_COL_WS) | (1u << PM_COL_TEMP) |
			  (1u << PM_COL_RH);
	default_output(c);
	ret = pm_yaml_load(text, len, origin, PM_ERR_CONTRACT, &doc, err);
	if (ret)
		return ret;
	root = yaml_document_get_root_node(&doc);
	if (!root)
		ret = pm_errf(err, PM_ERR_CONTRACT, "%s:1:1: empty contract",
			      origin);
	else
		ret = parse_top(&x, c, root);
	if (!ret && !c->nr_rules)
		ret = pm_errf(err, PM_ERR_CONTRACT,
			      "%s:1:1: the contract has no rules (no columns)",
			      origin);
	yaml_document_delete(&doc);
	if (!c->name)
		c->name = pm_xstrdup(origin);
	return ret;
}

enum pm_err pm_contract_load(struct pm_contract *c, const char *path,
			     struct pm_buf *err)
{
	struct pm_buf text = PM_BUF_INIT;
	enum pm_err ret;

	ret = pm_file_read(path, PM_MAX_CONTRACT, &text, err);
	if (!ret)
		ret = pm_contract_parse(c, text.buf, text.len, path, err);
	pm_buf_release(&text);
	return ret;
}

/* The built-in contract; contracts/pm25.yaml is a copy of this text. */
static const char default_yaml[] =
	"name: pm25\n"
	"gate: 0.90\n"
	"key: [station_id, time_utc]\n"
	"missing:\n"
	"  markers: [\"\", \"-\", \"-1\", \"-999\", \"N/A\", \"null\"]\n"
	"  values: [-1, -999]\n"
	"  zero_is_missing: [ws, temp, rh]\n"
	"duplicates: {exact: drop, key: keep_last}\n"
	"interpolate: {columns: [pm25], max_gap: 3}\n"
	"grid: {max_hole: 1d}\n"
	"unique: {severity: warn}\n"
	"freshness: {max_age: 2d, severity: warn}\n"
	"columns:\n"
	"  - {name: time_utc, type: time, required: true, rule: timestamp,\n"
	"     earliest: 1990-01-01, max_future: 1d}\n"
	"  - {name: station_id, type: string, required: true, rule: station_id,\n"
	"     pattern: \"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$\"}\n"
	"  - {name: pm25, unit: ug/m3, min: 0, max: 1000, outlier_max: 500, max_missing: 0.5}\n"
	"  - {name: pm10, unit: ug/m3, min: 0, max: 1000, outlier_max: 600}\n"
	"  - {name: o3, unit: ppb, min: 0, max: 2000}\n"
	"  - {name: co, unit: ppm, min: 0, max: 100}\n"
	"  - {name: no2, unit: ppb, min: 0, max: 2000}\n"
	"  - {name: so2, unit: ppb, min: 0, max: 2000}\n"
	"  - {name: ws, unit: m/s, min: 0, max: 80}\n"
	"  - {name: wd, unit: deg, min: 0, max: 360}\n"
	"  - {name: temp, unit: degC, min: -10, max: 60}\n"
	"  - {name: rh, unit: \"%\", min: 0, max: 100}\n";

void pm_contract_default(struct pm_contract *c)
{
	if (pm_contract_parse(c, default_yaml, sizeof(default_yaml) - 1,
			      "built-in contract", NULL))
		PM_BUG("the built-in contract does not parse");
}
