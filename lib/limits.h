/*
 * Hard limits of pm25, in one place. Each is a guard against hostile or
 * broken input, not a tuning knob.
 */
#ifndef PM25_LIMITS_H
#define PM25_LIMITS_H

/* Largest HTTP body or input file read into memory (bytes). */
#define PM_MAX_BODY (512u * 1024 * 1024)
/* Largest contract file (bytes). */
#define PM_MAX_CONTRACT (1u * 1024 * 1024)
/* Most fields in one CSV record. */
#define PM_MAX_FIELDS 256
/* Most distinct stations in one run. */
#define PM_MAX_STATIONS 65535
/* Most input files in one run. */
#define PM_MAX_FILES 65535
/* Sample rows kept per validation rule. */
#define PM_MAX_SAMPLES 5
/* Longest gap, in hours, that a contract may ask to interpolate. */
#define PM_MAX_GAP 48
/* Deepest nesting of lists and mappings in a YAML file. */
#define PM_YAML_MAX_DEPTH 32
/* Most YAML events (scalars, starts and ends) in one file. */
#define PM_YAML_MAX_EVENTS 200000
/* Most HTTP attempts for one request. */
#define PM_MAX_TRIES 10

#endif
