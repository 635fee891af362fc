/*
 * The local store: a bare git repository written through libgit2, so
 * that plain `git --git-dir=... log main` and `git show main:PATH` work.
 * Staged files are blobs written at put time; a commit builds the new
 * tree over the branch head and moves the ref only if it still points
 * where it did (compare-and-swap), retrying when another writer won.
 * Commit metadata is kept as "key: value" trailers of the message.
 */
#include "pm25/compat.h"
#include <pthread.h>
#include <git2.h>
#include <git2/sys/odb_backend.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/fsutil.h"
#include "pm25/dl.h"
#include "pm25/log.h"
#include "pm25/strv.h"
#include "pack.h"
#include "store-int.h"

#define CAS_TRIES 50

struct staged {
	char *branch, *path;
	char *data; /* owned until written */
	size_t len;
	git_oid blob; /* once written */
};

/* A commit of at least this many new files writes them as one pack. */
#define PACK_MIN 64

static void staged_release(struct staged *st)
{
	free(st->branch);
	free(st->path);
	free(st->data);
}

struct local {
	git_repository *repo;
	struct staged *st;
	size_t nr, alloc;
};

/*
 * libgit2 is initialised while any store is open; the server opens and
 * closes stores from several threads at once, so the count is locked.
 */
static int libgit2_users;
static pthread_mutex_t libgit2_lock = PTHREAD_MUTEX_INITIALIZER;

static void libgit2_take(void)
{
	pthread_mutex_lock(&libgit2_lock);
	if (libgit2_users++ == 0) {
		DL_GIT(git_libgit2_init)();
		/*
		 * Reading an object re-hashes it with a collision-detecting
		 * SHA-1, most of the cost of a training read; zlib's own
		 * checksum still guards every object read.
		 */
		DL_GIT(git_libgit2_opts)
		(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
	}
	pthread_mutex_unlock(&libgit2_lock);
}

static void libgit2_give(void)
{
	pthread_mutex_lock(&libgit2_lock);
	if (--libgit2_users == 0)
		DL_GIT(git_libgit2_shutdown)();
	pthread_mutex_unlock(&libgit2_lock);
}

/*
 * libgit2's error for what. On a full disk its message names some
 * object or ref and hides why, so a repository whose disk has no room
 * left says that, naming the folder.
 */
static enum pm_err git_fail(struct local *l, struct pm_buf *err,
			    enum pm_err e, const char *what)
{
	const git_error *ge = DL_GIT(git_error_last)();
	const char *dir = l && l->repo ? DL_GIT(git_repository_path)(l->repo) :
					 NULL;

	if (dir && pm_disk_full(dir))
		return pm_errf(err, PM_ERR_IO,
			       "%s: no space left on the disk holding %s "
			       "(libgit2: %s)",
			       what, dir,
			       ge && ge->message ? ge->message : "error");
	return pm_errf(err, e, "%s: %s", what,
		       ge && ge->message ? ge->message : "libgit2 error");
}

/* ------------------------------------------------------------ refs */

static void ref_name(struct pm_buf *b, const char *branch)
{
	pm_buf_reset(b);
	pm_buf_addf(b, "refs/heads/%s", branch);
}

/* Resolve ref to a commit; PM_ERR_NOTFOUND with a clear text if absent. */
static enum pm_err lookup_commit(struct local *l, const char *ref,
				 git_commit **out, struct pm_buf *err)
{
	git_object *obj = NULL;
	int rc;

	*out = NULL;
	rc = DL_GIT(git_revparse_single)(&obj, l->repo, ref);
	if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC)
		return pm_errf(err, PM_ERR_NOTFOUND, "no such ref: %s", ref);
	if (rc)
		return git_fail(l, err, PM_ERR_IO, ref);
	rc = DL_GIT(git_object_peel)((git_object **)out, obj,
				     GIT_OBJECT_COMMIT);
	DL_GIT(git_object_free)(obj);
	if (rc)
		return pm_errf(err, PM_ERR_NOTFOUND, "not a commit: %s", ref);
	return PM_OK;
}

/*
 * A lock file left by a killed writer would block the ref for ever; one
 * older than a few seconds cannot belong to a live writer, whose locks
 * last microseconds.
 */
static void drop_stale_lock(struct local *l, const char *refname)
{
	struct pm_buf path = PM_BUF_INIT;
	struct stat st;

	pm_buf_addf(&path, "%s/%s.lock", DL_GIT(git_repository_path)(l->repo),
		    refname);
	if (stat(path.buf, &st) == 0 && time(NULL) - st.st_mtime > 5) {
		pm_log(PM_LOG_WARN, "store", "removing stale lock %s",
		       path.buf);
		unlink(path.buf);
	}
	pm_buf_release(&path);
}

/*
 * Point refname at id if it still points at old (NULL: must not exist).
 * Returns 0, 1 if it moved meanwhile, or -1 on error.
 */
static int cas_ref(struct local *l, const char *refname, const git_oid *id,
		   const git_oid *old, const char *why, struct pm_buf *err)
{
	git_reference *ref = NULL;
	int tries, rc = 0;

	for (tries = 0; tries < CAS_TRIES; tries++) {
		if (old)
			rc = DL_GIT(git_reference_create_matching)(
				&ref, l->repo, refname, id, 1, old, why);
		else
			rc = DL_GIT(git_reference_create)(&ref, l->repo,
							  refname, id, 0, why);
		DL_GIT(git_reference_free)(ref);
		ref = NULL;
		if (rc != GIT_ELOCKED)
			break;
		if (tries > 20)
			drop_stale_lock(l, refname);
		usleep(1000u << (tries < 6 ? tries : 6));
	}
	if (!rc)
		return 0;
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS)
		return 1;
	git_fail(l, err, PM_ERR_IO, refname);
	return -1;
}

