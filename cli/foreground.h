/*
 * A flow run in the foreground, for pm25 run and pm25 backfill.
 */
#ifndef PM25_CLI_FOREGROUND_H
#define PM25_CLI_FOREGROUND_H

#include "host.h"

struct opt_list;
struct pm_flow;
struct pm_flow_run;

/*
 * The --param k=v pairs of params into p and fr, then the flow's check:
 * the status of a usage error (printed as command name's), else 0.
 */
int foreground_params(const char *name, const struct pm_flow *f,
		      struct pm_flow_run *fr, struct host_params *p,
		      const struct opt_list *params);
/*
 * Run flow f for fr in the foreground as command name: record it (its
 * parameters p), run it, record its end, print its summary. The exit
 * status.
 */
int foreground(const char *name, const struct pm_flow *f,
	       struct pm_flow_run *fr, const struct host_params *p, int quiet);

#endif
