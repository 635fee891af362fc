/*
 * A small getopt replacement driven by struct option tables.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "parse-options.h"

void usage_with_options(const char *const *usage, const struct option *opts,
			int to_stderr)
{
	FILE *fp = to_stderr ? stderr : stdout;
	const struct option *o;
	size_t i;

	for (i = 0; usage[i]; i++)
		fprintf(fp, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
	fputc('\n', fp);
	for (o = opts; o->type != OPT_END; o++) {
		char left[64];
		int n = 0;

		if (o->short_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n,
				      "-%c%s", o->short_name,
				      o->long_name ? ", " : "");
		if (o->long_name)
			n += snprintf(left + n, sizeof(left) - (size_t)n,
				      "--%s", o->long_name);
		if (o->argh)
			snprintf(left + n, sizeof(left) - (size_t)n, " <%s>",
				 o->argh);
		fprintf(fp, "    %-26s %s\n", left, o->help);
	}
	fprintf(fp, "    %-26s %s\n", "-h, --help", "show this help");
}

void opt_list_release(struct opt_list *l)
{
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

static int take(const struct option *o, const char *arg, const char *cmd)
{
	char *end;

	switch (o->type) {
	case OPT_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPT_STRING_LIST: {
		struct opt_list *l = o->value;

		PM_ALLOC_GROW(l->v, l->nr + 1, l->alloc);
		l->v[l->nr++] = arg;
		return 0;
	}
	case OPT_INT:
		errno = 0;
		*(long *)o->value = strtol(arg, &end, 10);
		if (errno || *end || end == arg)
			break;
		return 0;
	case OPT_DOUBLE:
		errno = 0;
		*(double *)o->value = strtod(arg, &end);
		if (errno || *end || end == arg)
			break;
		return 0;
	default:
		PM_BUG("option without argument");
	}
	fprintf(stderr, "pm25 %s: --%s: not a number: '%s'\n", cmd,
		o->long_name, arg);
	return -1;
}

static void set_flag(const struct option *o)
{
	if (o->type == OPT_BOOL)
		*(int *)o->value = 1;
	else
		(*(int *)o->value)++;
}

static PM_NORETURN void bad(const char *cmd, const char *what,
			    const char *const *usage,
			    const struct option *opts)
{
	fprintf(stderr, "pm25 %s: %s\n", cmd, what);
	usage_with_options(usage, opts, 1);
	exit(2);
}

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage)
{
	const char *cmd = argv[0];
	int i, nr = 0, done = 0;
	char msg[256];

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct option *o;

		if (done || a[0] != '-' || !a[1]) {
			argv[nr++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			done = 1;
			continue;
		}
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage_with_options(usage, opts, 0);
			exit(0);
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			for (o = opts; o->type != OPT_END; o++)
				if (o->long_name &&
				    strlen(o->long_name) == len &&
				    !memcmp(o->long_name, name, len))
					break;
			if (o->type == OPT_END) {
				snprintf(msg, sizeof(msg),
					 "unknown option '%s'", a);
				bad(cmd, msg, usage, opts);
			}
			if (o->type == OPT_BOOL || o->type == OPT_COUNT) {
				if (eq) {
					snprintf(msg, sizeof(msg),
						 "--%s takes no value",
						 o->long_name);
					bad(cmd, msg, usage, opts);
				}
				set_flag(o);
				continue;
			}
			if (!eq && i + 1 >= argc) {
				snprintf(msg, sizeof(msg),
					 "--%s needs a value", o->long_name);
				bad(cmd, msg, usage, opts);
			}
			if (take(o, eq ? eq + 1 : argv[++i], cmd))
				exit(2);
			continue;
		}
		for (a++; *a; a++) {
			for (o = opts; o->type != OPT_END; o++)
				if (o->short_name == *a)
					break;
			if (o->type == OPT_END) {
				snprintf(msg, sizeof(msg),
					 "unknown switch '%c'", *a);
				bad(cmd, msg, usage, opts);
			}
			if (o->type == OPT_BOOL || o->type == OPT_COUNT) {
				set_flag(o);
				continue;
			}
			if (a[1]) {
				if (take(o, a + 1, cmd))
					exit(2);
			} else if (i + 1 < argc) {
				if (take(o, argv[++i], cmd))
					exit(2);
			} else {
				snprintf(msg, sizeof(msg),
					 "-%c needs a value", *a);
				bad(cmd, msg, usage, opts);
			}
			break;
		}
	}
	argv[nr] = NULL;
	return nr;
}