/* ------------------------------------------------------------ open */

static enum pm_err first_commit(struct local *l, struct pm_buf *err)
{
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	git_oid tree_id, id;
	enum pm_err ret = PM_OK;

	if (DL_GIT(git_treebuilder_new)(&tb, l->repo, NULL) ||
	    DL_GIT(git_treebuilder_write)(&tree_id, tb) ||
	    DL_GIT(git_tree_lookup)(&tree, l->repo, &tree_id) ||
	    DL_GIT(git_signature_now)(&sig, "pm25", "pm25@localhost") ||
	    DL_GIT(git_commit_create)(&id, l->repo, NULL, sig, sig, NULL,
				      "pm25: initialise the repository\n", tree,
				      0, NULL)) {
		ret = git_fail(l, err, PM_ERR_IO, "first commit");
		goto out;
	}
	if (cas_ref(l, "refs/heads/main", &id, NULL, "init", err) < 0)
		ret = PM_ERR_IO;
	DL_GIT(git_repository_set_head)(l->repo, "refs/heads/main");
out:
	DL_GIT(git_treebuilder_free)(tb);
	DL_GIT(git_tree_free)(tree);
	DL_GIT(git_signature_free)(sig);
	return ret;
}

/*
 * New objects are written with zlib's fastest level: day files are small
 * and many, and the default level spends most of a backfill compressing.
 * The objects stay ordinary loose objects that git reads.
 */
static void fast_writes(git_repository *repo)
{
	git_odb *odb = NULL;
	git_odb_backend *loose = NULL;
	const char *dir = DL_GIT(git_repository_path)(repo);
	struct pm_buf objects = PM_BUF_INIT;

	pm_buf_addf(&objects, "%sobjects", dir);
	if (!DL_GIT(git_repository_odb)(&odb, repo) &&
	    !DL_GIT(git_odb_backend_loose)(&loose, objects.buf, 1 /* fastest */,
					   0, 0, 0) &&
	    DL_GIT(git_odb_add_backend)(odb, loose,
					3 /* before the default ones */))
		loose->free(loose);
	DL_GIT(git_odb_free)(odb);
	pm_buf_release(&objects);
}

static enum pm_err local_open(struct pm_store *s, const char *where,
			      int create, struct pm_buf *err)
{
	struct local *l = pm_xcalloc(1, sizeof(*l));
	enum pm_err ret = PM_OK;
	git_reference *main_ref = NULL;
	int rc;

	libgit2_take();
	s->priv = l;
	rc = DL_GIT(git_repository_open_bare)(&l->repo, where);
	if (rc && create) {
		git_repository_init_options o;

		DL_GIT(git_repository_init_options_init)
		(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
		o.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
		o.initial_head = "main";
		rc = DL_GIT(git_repository_init_ext)(&l->repo, where, &o);
	}
	if (rc) {
		ret = rc == GIT_ENOTFOUND ?
			      pm_errf(err, PM_ERR_NOTFOUND,
				      "%s: no repository (run pm25 init)",
				      where) :
			      git_fail(l, err, PM_ERR_IO, where);
		goto out;
	}
	fast_writes(l->repo);
	if (DL_GIT(git_reference_lookup)(&main_ref, l->repo,
					 "refs/heads/main")) {
		if (!create) {
			ret = pm_errf(err, PM_ERR_NOTFOUND,
				      "%s: no main branch (run pm25 init)",
				      where);
			goto out;
		}
		ret = first_commit(l, err);
	}
out:
	DL_GIT(git_reference_free)(main_ref);
	if (ret) {
		DL_GIT(git_repository_free)(l->repo);
		free(l);
		s->priv = NULL;
		libgit2_give();
	}
	return ret;
}

static void local_close(struct pm_store *s)
{
	struct local *l = s->priv;
	size_t i;

	for (i = 0; i < l->nr; i++)
		staged_release(&l->st[i]);
	free(l->st);
	DL_GIT(git_repository_free)(l->repo);
	free(l);
	libgit2_give();
}

/* ------------------------------------------------------------ reads */

static enum pm_err local_resolve(struct pm_store *s, const char *ref,
				 char id[PM_ID_MAX], struct pm_buf *err)
{
	struct local *l = s->priv;
	git_commit *c = NULL;
	enum pm_err ret = lookup_commit(l, ref, &c, err);

	if (!ret)
		DL_GIT(git_oid_tostr)(id, PM_ID_MAX, DL_GIT(git_commit_id)(c));
	DL_GIT(git_commit_free)(c);
	return ret;
}

static enum pm_err local_get(struct pm_store *s, const char *ref,
			     const char *path, struct pm_buf *out,
			     struct pm_buf *err)
{
	struct local *l = s->priv;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_tree_entry *te = NULL;
	git_blob *blob = NULL;
	enum pm_err ret;

	ret = lookup_commit(l, ref, &c, err);
	if (ret)
		goto out;
	if (DL_GIT(git_commit_tree)(&tree, c) ||
	    DL_GIT(git_tree_entry_bypath)(&te, tree, path) ||
	    DL_GIT(git_tree_entry_type)(te) != GIT_OBJECT_BLOB ||
	    DL_GIT(git_blob_lookup)(&blob, l->repo,
				    DL_GIT(git_tree_entry_id)(te))) {
		ret = pm_errf(err, PM_ERR_NOTFOUND, "%s: no such file in %s",
			      path, ref);
		goto out;
	}
	pm_buf_add(out, DL_GIT(git_blob_rawcontent)(blob),
		   (size_t)DL_GIT(git_blob_rawsize)(blob));
out:
	DL_GIT(git_blob_free)(blob);
	DL_GIT(git_tree_entry_free)(te);
	DL_GIT(git_tree_free)(tree);
	DL_GIT(git_commit_free)(c);
	return ret;
}

/*
 * The tree to walk for the files under prefix: the subtree of the
 * prefix's folder part ("raw/csv/" of "raw/csv/date=", the whole tree
 * for ""), so that a listing reads only what it lists. *tree is NULL
 * when ref has no such folder; base receives the folder, with its '/'.
 */
static enum pm_err prefix_tree(struct local *l, const char *ref,
			       const char *prefix, git_tree **tree,
			       struct pm_buf *base, struct pm_buf *err)
{
	const char *slash = strrchr(prefix, '/');
	git_commit *c = NULL;
	git_tree *root = NULL;
	git_tree_entry *te = NULL;
	enum pm_err ret;

	*tree = NULL;
	pm_buf_reset(base);
	ret = lookup_commit(l, ref, &c, err);
	if (ret)
		return ret;
	if (DL_GIT(git_commit_tree)(&root, c)) {
		ret = git_fail(l, err, PM_ERR_IO, ref);
		goto out;
	}
	if (!slash) {
		*tree = root;
		root = NULL;
		goto out;
	}
	pm_buf_add(base, prefix, (size_t)(slash - prefix));
	if (DL_GIT(git_tree_entry_bypath)(&te, root, base->buf) ||
	    DL_GIT(git_tree_entry_type)(te) != GIT_OBJECT_TREE)
		goto out; /* no such folder: nothing under it */
	if (DL_GIT(git_tree_lookup)(tree, l->repo,
				    DL_GIT(git_tree_entry_id)(te)))
		ret = git_fail(l, err, PM_ERR_IO, base->buf);
	pm_buf_addch(base, '/');
out:
	DL_GIT(git_tree_entry_free)(te);
	DL_GIT(git_tree_free)(root);
	DL_GIT(git_commit_free)(c);
	return ret;
}

/* base, then the walk's root, then the entry's name, into path. */
static void walk_path(struct pm_buf *path, const struct pm_buf *base,
		      const char *root, const git_tree_entry *te)
{
	pm_buf_reset(path);
	pm_buf_add(path, base->buf, base->len);
	pm_buf_addstr(path, root);
	pm_buf_addstr(path, DL_GIT(git_tree_entry_name)(te));
}

struct walk_ctx {
	const char *prefix;
	struct pm_strv *out;
	struct pm_buf path, base;
};

static int walk_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct walk_ctx *w = arg;
	size_t plen = strlen(w->prefix);

	if (DL_GIT(git_tree_entry_type)(te) != GIT_OBJECT_BLOB)
		return 0;
	walk_path(&w->path, &w->base, root, te);
	if (!strncmp(w->path.buf, w->prefix, plen))
		pm_strv_push(w->out, w->path.buf);
	return 0;
}

