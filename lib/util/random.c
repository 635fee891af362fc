/*
 * Random hex from /dev/urandom (see pm25/random.h).
 */
#include "pm25/compat.h"
#include "pm25/buf.h"
#include "pm25/random.h"

enum pm_err pm_random_hex(size_t n, struct pm_buf *out, struct pm_buf *err)
{
	unsigned char raw[64];
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i, got = 0;

	if (n > sizeof(raw))
		n = sizeof(raw);
	if (f) {
		got = fread(raw, 1, n, f);
		fclose(f);
	}
	if (got != n)
		return pm_errf(err, PM_ERR_IO, "/dev/urandom: cannot read");
	for (i = 0; i < n; i++)
		pm_buf_addf(out, "%02x", raw[i]);
	return PM_OK;
}
