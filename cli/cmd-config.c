/*
 * pm25 config ls | get NAME: every setting, its effective value and
 * where the value came from (default, file, env); secrets masked.
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/config.h"
#include "cmd.h"
#include "parse-options.h"

static const char *type_name(enum pm_config_type t)
{
	static const char *const names[] = { "text", "int", "choice", "url" };

	return names[t];
}

static void put_str(struct pm_buf *b, const char *key, const char *v)
{
	pm_buf_addf(b, "\"%s\": ", key);
	if (v)
		pm_buf_add_json_str(b, v, strlen(v));
	else
		pm_buf_addstr(b, "null");
}

static void setting_json(struct pm_buf *b, enum pm_config_key k)
{
	const struct pm_config_row *r = pm_config_row(k);
	struct pm_buf v = PM_BUF_INIT;

	pm_config_shown(k, &v);
	pm_buf_addch(b, '{');
	put_str(b, "name", r->name);
	pm_buf_addstr(b, ", ");
	put_str(b, "value", v.len ? v.buf : NULL);
	pm_buf_addf(b, ", \"from\": \"%s\", ",
		    pm_config_origin_name(pm_config_origin(k)));
	put_str(b, "env", r->env);
	pm_buf_addf(b, ", \"type\": \"%s\", ", type_name(r->type));
	if (r->type == PM_CFG_INT)
		pm_buf_addf(b, "\"min\": %ld, \"max\": %ld, ", r->min, r->max);
	if (r->type == PM_CFG_CHOICE) {
		put_str(b, "choices", r->choices);
		pm_buf_addstr(b, ", ");
	}
	put_str(b, "default", r->dflt);
	pm_buf_addf(b, ", \"secret\": %s, \"in_file\": %s, \"test_hook\": %s, ",
		    r->flags & (PM_CFG_SECRET | PM_CFG_PASSWORD) ? "true" :
								   "false",
		    r->flags & PM_CFG_ENV_ONLY ? "false" : "true",
		    r->flags & PM_CFG_TEST ? "true" : "false");
	put_str(b, "help", r->help);
	pm_buf_addch(b, '}');
	pm_buf_release(&v);
}

static void list(int json, int all)
{
	struct pm_buf b = PM_BUF_INIT;
	int k, n = 0;

	if (json) {
		pm_buf_addch(&b, '{');
		put_str(&b, "file", pm_config_file());
		pm_buf_addstr(&b, ", \"settings\": [");
	}
	for (k = 0; k < PM_CFG_NKEYS; k++) {
		const struct pm_config_row *r = pm_config_row(k);
		struct pm_buf v = PM_BUF_INIT;

		if ((r->flags & PM_CFG_TEST) && !all)
			continue;
		if (json) {
			if (n++)
				pm_buf_addstr(&b, ", ");
			setting_json(&b, k);
			continue;
		}
		pm_config_shown(k, &v);
		pm_buf_addf(&b, "%-18s %-36s %-8s %s\n", r->name,
			    v.len ? v.buf : "-",
			    pm_config_origin_name(pm_config_origin(k)),
			    r->env ? r->env : "-");
		pm_buf_release(&v);
	}
	if (json)
		pm_buf_addstr(&b, "]}\n");
	fputs(b.buf, stdout);
	pm_buf_release(&b);
}

static int get(const char *name, int json)
{
	int k = pm_config_find(name);
	struct pm_buf b = PM_BUF_INIT;

	if (k < 0)
		return cmd_usage_error("config",
				       "'%s' is not a setting (pm25 "
				       "config ls lists them)",
				       name);
	if (json) {
		setting_json(&b, k);
		pm_buf_addch(&b, '\n');
	} else {
		pm_config_shown(k, &b);
		pm_buf_addch(&b, '\n');
	}
	fputs(b.buf, stdout);
	pm_buf_release(&b);
	/* an unset setting prints an empty line and exits 1, as git does */
	return pm_config_str(k) ? PM_EXIT_OK : PM_EXIT_ERROR;
}

static int config_exec(int argc, const char **argv)
{
	const char *const usage[] = { "pm25 config ls [--all] [--json]",
				      "pm25 config get NAME [--json]", NULL };
	int json = 0, all = 0, nr;
	struct option opts[] = {
		OPT_BOOL_(0, "json", &json, "print JSON"),
		OPT_BOOL_(0, "all", &all, "list the test hooks too"),
		OPT_END_(),
	};

	nr = parse_options(argc, argv, opts, usage);
	if (nr == 1 && !strcmp(argv[0], "ls")) {
		list(json, all);
		return PM_EXIT_OK;
	}
	if (nr == 2 && !strcmp(argv[0], "get"))
		return get(argv[1], json);
	return cmd_usage_error("config", "ls, or get NAME");
}

const struct cmd cmd_config = {
	.name = "config",
	.summary = "the settings in effect, and where each comes from",
	.exec = config_exec,
};