static enum pm_err local_list(struct pm_store *s, const char *ref,
			      const char *prefix, struct pm_strv *out,
			      struct pm_buf *err)
{
	struct local *l = s->priv;
	struct walk_ctx w = { prefix, out, PM_BUF_INIT, PM_BUF_INIT };
	git_tree *tree = NULL;
	enum pm_err ret;

	ret = prefix_tree(l, ref, prefix, &tree, &w.base, err);
	if (!ret && tree &&
	    DL_GIT(git_tree_walk)(tree, GIT_TREEWALK_PRE, walk_cb, &w))
		ret = git_fail(l, err, PM_ERR_IO, ref);
	pm_buf_release(&w.path);
	pm_buf_release(&w.base);
	DL_GIT(git_tree_free)(tree);
	return ret;
}

struct same_ctx {
	const char *prefix;
	git_oid want;
	struct pm_buf path, base;
	char *found;
};

static int same_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct same_ctx *w = arg;

	if (DL_GIT(git_tree_entry_type)(te) != GIT_OBJECT_BLOB ||
	    !DL_GIT(git_oid_equal)(DL_GIT(git_tree_entry_id)(te), &w->want))
		return 0;
	walk_path(&w->path, &w->base, root, te);
	if (strncmp(w->path.buf, w->prefix, strlen(w->prefix)))
		return 0;
	w->found = pm_xstrdup(w->path.buf);
	return -1; /* stop the walk (a positive value only skips a subtree) */
}

static enum pm_err local_find_same(struct pm_store *s, const char *ref,
				   const char *prefix, const void *data,
				   size_t len, char **path_out,
				   struct pm_buf *err)
{
	struct local *l = s->priv;
	struct same_ctx w = {
		prefix, { { 0 } }, PM_BUF_INIT, PM_BUF_INIT, NULL
	};
	git_tree *tree = NULL;
	enum pm_err ret;

	*path_out = NULL;
	if (DL_GIT(git_odb_hash)(&w.want, data, len, GIT_OBJECT_BLOB))
		return git_fail(l, err, PM_ERR_IO, ref);
	ret = prefix_tree(l, ref, prefix, &tree, &w.base, err);
	if (!ret && tree)
		DL_GIT(git_tree_walk)(tree, GIT_TREEWALK_PRE, same_cb, &w);
	*path_out = w.found;
	pm_buf_release(&w.path);
	pm_buf_release(&w.base);
	DL_GIT(git_tree_free)(tree);
	return ret;
}

struct many_ctx {
	const char *prefix;
	git_oid *want; /* sorted */
	size_t n;
	size_t *at; /* want[k] is the blob of file at[k] */
	int *found;
	struct pm_buf path, base;
};

