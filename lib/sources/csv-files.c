/*
 * The csv source: local CSV files of every layout pm_csv_to_table()
 * knows. It has no live API.
 */
#include "pm25/compat.h"
#include "pm25/csvsrc.h"
#include "pm25/source.h"
#include "source-int.h"

static enum pm_err parse(const char *body, size_t len, const char *origin,
			 const struct pm_source_req *req, struct pm_table *t,
			 struct pm_buf *err)
{
	struct pm_csv_opts o = { 0 };

	o.missing = pm_source_missing(req);
	o.zero_missing = req->zero_missing;
	o.station = req->station;
	return pm_csv_to_table(body, len, origin, &o, t, err);
}

const struct pm_source pm_source_csv = {
	.name = "csv",
	.help = "CSV files: Air4Thai exports, AirBKK long files, web reports, "
		"pm25 tables",
	.parse = parse,
};
