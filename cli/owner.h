/*
 * The owner of a run in the foreground (pm25 run, pm25 backfill): a
 * thread that holds the run's lease the way a worker does, so that a
 * run whose process dies is found and Crashed (pm_state_sweep()). It
 * also ends the run when asked: SIGTERM, SIGINT or SIGHUP, or pm25
 * flow-run cancel, record Cancelled with the reason, remove the run's
 * scratch folder and exit (130 for SIGINT, 143 for SIGTERM, 129 for
 * SIGHUP, 1 for a cancel); a lease lost to a sweep stops the process.
 */
#ifndef PM25_CLI_OWNER_H
#define PM25_CLI_OWNER_H

#include <stdint.h>

struct pm_state;

/* The lease of a foreground run and how often it is renewed. */
#define OWNER_LEASE_MS 30000
#define OWNER_BEAT_MS 2000

/*
 * Hold back SIGTERM, SIGINT and SIGHUP in this thread and every thread
 * started after it, so that only the owner's thread takes them. Call
 * first, before any thread starts.
 */
void owner_block_signals(void);

/*
 * Own run id (borrowed until owner_stop()), created with owner as its
 * holder (pm_state_owner_self()). scratch (borrowed) is the run's
 * scratch folder, removed when the run is ended here.
 */
void owner_start(const char *id, const char *owner, const char *scratch);

/*
 * Between tasks: if someone asked to cancel the run (st is the main
 * thread's connection), end it now, as the owner thread would.
 */
void owner_checkpoint(struct pm_state *st);

/*
 * Stop owning: from now on the thread ends nothing; the caller records
 * the outcome. Safe to call when owner_start() was not.
 */
void owner_stop(void);

/*
 * Record the outcome s (with reason) of run id, retrying for up to
 * PM25_STATE_WAIT_S seconds (60) while the state database does not
 * answer. 0 when recorded, or when the run had ended already (said on
 * stderr); else the error is said on stderr and PM_EXIT_UNAVAILABLE
 * returned.
 */
int owner_record_end(struct pm_state *st, const char *cmd, const char *id,
		     int s, const char *reason);

#endif