static int cmp_oid(const void *a, const void *b)
{
	return DL_GIT(git_oid_cmp)(a, b);
}

static int many_cb(const char *root, const git_tree_entry *te, void *arg)
{
	struct many_ctx *w = arg;
	const git_oid *id;
	size_t lo = 0, hi = w->n;

	if (DL_GIT(git_tree_entry_type)(te) != GIT_OBJECT_BLOB)
		return 0;
	id = DL_GIT(git_tree_entry_id)(te);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = DL_GIT(git_oid_cmp)(&w->want[mid], id);

		if (!c) {
			size_t k;

			walk_path(&w->path, &w->base, root, te);
			if (strncmp(w->path.buf, w->prefix, strlen(w->prefix)))
				return 0;
			/* equal blobs sit side by side */
			for (k = mid; k > 0 && !DL_GIT(git_oid_cmp)(
						       &w->want[k - 1], id);
			     k--)
				;
			for (; k < w->n && !DL_GIT(git_oid_cmp)(&w->want[k], id);
			     k++)
				w->found[w->at[k]] = 1;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * Whether the object database holds any of the n ids (the first at ids,
 * one every stride bytes): a new page's blob is in none, and then no
 * tree needs a walk.
 */
static int any_known(struct local *l, const unsigned char *ids, size_t stride,
		     size_t n)
{
	git_odb *odb = NULL;
	size_t i;
	int known = 0;

	if (DL_GIT(git_repository_odb)(&odb, l->repo))
		return 1; /* cannot tell: walk */
	for (i = 0; !known && i < n; i++) {
		git_oid id;

		memcpy(id.id, ids + i * stride, sizeof(id.id));
		known = DL_GIT(git_odb_exists)(odb, &id);
	}
	DL_GIT(git_odb_free)(odb);
	return known;
}

/* One walk of the prefix's folder for every file's blob id. */
static enum pm_err local_find_same_many(struct pm_store *s, const char *ref,
					const char *prefix,
					const char *const *data,
					const size_t *len, size_t n, int *found,
					struct pm_buf *err)
{
	struct local *l = s->priv;
	struct many_ctx w = { prefix, NULL,	   n,	       NULL,
			      found,  PM_BUF_INIT, PM_BUF_INIT };
	struct {
		git_oid id;
		size_t at;
	} * pairs;
	git_tree *tree = NULL;
	enum pm_err ret = PM_OK;
	size_t i;

	memset(found, 0, n * sizeof(*found));
	if (!n)
		return PM_OK;
	pairs = pm_xcalloc(n, sizeof(*pairs));
	for (i = 0; !ret && i < n; i++) {
		pairs[i].at = i;
		if (DL_GIT(git_odb_hash)(&pairs[i].id, data[i], len[i],
					 GIT_OBJECT_BLOB))
			ret = git_fail(l, err, PM_ERR_IO, ref);
	}
	/* an oid first in each pair: sorting pairs sorts by oid */
	if (!ret)
		qsort(pairs, n, sizeof(*pairs), cmp_oid);
	if (!ret && !any_known(l, pairs[0].id.id, sizeof(*pairs), n)) {
		/* bytes the repository never held are on no branch */
		free(pairs);
		return PM_OK;
	}
	w.want = pm_xcalloc(n, sizeof(*w.want));
	w.at = pm_xcalloc(n, sizeof(*w.at));
	for (i = 0; i < n; i++) {
		w.want[i] = pairs[i].id;
		w.at[i] = pairs[i].at;
	}
	if (!ret)
		ret = prefix_tree(l, ref, prefix, &tree, &w.base, err);
	if (!ret && tree)
		DL_GIT(git_tree_walk)(tree, GIT_TREEWALK_PRE, many_cb, &w);
	free(pairs);
	free(w.want);
	free(w.at);
	pm_buf_release(&w.path);
	pm_buf_release(&w.base);
	DL_GIT(git_tree_free)(tree);
	return ret;
}

static enum pm_err local_branches(struct pm_store *s, struct pm_strv *out,
				  struct pm_buf *err)
{
	struct local *l = s->priv;
	git_branch_iterator *it = NULL;
	git_reference *ref;
	git_branch_t type;

	if (DL_GIT(git_branch_iterator_new)(&it, l->repo, GIT_BRANCH_LOCAL))
		return git_fail(l, err, PM_ERR_IO, "branches");
	while (!DL_GIT(git_branch_next)(&ref, &type, it)) {
		const char *name;

		if (!DL_GIT(git_branch_name)(&name, ref))
			pm_strv_push(out, name);
		DL_GIT(git_reference_free)(ref);
	}
	DL_GIT(git_branch_iterator_free)(it);
	return PM_OK;
}

/* ------------------------------------------------------------ branches */

static enum pm_err local_branch_create(struct pm_store *s, const char *name,
				       const char *from, struct pm_buf *err)
{
	struct local *l = s->priv;
	struct pm_buf ref = PM_BUF_INIT;
	git_commit *c = NULL;
	enum pm_err ret;
	int rc;

	ret = lookup_commit(l, from, &c, err);
	if (ret)
		goto out;
	ref_name(&ref, name);
	rc = cas_ref(l, ref.buf, DL_GIT(git_commit_id)(c), NULL, "branch", err);
	if (rc > 0)
		ret = pm_errf(err, PM_ERR_CONFLICT, "branch %s exists", name);
	else if (rc < 0)
		ret = PM_ERR_IO;
out:
	pm_buf_release(&ref);
	DL_GIT(git_commit_free)(c);
	return ret;
}

static enum pm_err local_branch_delete(struct pm_store *s, const char *name,
				       struct pm_buf *err)
{
	struct local *l = s->priv;
	struct pm_buf ref = PM_BUF_INIT;
	git_reference *r = NULL;
	enum pm_err ret = PM_OK;

	ref_name(&ref, name);
	if (DL_GIT(git_reference_lookup)(&r, l->repo, ref.buf)) {
		ret = pm_errf(err, PM_ERR_NOTFOUND, "no such branch: %s", name);
	} else if (DL_GIT(git_reference_delete)(r)) {
		/* a writer killed while it held the ref left its lock */
		drop_stale_lock(l, ref.buf);
		if (DL_GIT(git_reference_delete)(r))
			ret = git_fail(l, err, PM_ERR_IO, name);
	}
	DL_GIT(git_reference_free)(r);
	pm_buf_release(&ref);
	return ret;
}

static enum pm_err local_tag(struct pm_store *s, const char *name,
			     const char *ref, struct pm_buf *err)
{
	struct local *l = s->priv;
	struct pm_buf refname = PM_BUF_INIT;
	git_commit *c = NULL;
	enum pm_err ret;
	int rc;

	ret = lookup_commit(l, ref, &c, err);
	if (ret)
		goto out;
	pm_buf_addf(&refname, "refs/tags/%s", name);
	rc = cas_ref(l, refname.buf, DL_GIT(git_commit_id)(c), NULL, "tag",
		     err);
	if (rc > 0)
		ret = pm_errf(err, PM_ERR_CONFLICT, "tag %s exists", name);
	else if (rc < 0)
		ret = PM_ERR_IO;
out:
	pm_buf_release(&refname);
	DL_GIT(git_commit_free)(c);
	return ret;
}

/* ------------------------------------------------------------ commits */

/*
 * A put keeps a copy and appends; the commit writes the last put of each
 * path, many as one pack, so that a batch of thousands of files costs no
 * search per file and no file per object.
 */
static enum pm_err local_put(struct pm_store *s, const char *branch,
			     const char *path, const void *data, size_t len,
			     struct pm_buf *err)
{
	struct local *l = s->priv;
	struct staged *st;

	(void)err;
	PM_ALLOC_GROW(l->st, l->nr + 1, l->alloc);
	st = &l->st[l->nr++];
	st->branch = pm_xstrdup(branch);
	st->path = pm_xstrdup(path);
	st->data = pm_xmalloc(len + 1);
	memcpy(st->data, data, len);
	st->len = len;
	return PM_OK;
}

/* Staged entries by path, and the later put first among equal paths. */
static int cmp_staged(const void *a, const void *b)
{
	const struct staged *const *x = a, *const *y = b;
	int c = strcmp((*x)->path, (*y)->path);

	return c ? c : *x < *y ? 1 : *x > *y ? -1 : 0;
}

/*
 * Write the blobs of v (each written once): as one pack when there are
 * many, else as loose objects.
 */
static enum pm_err write_blobs(struct local *l, struct staged **v, size_t n,
			       struct pm_buf *err)
{
	struct pm_pack_blob *b;
	struct pm_buf objects = PM_BUF_INIT;
	git_odb *odb = NULL;
	enum pm_err ret = PM_OK;
	size_t i;

	if (n < PACK_MIN) {
		for (i = 0; i < n; i++) {
			if (!v[i]->data)
				continue;
			if (DL_GIT(git_blob_create_from_buffer)(
				    &v[i]->blob, l->repo, v[i]->data,
				    v[i]->len))
				return git_fail(l, err, PM_ERR_IO, v[i]->path);
			free(v[i]->data);
			v[i]->data = NULL;
		}
		return PM_OK;
	}
	b = pm_xcalloc(n, sizeof(*b));
	for (i = 0; i < n; i++) {
		b[i].data = v[i]->data;
		b[i].len = v[i]->len;
	}
	pm_buf_addf(&objects, "%sobjects",
		    DL_GIT(git_repository_path)(l->repo));
	if (pm_pack_write_blobs(objects.buf, b, n, err))
		ret = PM_ERR_IO;
	else if (DL_GIT(git_repository_odb)(&odb, l->repo) ||
		 DL_GIT(git_odb_refresh)(odb))
		ret = git_fail(l, err, PM_ERR_IO, "pack");
	for (i = 0; !ret && i < n; i++) {
		memcpy(v[i]->blob.id, b[i].id, sizeof(b[i].id));
		free(v[i]->data);
		v[i]->data = NULL;
	}
	DL_GIT(git_odb_free)(odb);
	pm_buf_release(&objects);
	free(b);
	return ret;
}

/*
 * The tree updates of branch's staged files, the last put of each, their
 * blobs written; the number of updates, or -1 with err set.
 */
static long staged_updates(struct local *l, const char *branch,
			   git_tree_update *up, struct pm_buf *err)
{
	struct staged **v = pm_xcalloc(l->nr + 1, sizeof(*v)),
		      **todo = pm_xcalloc(l->nr + 1, sizeof(*todo));
	size_t i, n = 0, k = 0, w = 0;
	long ret = -1;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(l->st[i].branch, branch))
			v[n++] = &l->st[i];
	qsort(v, n, sizeof(*v), cmp_staged);
	for (i = 0; i < n; i++)
		if (!i || strcmp(v[i]->path, v[i - 1]->path))
			v[k++] = v[i];
	for (i = 0; i < k; i++)
		if (v[i]->data)
			todo[w++] = v[i];
	if (write_blobs(l, todo, w, err))
		goto out;
	for (i = 0; i < k; i++) {
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].id = v[i]->blob;
		up[i].filemode = GIT_FILEMODE_BLOB;
		up[i].path = v[i]->path;
	}
	ret = (long)k;
out:
	free(v);
	free(todo);
	return ret;
}

