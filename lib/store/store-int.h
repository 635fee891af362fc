/*
 * The store driver interface. pm_store_*() validate their arguments and
 * call the driver's ops; drivers keep their state behind priv.
 */
#ifndef PM25_STORE_INT_H
#define PM25_STORE_INT_H

#include "pm25/store.h"

struct pm_store_ops {
	const char *name;
	enum pm_err (*open)(struct pm_store *s, const char *where, int create,
			    struct pm_buf *err);
	void (*close)(struct pm_store *s);
	enum pm_err (*resolve)(struct pm_store *s, const char *ref,
			       char id[PM_ID_MAX], struct pm_buf *err);
	enum pm_err (*branch_create)(struct pm_store *s, const char *name,
				     const char *from, struct pm_buf *err);
	enum pm_err (*branch_delete)(struct pm_store *s, const char *name,
				     struct pm_buf *err);
	enum pm_err (*branches)(struct pm_store *s, struct pm_strv *out,
				struct pm_buf *err);
	enum pm_err (*put)(struct pm_store *s, const char *branch,
			   const char *path, const void *data, size_t len,
			   struct pm_buf *err);
	enum pm_err (*get)(struct pm_store *s, const char *ref,
			   const char *path, struct pm_buf *out,
			   struct pm_buf *err);
	enum pm_err (*list)(struct pm_store *s, const char *ref,
			    const char *prefix, struct pm_strv *out,
			    struct pm_buf *err);
	enum pm_err (*find_same)(struct pm_store *s, const char *ref,
				 const char *prefix, const void *data,
				 size_t len, char **path_out,
				 struct pm_buf *err);
	/* Optional: pm_store_find_same_many() asks find_same otherwise. */
	enum pm_err (*find_same_many)(struct pm_store *s, const char *ref,
				      const char *prefix,
				      const char *const *data,
				      const size_t *len, size_t n, int *found,
				      struct pm_buf *err);
	enum pm_err (*commit)(struct pm_store *s, const char *branch,
			      const char *message, const struct pm_kv *meta,
			      size_t nr_meta, char id[PM_ID_MAX],
			      struct pm_buf *err);
	enum pm_err (*diff)(struct pm_store *s, const char *a, const char *b,
			    struct pm_diff *out, struct pm_buf *err);
	enum pm_err (*merge)(struct pm_store *s, const char *src,
			     const char *dst, const char *message,
			     const struct pm_kv *meta, size_t nr_meta,
			     char id[PM_ID_MAX], struct pm_buf *err);
	enum pm_err (*revert)(struct pm_store *s, const char *branch,
			      const char *commit, char id[PM_ID_MAX],
			      struct pm_buf *err);
	enum pm_err (*log)(struct pm_store *s, const char *ref, size_t max,
			   struct pm_commit_list *out, struct pm_buf *err);
	enum pm_err (*tag)(struct pm_store *s, const char *name,
			   const char *ref, struct pm_buf *err);
};

struct pm_store {
	const struct pm_store_ops *ops;
	void *priv;
	char *where;
};

extern const struct pm_store_ops pm_store_local;
extern const struct pm_store_ops pm_store_lakefs;

/* Add one commit to l; returns it zeroed. */
struct pm_commit_info *pm_commit_list_add(struct pm_commit_list *l);
void pm_commit_info_add_meta(struct pm_commit_info *c, const char *k,
			     const char *v);
void pm_diff_add(struct pm_diff *d, const char *path, enum pm_diff_kind k);
void pm_diff_sort(struct pm_diff *d);

#endif
