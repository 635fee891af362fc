/*
 * Runs of a docker pool: each is `ENGINE run IMAGE flow-run execute ID`
 * (podman or docker) in a container named pm25-run-ID-ATTEMPT, on the host's
 * network, with the home mounted at the same path and the settings of
 * the environment (PM25_*, PG*, LAKEFS_*, AWS_*, WAQI_TOKEN,
 * OPENAQ_API_KEY) passed by name, so that no secret is on a command line.
 * PM25_CONTAINER_PULL (missing, always or never) says when to pull.
 */
#ifndef PM25_CLI_CONTAINER_H
#define PM25_CLI_CONTAINER_H

struct pm_strv;

/* PM25_CONTAINER_ENGINE, else podman or docker on PATH; NULL if none. */
const char *container_engine(void);
/* The command that runs run id of image for worker into argv. */
void container_argv(struct pm_strv *argv, const char *engine,
		    const char *image, const char *id, long attempt,
		    const char *worker, const char *home);
/*
 * The runs of the engine's containers named pm25-run-ID-N: their ids go
 * to ids and their attempts to attempts[] (owned by the caller, to be
 * freed). 0, or -1 if the engine cannot be asked.
 */
int container_runs(const char *engine, struct pm_strv *ids, long **attempts);
/* Stop and remove the container of run id's attempt, if it is there. */
void container_remove(const char *engine, const char *id, long attempt);

#endif