static void add_trailers(struct pm_buf *msg, const char *message,
			 const struct pm_kv *meta, size_t nr_meta)
{
	size_t i;

	pm_buf_addstr(msg, message);
	if (!msg->len || msg->buf[msg->len - 1] != '\n')
		pm_buf_addch(msg, '\n');
	if (nr_meta)
		pm_buf_addch(msg, '\n');
	for (i = 0; i < nr_meta; i++) {
		const char *v;

		pm_buf_addf(msg, "%s: ", meta[i].key);
		/* one line per value */
		for (v = meta[i].value; *v; v++)
			pm_buf_addch(msg, *v == '\n' ? ' ' : *v);
		pm_buf_addch(msg, '\n');
	}
}

/*
 * Write a commit of tree with the given parents and move branch from
 * parents[0]; returns 0, 1 if the branch moved meanwhile, -1 on error.
 */
static int write_commit(struct local *l, const char *branch,
			const git_tree *tree, const git_commit **parents,
			size_t nr_parents, const char *msg, git_oid *id,
			struct pm_buf *err)
{
	struct pm_buf ref = PM_BUF_INIT;
	git_signature *sig = NULL;
	int rc;

	if (DL_GIT(git_signature_now)(&sig, "pm25", "pm25@localhost") ||
	    DL_GIT(git_commit_create)(id, l->repo, NULL, sig, sig, NULL, msg,
				      tree, nr_parents, parents)) {
		DL_GIT(git_signature_free)(sig);
		git_fail(l, err, PM_ERR_IO, "commit");
		return -1;
	}
	DL_GIT(git_signature_free)(sig);
	ref_name(&ref, branch);
	rc = cas_ref(l, ref.buf, id, DL_GIT(git_commit_id)(parents[0]), msg,
		     err);
	pm_buf_release(&ref);
	return rc;
}

