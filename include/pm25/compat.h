/*
 * First include of every .c file: feature macros, the standard headers the
 * whole tree relies on, and the banned-function list.
 */
#ifndef PM25_COMPAT_H
#define PM25_COMPAT_H

#define _GNU_SOURCE 1

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <time.h>
#include <ctype.h>

#define PM_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PM_NORETURN __attribute__((noreturn))
#define PM_UNUSED __attribute__((unused))
#else
#define PM_PRINTF(f, a)
#define PM_NORETURN
#define PM_UNUSED
#endif

/* Broken invariants: report file and line, then abort. */
#define PM_BUG(...) pm_bug_at(__FILE__, __LINE__, __VA_ARGS__)
PM_NORETURN PM_PRINTF(3, 4) void pm_bug_at(const char *file, int line,
					   const char *fmt, ...);

#include "banned.h"

#endif
