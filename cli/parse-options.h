/*
 * Declarative option tables for the CLI. Usage text is generated from the
 * table, so -h always matches what a command accepts.
 */
#ifndef PM25_PARSE_OPTIONS_H
#define PM25_PARSE_OPTIONS_H

#include <stddef.h>

enum opt_type {
	OPT_END = 0,
	OPT_BOOL,	 /* int *, set to 1 */
	OPT_COUNT,	 /* int *, incremented */
	OPT_STRING,	 /* const char **, borrows argv */
	OPT_STRING_LIST, /* struct opt_list *, borrows argv */
	OPT_INT,	 /* long * */
	OPT_DOUBLE,	 /* double * */
};

struct opt_list {
	const char **v; /* owned array of borrowed strings */
	size_t nr, alloc;
};

struct option {
	enum opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh; /* name of the argument in usage */
	const char *help;
};

#define OPT_BOOL_(s, l, v, h) { OPT_BOOL, (s), (l), (v), NULL, (h) }
#define OPT_COUNT_(s, l, v, h) { OPT_COUNT, (s), (l), (v), NULL, (h) }
#define OPT_STRING_(s, l, v, a, h) { OPT_STRING, (s), (l), (v), (a), (h) }
#define OPT_LIST_(s, l, v, a, h) { OPT_STRING_LIST, (s), (l), (v), (a), (h) }
#define OPT_INT_(s, l, v, a, h) { OPT_INT, (s), (l), (v), (a), (h) }
#define OPT_DOUBLE_(s, l, v, a, h) { OPT_DOUBLE, (s), (l), (v), (a), (h) }
#define OPT_END_() { OPT_END, 0, NULL, NULL, NULL, NULL }

/*
 * Parse argv[0..argc) (argv[0] is the command name). Options may come
 * anywhere; "--" ends them. Non-option arguments are moved to the front
 * of argv, and their count is returned. -h/--help prints the usage on
 * stdout and exits 0; a bad option prints the error and usage on stderr
 * and exits 2.
 */
int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *const *usage);
void usage_with_options(const char *const *usage, const struct option *opts,
			int to_stderr);
void opt_list_release(struct opt_list *l);

#endif