static enum pm_err local_commit(struct pm_store *s, const char *branch,
				const char *message, const struct pm_kv *meta,
				size_t nr_meta, char id[PM_ID_MAX],
				struct pm_buf *err)
{
	struct local *l = s->priv;
	struct pm_buf msg = PM_BUF_INIT, ref = PM_BUF_INIT;
	git_tree_update *up = NULL;
	enum pm_err ret = PM_OK;
	size_t i, n = 0, k;
	long nu;
	int tries;

	up = pm_xcalloc(l->nr + 1, sizeof(*up));
	nu = staged_updates(l, branch, up, err);
	if (nu < 0) {
		ret = PM_ERR_IO;
		goto out;
	}
	n = (size_t)nu;
	add_trailers(&msg, message, meta, nr_meta);
	ref_name(&ref, branch);
	for (tries = 0; tries < CAS_TRIES; tries++) {
		git_commit *head = NULL;
		git_tree *base = NULL, *tree = NULL;
		git_oid tree_id, cid;
		int rc = -1;

		ret = lookup_commit(l, ref.buf, &head, err);
		if (ret) {
			ret = pm_errf(err, PM_ERR_NOTFOUND,
				      "no such branch: %s", branch);
			break;
		}
		if (DL_GIT(git_commit_tree)(&base, head) ||
		    DL_GIT(git_tree_create_updated)(&tree_id, l->repo, base, n,
						    up) ||
		    DL_GIT(git_tree_lookup)(&tree, l->repo, &tree_id)) {
			ret = git_fail(l, err, PM_ERR_IO, "tree");
		} else if (DL_GIT(git_oid_equal)(&tree_id,
						 DL_GIT(git_tree_id)(base))) {
			/* nothing changed: no empty commits */
			id[0] = '\0';
			rc = 0;
			goto next;
		} else {
			const git_commit *parents[1] = { head };

			rc = write_commit(l, branch, tree, parents, 1, msg.buf,
					  &cid, err);
			if (rc < 0)
				ret = PM_ERR_IO;
			else if (rc == 0)
				DL_GIT(git_oid_tostr)(id, PM_ID_MAX, &cid);
		}
		rc = ret ? -1 : rc;
next:
		DL_GIT(git_tree_free)(tree);
		DL_GIT(git_tree_free)(base);
		DL_GIT(git_commit_free)(head);
		if (rc <= 0)
			break;
		pm_log(PM_LOG_DEBUG, "store", "%s moved; committing again",
		       branch);
	}
	if (!ret && tries == CAS_TRIES)
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "%s kept moving; gave up after %d tries", branch,
			      CAS_TRIES);
	if (!ret) {
		/* the staged files of this branch are committed */
		for (i = 0, k = 0; i < l->nr; i++) {
			if (!strcmp(l->st[i].branch, branch)) {
				staged_release(&l->st[i]);
				continue;
			}
			l->st[k++] = l->st[i];
		}
		l->nr = k;
	}
out:
	free(up);
	pm_buf_release(&msg);
	pm_buf_release(&ref);
	return ret;
}

/* ------------------------------------------------------------ merge */

static void conflict_paths(git_index *idx, struct pm_buf *err)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *a, *o, *t;
	int n = 0;

	if (DL_GIT(git_index_conflict_iterator_new)(&it, idx))
		return;
	while (!DL_GIT(git_index_conflict_next)(&a, &o, &t, it) && n < 10) {
		const char *p = o ? o->path : t ? t->path : a ? a->path : "?";

		pm_buf_addf(err, "%s%s", n++ ? ", " : ": ", p);
	}
	DL_GIT(git_index_conflict_iterator_free)(it);
}

