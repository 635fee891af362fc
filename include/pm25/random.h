/*
 * Secrets made here: session cookies, a first start's API token.
 */
#ifndef PM25_RANDOM_H
#define PM25_RANDOM_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_buf;

/* n random bytes of /dev/urandom as 2n lowercase hex digits into out. */
enum pm_err pm_random_hex(size_t n, struct pm_buf *out, struct pm_buf *err);

#endif
