/*
 * The versioned store: branches, commits with key/value metadata, diffs,
 * merges and reverts over a tree of files. Two drivers implement it:
 * "local" (a bare git repository through libgit2) and "lakefs" (the
 * lakeFS REST API). Writes are staged with pm_store_put() and land with
 * pm_store_commit().
 */
#ifndef PM25_STORE_H
#define PM25_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "pm25/err.h"

struct pm_buf;
struct pm_strv;

#define PM_ID_MAX 65 /* a commit id, NUL-terminated */

struct pm_kv {
	const char *key, *value; /* borrowed */
};

struct pm_commit_info {
	char id[PM_ID_MAX];
	char *message; /* owned: the first line */
	int64_t time;  /* seconds since epoch */
	size_t nr_meta;
	char **meta_keys, **meta_values; /* owned */
	size_t nr_parents;
};

struct pm_commit_list {
	struct pm_commit_info *c;
	size_t nr, alloc;
};

enum pm_diff_kind { PM_DIFF_ADDED, PM_DIFF_REMOVED, PM_DIFF_CHANGED };

struct pm_diff {
	struct pm_diff_entry {
		char *path; /* owned */
		enum pm_diff_kind kind;
	} *e;
	size_t nr, alloc;
};

struct pm_store; /* opaque */

/*
 * Open the store at where with the named driver ("local": a directory
 * holding a bare git repository; "lakefs": a repository name, with the
 * endpoint and keys from LAKEFS_ENDPOINT, LAKEFS_ACCESS_KEY and
 * LAKEFS_SECRET_KEY). With create, make it (and a first commit on main)
 * if it does not exist. Caller frees *out with pm_store_close().
 */
enum pm_err pm_store_open(struct pm_store **out, const char *driver,
			  const char *where, int create, struct pm_buf *err);
void pm_store_close(struct pm_store *s);
/*
 * The same store opened again, for another thread (a store is used by
 * one thread at a time). Caller frees *out with pm_store_close().
 */
enum pm_err pm_store_reopen(const struct pm_store *s, struct pm_store **out,
			    struct pm_buf *err);
const char *pm_store_driver(const struct pm_store *s);

/* 1 if name is a valid branch name: ^\w[-\w]*$ (lakeFS rules). */
int pm_store_valid_branch(const char *name);
/* 1 if path is a valid file path: relative, no "..", no empty parts. */
int pm_store_valid_path(const char *path);

/* The commit id a ref (branch, tag or id) points at. */
enum pm_err pm_store_resolve(struct pm_store *s, const char *ref,
			     char id[PM_ID_MAX], struct pm_buf *err);
enum pm_err pm_store_branch_create(struct pm_store *s, const char *name,
				   const char *from, struct pm_buf *err);
enum pm_err pm_store_branch_delete(struct pm_store *s, const char *name,
				   struct pm_buf *err);
/* Branch names, sorted, appended to out. */
enum pm_err pm_store_branches(struct pm_store *s, struct pm_strv *out,
			      struct pm_buf *err);
/* Stage data (borrowed) at path on branch for the next commit. */
enum pm_err pm_store_put(struct pm_store *s, const char *branch,
			 const char *path, const void *data, size_t len,
			 struct pm_buf *err);
/* The file at path in ref, appended to out; PM_ERR_NOTFOUND if absent. */
enum pm_err pm_store_get(struct pm_store *s, const char *ref,
			 const char *path, struct pm_buf *out,
			 struct pm_buf *err);
/* Paths of files under prefix ("" for all) in ref, sorted. */
enum pm_err pm_store_list(struct pm_store *s, const char *ref,
			  const char *prefix, struct pm_strv *out,
			  struct pm_buf *err);
/*
 * Does ref hold, anywhere under prefix, a file with exactly these bytes?
 * Compares content checksums, so nothing is downloaded. Sets *path_out
 * (caller frees) to the first such path, or NULL.
 */
enum pm_err pm_store_find_same(struct pm_store *s, const char *ref,
			       const char *prefix, const void *data,
			       size_t len, char **path_out,
			       struct pm_buf *err);
/*
 * The same question for n files at once (data[i], len[i]): found[i] is
 * set to 1 for each that ref holds under prefix, else 0. One pass over
 * the tree where the store can.
 */
enum pm_err pm_store_find_same_many(struct pm_store *s, const char *ref,
				    const char *prefix,
				    const char *const *data, const size_t *len,
				    size_t n, int *found, struct pm_buf *err);
/*
 * Commit what is staged on branch. id receives the new commit, or stays
 * "" when nothing changed. Concurrent writers to the branch are retried
 * (compare-and-swap on the ref), never lost.
 */
enum pm_err pm_store_commit(struct pm_store *s, const char *branch,
			    const char *message, const struct pm_kv *meta,
			    size_t nr_meta, char id[PM_ID_MAX],
			    struct pm_buf *err);
/* Files added, removed and changed from a to b, sorted by path. */
enum pm_err pm_store_diff(struct pm_store *s, const char *a, const char *b,
			  struct pm_diff *out, struct pm_buf *err);
void pm_diff_release(struct pm_diff *d);
/*
 * Merge src into dst. PM_ERR_CONFLICT lists the conflicting paths;
 * PM_ERR_GATE means a pre-merge hook refused (lakeFS 412).
 */
enum pm_err pm_store_merge(struct pm_store *s, const char *src,
			   const char *dst, const char *message,
			   const struct pm_kv *meta, size_t nr_meta,
			   char id[PM_ID_MAX], struct pm_buf *err);
/* Commit on branch the inverse of commit. */
enum pm_err pm_store_revert(struct pm_store *s, const char *branch,
			    const char *commit, char id[PM_ID_MAX],
			    struct pm_buf *err);
/* Up to max commits reachable from ref, newest first. */
enum pm_err pm_store_log(struct pm_store *s, const char *ref, size_t max,
			 struct pm_commit_list *out, struct pm_buf *err);
void pm_commit_list_release(struct pm_commit_list *l);
/* Create tag name at ref; fails if it exists. */
enum pm_err pm_store_tag(struct pm_store *s, const char *name,
			 const char *ref, struct pm_buf *err);

/* A commit as a JSON object: id, time, parents, message, metadata. */
void pm_commit_json(struct pm_buf *b, const struct pm_commit_info *c);

#endif