static enum pm_err local_merge(struct pm_store *s, const char *src,
			       const char *dst, const char *message,
			       const struct pm_kv *meta, size_t nr_meta,
			       char id[PM_ID_MAX], struct pm_buf *err)
{
	struct local *l = s->priv;
	struct pm_buf msg = PM_BUF_INIT, ref = PM_BUF_INIT;
	git_commit *theirs = NULL;
	enum pm_err ret;
	int tries;

	ret = lookup_commit(l, src, &theirs, err);
	if (ret)
		goto out;
	add_trailers(&msg, message, meta, nr_meta);
	ref_name(&ref, dst);
	for (tries = 0; tries < CAS_TRIES; tries++) {
		git_commit *ours = NULL, *base_c = NULL;
		git_tree *t_ours = NULL, *t_theirs = NULL, *t_base = NULL,
			 *tree = NULL;
		git_index *idx = NULL;
		git_oid base, tree_id, cid;
		int rc = 0;

		ret = lookup_commit(l, ref.buf, &ours, err);
		if (ret) {
			ret = pm_errf(err, PM_ERR_NOTFOUND,
				      "no such branch: %s", dst);
			break;
		}
		if (DL_GIT(git_oid_equal)(DL_GIT(git_commit_id)(ours),
					  DL_GIT(git_commit_id)(theirs)) ||
		    DL_GIT(git_graph_descendant_of)(
			    l->repo, DL_GIT(git_commit_id)(ours),
			    DL_GIT(git_commit_id)(theirs)) == 1) {
			/* already merged */
			id[0] = '\0';
		} else if (DL_GIT(git_graph_descendant_of)(
				   l->repo, DL_GIT(git_commit_id)(theirs),
				   DL_GIT(git_commit_id)(ours)) == 1) {
			/* fast-forward */
			rc = cas_ref(l, ref.buf, DL_GIT(git_commit_id)(theirs),
				     DL_GIT(git_commit_id)(ours), "merge", err);
			if (rc == 0)
				DL_GIT(git_oid_tostr)
				(id, PM_ID_MAX, DL_GIT(git_commit_id)(theirs));
		} else if (DL_GIT(git_merge_base)(
				   &base, l->repo, DL_GIT(git_commit_id)(ours),
				   DL_GIT(git_commit_id)(theirs)) ||
			   DL_GIT(git_commit_lookup)(&base_c, l->repo, &base) ||
			   DL_GIT(git_commit_tree)(&t_base, base_c) ||
			   DL_GIT(git_commit_tree)(&t_ours, ours) ||
			   DL_GIT(git_commit_tree)(&t_theirs, theirs) ||
			   DL_GIT(git_merge_trees)(&idx, l->repo, t_base,
						   t_ours, t_theirs, NULL)) {
			ret = git_fail(l, err, PM_ERR_IO, "merge");
		} else if (DL_GIT(git_index_has_conflicts)(idx)) {
			ret = pm_errf(err, PM_ERR_CONFLICT,
				      "merging %s into %s conflicts", src, dst);
			conflict_paths(idx, err);
		} else if (DL_GIT(git_index_write_tree_to)(&tree_id, idx,
							   l->repo) ||
			   DL_GIT(git_tree_lookup)(&tree, l->repo, &tree_id)) {
			ret = git_fail(l, err, PM_ERR_IO, "merge tree");
		} else {
			const git_commit *parents[2] = { ours, theirs };

			rc = write_commit(l, dst, tree, parents, 2, msg.buf,
					  &cid, err);
			if (rc == 0)
				DL_GIT(git_oid_tostr)(id, PM_ID_MAX, &cid);
		}
		if (rc < 0)
			ret = PM_ERR_IO;
		DL_GIT(git_index_free)(idx);
		DL_GIT(git_tree_free)(tree);
		DL_GIT(git_tree_free)(t_base);
		DL_GIT(git_tree_free)(t_ours);
		DL_GIT(git_tree_free)(t_theirs);
		DL_GIT(git_commit_free)(base_c);
		DL_GIT(git_commit_free)(ours);
		if (ret || rc == 0)
			break;
	}
	if (!ret && tries == CAS_TRIES)
		ret = pm_errf(err, PM_ERR_CONFLICT,
			      "%s kept moving; gave up after %d tries", dst,
			      CAS_TRIES);
out:
	DL_GIT(git_commit_free)(theirs);
	pm_buf_release(&msg);
	pm_buf_release(&ref);
	return ret;
}

static enum pm_err local_revert(struct pm_store *s, const char *branch,
				const char *commit, char id[PM_ID_MAX],
				struct pm_buf *err)
{
	struct local *l = s->priv;
	struct pm_buf msg = PM_BUF_INIT, ref = PM_BUF_INIT;
	git_commit *target = NULL;
	enum pm_err ret;
	char short_id[12];
	int tries;

