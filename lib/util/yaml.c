/*
 * YAML helpers shared by the contract and deployment readers.
 */
#include "../compat.h"
#include "../yaml-util.h"
#include "pm25/buf.h"

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
