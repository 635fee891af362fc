/*
 * Many blobs written as one git pack (lib/store/pack.c), for the local
 * store's large commits. Internal to lib/store/.
 */
#ifndef PM25_STORE_PACK_H
#define PM25_STORE_PACK_H

#include <stddef.h>

struct pm_buf;

struct pm_pack_blob {
	const void *data; /* borrowed */
	size_t len;
	unsigned char id[20]; /* set: the blob's SHA-1 object id */
};

/*
 * Write the n blobs (each id set on return) as a pack under
 * objects_dir/pack/, whole or not at all; 0, or -1 with err set.
 * libgit2 sees the pack once its odb is refreshed.
 */
int pm_pack_write_blobs(const char *objects_dir, struct pm_pack_blob *b,
			size_t n, struct pm_buf *err);

#endif
