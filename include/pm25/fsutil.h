/*
 * File helpers: whole-file reads with a size cap, atomic replacement
 * (temporary file + rename) and directory listing.
 */
#ifndef PM25_FSUTIL_H
#define PM25_FSUTIL_H

#include <stddef.h>
#include "pm25/err.h"

struct pm_buf;

/* Read all of path into out (appending). Fails past max bytes. */
enum pm_err pm_file_read(const char *path, size_t max, struct pm_buf *out,
			 struct pm_buf *err);

/*
 * An output file that appears under its final name only on commit.
 * Until then it is "<path>.tmp-<pid>-<n>", removed by abort.
 */
struct pm_atomic {
	FILE *fp;
	char *path;
	char *tmp;
};
#define PM_ATOMIC_INIT { NULL, NULL, NULL }

enum pm_err pm_atomic_open(struct pm_atomic *a, const char *path,
			   struct pm_buf *err);
/* Flush, fsync-free close and rename into place; releases a. */
enum pm_err pm_atomic_commit(struct pm_atomic *a, struct pm_buf *err);
/* Remove the temporary file (if any) and release a. Safe to call twice. */
void pm_atomic_abort(struct pm_atomic *a);

/* Write data to path atomically. */
enum pm_err pm_file_write_atomic(const char *path, const void *data,
				 size_t len, struct pm_buf *err);

/* mkdir -p. */
enum pm_err pm_mkdir_p(const char *path, struct pm_buf *err);

/* Remove a directory tree (best effort). */
void pm_remove_tree(const char *path);

/*
 * The error of a failed file operation on path, from errno: a full disk
 * (ENOSPC, EDQUOT) says so, naming the folder; else "path: reason".
 * Returns PM_ERR_IO.
 */
enum pm_err pm_errno_fail(struct pm_buf *err, const char *path);

/*
 * 1 if the file system holding path has (next to) no room left for an
 * unprivileged writer: under 64 KiB, or no free inode.
 */
int pm_disk_full(const char *path);

/* 1 if path is a directory, 0 otherwise. */
int pm_is_dir(const char *path);
/* The size of the file at path in bytes, 0 if it cannot be told. */
size_t pm_file_size(const char *path);

/*
 * List the regular files directly in dir whose names end with suffix,
 * sorted by strcmp. *names is a NULL-terminated array the caller frees
 * with pm_strv_free(); entries are full paths.
 */
enum pm_err pm_dir_list(const char *dir, const char *suffix, char ***names,
			size_t *nr, struct pm_buf *err);
void pm_strv_free(char **v);

#endif
