/*
 * What a run did, read back from its log (lib/orch/run-facts.c): each
 * task with its state and when it ran, the data branch and commit it
 * wrote, and the model it produced. The log's task events are the only
 * source: the state database keeps no other copy. Strings are owned by
 * the facts; release them with pm_run_facts_release().
 */
#ifndef PM25_RUN_FACTS_H
#define PM25_RUN_FACTS_H

#include <stddef.h>
#include <stdint.h>

struct pm_buf;
struct pm_log_line;

struct pm_run_task {
	char *name, *state;
	int64_t start_ms, end_ms;
};

struct pm_run_facts {
	struct pm_run_task *tasks; /* in the order they ended */
	size_t ntasks;
	char *branch; /* the etl- or train- branch, or NULL */
	char *commit; /* the data commit on main it made, or NULL */
	char *model;  /* the model artefact it wrote, or NULL */
	int model_promoted;
};

void pm_run_facts_read(const struct pm_log_line *v, size_t n,
		       struct pm_run_facts *f);
void pm_run_facts_release(struct pm_run_facts *f);
/* ", \"tasks\": [...], \"data\": {...}": fields to append to a run's object. */
void pm_run_facts_json(struct pm_buf *b, const struct pm_run_facts *f);

#endif