	ret = lookup_commit(l, commit, &target, err);
	if (ret)
		goto out;
	DL_GIT(git_oid_tostr)
	(short_id, sizeof(short_id), DL_GIT(git_commit_id)(target));
	pm_buf_addf(&msg, "Revert \"%s\"\n\nThis reverts commit %s.\n",
		    DL_GIT(git_commit_summary)(target), short_id);
	ref_name(&ref, branch);
	for (tries = 0; tries < CAS_TRIES; tries++) {
		git_commit *head = NULL;
		git_index *idx = NULL;
		git_tree *tree = NULL;
		git_oid tree_id, cid;
		int rc = -1;
		unsigned mainline = DL_GIT(git_commit_parentcount)(target) > 1;

		ret = lookup_commit(l, ref.buf, &head, err);
		if (ret) {
			ret = pm_errf(err, PM_ERR_NOTFOUND,
				      "no such branch: %s", branch);
			break;
		}
		if (DL_GIT(git_revert_commit)(&idx, l->repo, target, head,
					      mainline, NULL)) {
			ret = git_fail(l, err, PM_ERR_IO, "revert");
		} else if (DL_GIT(git_index_has_conflicts)(idx)) {
			ret = pm_errf(err, PM_ERR_CONFLICT,
				      "reverting %s on %s conflicts", commit,
				      branch);
			conflict_paths(idx, err);
		} else if (DL_GIT(git_index_write_tree_to)(&tree_id, idx,
							   l->repo) ||
			   DL_GIT(git_tree_lookup)(&tree, l->repo, &tree_id)) {
			ret = git_fail(l, err, PM_ERR_IO, "revert tree");
		} else {
			const git_commit *parents[1] = { head };

			rc = write_commit(l, branch, tree, parents, 1, msg.buf,
					  &cid, err);
			if (rc == 0)
				DL_GIT(git_oid_tostr)(id, PM_ID_MAX, &cid);
			else if (rc < 0)
				ret = PM_ERR_IO;
		}
		DL_GIT(git_tree_free)(tree);
		DL_GIT(git_index_free)(idx);
		DL_GIT(git_commit_free)(head);
		if (ret || rc == 0)
			break;
	}
out:
	DL_GIT(git_commit_free)(target);
	pm_buf_release(&msg);
	pm_buf_release(&ref);
	return ret;
}

/* ------------------------------------------------------------ history */

static enum pm_err local_diff(struct pm_store *s, const char *a,
			      const char *b, struct pm_diff *out,
			      struct pm_buf *err)
{
	struct local *l = s->priv;
	git_commit *ca = NULL, *cb = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_diff *d = NULL;
	enum pm_err ret;
	size_t i;

	ret = lookup_commit(l, a, &ca, err);
	if (!ret)
		ret = lookup_commit(l, b, &cb, err);
	if (ret)
		goto out;
	if (DL_GIT(git_commit_tree)(&ta, ca) ||
	    DL_GIT(git_commit_tree)(&tb, cb) ||
	    DL_GIT(git_diff_tree_to_tree)(&d, l->repo, ta, tb, NULL)) {
		ret = git_fail(l, err, PM_ERR_IO, "diff");
		goto out;
	}
	for (i = 0; i < DL_GIT(git_diff_num_deltas)(d); i++) {
		const git_diff_delta *dd = DL_GIT(git_diff_get_delta)(d, i);

		switch (dd->status) {
		case GIT_DELTA_ADDED:
			pm_diff_add(out, dd->new_file.path, PM_DIFF_ADDED);
			break;
		case GIT_DELTA_DELETED:
			pm_diff_add(out, dd->old_file.path, PM_DIFF_REMOVED);
			break;
		default:
			pm_diff_add(out, dd->new_file.path, PM_DIFF_CHANGED);
		}
	}
out:
	DL_GIT(git_diff_free)(d);
	DL_GIT(git_tree_free)(ta);
	DL_GIT(git_tree_free)(tb);
	DL_GIT(git_commit_free)(ca);
	DL_GIT(git_commit_free)(cb);
	return ret;
}

static enum pm_err local_log(struct pm_store *s, const char *ref,
			     size_t max, struct pm_commit_list *out,
			     struct pm_buf *err)
{
	struct local *l = s->priv;
	git_revwalk *walk = NULL;
	git_commit *start = NULL;
	enum pm_err ret;
	git_oid oid;

	ret = lookup_commit(l, ref, &start, err);
	if (ret)
		return ret;
	if (DL_GIT(git_revwalk_new)(&walk, l->repo) ||
	    DL_GIT(git_revwalk_push)(walk, DL_GIT(git_commit_id)(start))) {
		ret = git_fail(l, err, PM_ERR_IO, "log");
		goto out;
	}
	DL_GIT(git_revwalk_sorting)(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	while (out->nr < max && !DL_GIT(git_revwalk_next)(&oid, walk)) {
		git_message_trailer_array tr = { 0 };
		struct pm_commit_info *ci;
		git_commit *c = NULL;
		size_t k;

		if (DL_GIT(git_commit_lookup)(&c, l->repo, &oid))
			continue;
		ci = pm_commit_list_add(out);
		DL_GIT(git_oid_tostr)(ci->id, PM_ID_MAX, &oid);
		ci->message = pm_xstrdup(DL_GIT(git_commit_summary)(c) ?
						 DL_GIT(git_commit_summary)(c) :
						 "");
		ci->time = (int64_t)DL_GIT(git_commit_time)(c);
		ci->nr_parents = DL_GIT(git_commit_parentcount)(c);
		if (!DL_GIT(git_message_trailers)(
			    &tr, DL_GIT(git_commit_message)(c))) {
			for (k = 0; k < tr.count; k++)
				pm_commit_info_add_meta(ci, tr.trailers[k].key,
							tr.trailers[k].value);
			DL_GIT(git_message_trailer_array_free)(&tr);
		}
		DL_GIT(git_commit_free)(c);
	}
out:
	DL_GIT(git_revwalk_free)(walk);
	DL_GIT(git_commit_free)(start);
	return ret;
}

const struct pm_store_ops pm_store_local = {
	.name = "local",
	.open = local_open,
	.close = local_close,
	.resolve = local_resolve,
	.branch_create = local_branch_create,
	.branch_delete = local_branch_delete,
	.branches = local_branches,
	.put = local_put,
	.get = local_get,
	.list = local_list,
	.find_same = local_find_same,
	.find_same_many = local_find_same_many,
	.commit = local_commit,
	.diff = local_diff,
	.merge = local_merge,
	.revert = local_revert,
	.log = local_log,
	.tag = local_tag,
};
