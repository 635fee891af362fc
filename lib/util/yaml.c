/*
 * YAML helpers shared by the contract and deployment readers.
 */
#include "pm25/compat.h"
#include "../limits.h"
#include "../yaml-util.h"
#include "pm25/buf.h"
#include "pm25/strmap.h"

enum pm_err pm_yaml_vfail(struct pm_buf *err, enum pm_err code,
			  const char *origin, const yaml_node_t *n,
			  const char *fmt, va_list ap)
{
	if (!err)
		return code;
	pm_buf_reset(err);
	pm_buf_addf(err, "%s:%zu:%zu: ", origin,
		    n ? n->start_mark.line + 1 : 1,
		    n ? n->start_mark.column + 1 : 1);
	pm_buf_vaddf(err, fmt, ap);
	return code;
}

const char *pm_yaml_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
		       (const char *)n->data.scalar.value :
		       NULL;
}

static enum pm_err fail_at(struct pm_buf *err, enum pm_err code,
			   const char *origin, yaml_mark_t m, const char *fmt,
			   ...) PM_PRINTF(5, 6);

static enum pm_err fail_at(struct pm_buf *err, enum pm_err code,
			   const char *origin, yaml_mark_t m, const char *fmt,
			   ...)
{
	va_list ap;

	if (!err)
		return code;
	pm_buf_reset(err);
	pm_buf_addf(err, "%s:%zu:%zu: ", origin, m.line + 1, m.column + 1);
	va_start(ap, fmt);
	pm_buf_vaddf(err, fmt, ap);
	va_end(ap);
	return code;
}

static enum pm_err parser_fail(yaml_parser_t *p, struct pm_buf *err,
			       enum pm_err code, const char *origin)
{
	return fail_at(err, code, origin, p->problem_mark, "%s%s%s",
		       p->problem ? p->problem : "bad YAML",
		       p->context ? " " : "", p->context ? p->context : "");
}

/* One open mapping of the scan: its keys so far, and whether a key is due. */
struct level {
	int mapping;
	int want_key;
	struct pm_strmap keys;
};

/*
 * The checks of pm_yaml_load(), over events only: each event costs the
 * same whatever came before, so a hostile file is refused quickly.
 */
static enum pm_err scan(const char *text, size_t len, const char *origin,
			enum pm_err code, struct pm_buf *err)
{
	struct level stack[PM_YAML_MAX_DEPTH + 1];
	yaml_parser_t p;
	yaml_event_t ev;
	enum pm_err ret = PM_OK;
	size_t events = 0, docs = 0;
	int depth = 0, done = 0, i;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (!ret && !done) {
		struct level *top = depth ? &stack[depth - 1] : NULL;
		int is_key = top && top->mapping && top->want_key;

		if (!yaml_parser_parse(&p, &ev)) {
			ret = parser_fail(&p, err, code, origin);
			break;
		}
		if (++events > PM_YAML_MAX_EVENTS)
			ret = fail_at(err, code, origin, ev.start_mark,
				      "more than %d YAML events",
				      PM_YAML_MAX_EVENTS);
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1)
				ret = fail_at(err, code, origin, ev.start_mark,
					      "a second YAML document: a file "
					      "holds one");
			break;
		case YAML_ALIAS_EVENT:
			ret = fail_at(err, code, origin, ev.start_mark,
				      "aliases (*%s) are not supported",
				      (const char *)ev.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
			if (strlen((const char *)ev.data.scalar.value) !=
			    ev.data.scalar.length)
				ret = fail_at(err, code, origin, ev.start_mark,
					      "a NUL byte in a value");
			else if (ev.data.scalar.anchor)
				ret = fail_at(err, code, origin, ev.start_mark,
					      "anchors (&%s) are not supported",
					      (const char *)ev.data.scalar.anchor);
			else if (is_key) {
				size_t before = top->keys.nr;

				pm_strmap_intern(&top->keys,
						 (const char *)ev.data.scalar.value,
						 ev.data.scalar.length);
				if (top->keys.nr == before)
					ret = fail_at(err, code, origin,
						      ev.start_mark,
						      "duplicate key '%s'",
						      (const char *)ev.data
							      .scalar.value);
			}
			if (top && top->mapping)
				top->want_key = !top->want_key;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if ((ev.type == YAML_SEQUENCE_START_EVENT ?
				     ev.data.sequence_start.anchor :
				     ev.data.mapping_start.anchor)) {
				ret = fail_at(err, code, origin, ev.start_mark,
					      "anchors are not supported");
				break;
			}
			if (depth == PM_YAML_MAX_DEPTH) {
				ret = fail_at(err, code, origin, ev.start_mark,
					      "nested deeper than %d levels",
					      PM_YAML_MAX_DEPTH);
				break;
			}
			if (top && top->mapping)
				top->want_key = !top->want_key;
			stack[depth].mapping = ev.type == YAML_MAPPING_START_EVENT;
			stack[depth].want_key = 1;
			pm_strmap_init(&stack[depth].keys);
			depth++;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (depth)
				pm_strmap_release(&stack[--depth].keys);
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	for (i = 0; i < depth; i++)
		pm_strmap_release(&stack[i].keys);
	yaml_parser_delete(&p);
	return ret;
}

enum pm_err pm_yaml_load(const char *text, size_t len, const char *origin,
			 enum pm_err code, yaml_document_t *doc,
			 struct pm_buf *err)
{
	yaml_parser_t p;
	enum pm_err ret;

	memset(doc, 0, sizeof(*doc));
	ret = scan(text, len, origin, code, err);
	if (ret)
		return ret;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, doc)) {
		ret = parser_fail(&p, err, code, origin);
		memset(doc, 0, sizeof(*doc));
	}
	yaml_parser_delete(&p);
	return ret;
}
