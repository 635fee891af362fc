/*
 * The store front end: argument checks shared by every driver, and the
 * list types they fill.
 */
#include "pm25/compat.h"
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/strv.h"
#include "pm25/timeutil.h"
#include "store-int.h"

static const struct pm_store_ops *const drivers[] = {
	&pm_store_local,
	&pm_store_lakefs,
};

int pm_store_valid_branch(const char *name)
{
	const char *p;

	if (!name || !*name || *name == '-')
		return 0;
	for (p = name; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_' || *p == '-'))
			return 0;
	return p - name <= 200;
}

int pm_store_valid_path(const char *path)
{
	const char *p = path;

	if (!path || !*path || *path == '/' || strlen(path) > 1000)
		return 0;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (!e)
			break;
		p = e + 1;
		if (!*p)
			return 0;
	}
	return !strchr(path, '\\') && !strchr(path, '\n');
}

static enum pm_err check_branch(const char *name, struct pm_buf *err)
{
	if (pm_store_valid_branch(name))
		return PM_OK;
	return pm_errf(err, PM_ERR_USAGE,
		       "'%s' is not a valid branch name (letters, digits, _ "
		       "and -, not starting with -)",
		       name ? name : "");
}

static enum pm_err check_path(const char *path, struct pm_buf *err)
{
	if (pm_store_valid_path(path))
		return PM_OK;
	return pm_errf(err, PM_ERR_USAGE,
		       "'%s' is not a valid path (relative, no '..', no empty "
		       "parts)",
		       path ? path : "");
}

static enum pm_err check_ref(const char *ref, struct pm_buf *err)
{
	const char *p;

	if (!ref || !*ref || *ref == '-')
		goto bad;
	for (p = ref; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("_-.^~/", *p)))
			goto bad;
	if (strstr(ref, ".."))
		goto bad;
	return PM_OK;
bad:
	return pm_errf(err, PM_ERR_USAGE, "'%s' is not a valid ref",
		       ref ? ref : "");
}

enum pm_err pm_store_open(struct pm_store **out, const char *driver,
			  const char *where, int create, struct pm_buf *err)
{
	struct pm_store *s;
	enum pm_err ret;
	size_t i;

	*out = NULL;
	for (i = 0; i < PM_ARRAY_SIZE(drivers); i++)
		if (!strcmp(drivers[i]->name, driver))
			break;
	if (i == PM_ARRAY_SIZE(drivers))
		return pm_errf(err, PM_ERR_USAGE, "unknown store driver '%s'",
			       driver);
	s = pm_xcalloc(1, sizeof(*s));
	s->ops = drivers[i];
	s->where = pm_xstrdup(where);
	ret = s->ops->open(s, where, create, err);
	if (ret) {
		free(s->where);
		free(s);
		return ret;
	}
	*out = s;
	return PM_OK;
}

enum pm_err pm_store_reopen(const struct pm_store *s, struct pm_store **out,
			    struct pm_buf *err)
{
	return pm_store_open(out, s->ops->name, s->where, 0, err);
}

void pm_store_close(struct pm_store *s)
{
	if (!s)
		return;
	s->ops->close(s);
	free(s->where);
	free(s);
}

const char *pm_store_driver(const struct pm_store *s)
{
	return s->ops->name;
}

enum pm_err pm_store_resolve(struct pm_store *s, const char *ref,
			     char id[PM_ID_MAX], struct pm_buf *err)
{
	enum pm_err ret = check_ref(ref, err);

	return ret ? ret : s->ops->resolve(s, ref, id, err);
}

enum pm_err pm_store_branch_create(struct pm_store *s, const char *name,
				   const char *from, struct pm_buf *err)
{
	enum pm_err ret = check_branch(name, err);

	if (!ret)
		ret = check_ref(from, err);
	return ret ? ret : s->ops->branch_create(s, name, from, err);
}

enum pm_err pm_store_branch_delete(struct pm_store *s, const char *name,
				   struct pm_buf *err)
{
	enum pm_err ret = check_branch(name, err);

	if (!ret && !strcmp(name, "main"))
		ret = pm_errf(err, PM_ERR_USAGE, "main cannot be deleted");
	return ret ? ret : s->ops->branch_delete(s, name, err);
}

enum pm_err pm_store_branches(struct pm_store *s, struct pm_strv *out,
			      struct pm_buf *err)
{
	enum pm_err ret = s->ops->branches(s, out, err);

	if (!ret)
		pm_strv_sort(out);
	return ret;
}

enum pm_err pm_store_put(struct pm_store *s, const char *branch,
			 const char *path, const void *data, size_t len,
			 struct pm_buf *err)
{
	enum pm_err ret = check_branch(branch, err);

	if (!ret)
		ret = check_path(path, err);
	return ret ? ret : s->ops->put(s, branch, path, data, len, err);
}

enum pm_err pm_store_get(struct pm_store *s, const char *ref,
			 const char *path, struct pm_buf *out,
			 struct pm_buf *err)
{
	enum pm_err ret = check_ref(ref, err);

	if (!ret)
		ret = check_path(path, err);
	return ret ? ret : s->ops->get(s, ref, path, out, err);
}

enum pm_err pm_store_list(struct pm_store *s, const char *ref,
			  const char *prefix, struct pm_strv *out,
			  struct pm_buf *err)
{
	enum pm_err ret = check_ref(ref, err);

	if (!ret && prefix && *prefix && strstr(prefix, ".."))
		ret = check_path(prefix, err);
	if (!ret)
		ret = s->ops->list(s, ref, prefix ? prefix : "", out, err);
	if (!ret)
		pm_strv_sort(out);
	return ret;
}

enum pm_err pm_store_find_same(struct pm_store *s, const char *ref,
			       const char *prefix, const void *data,
			       size_t len, char **path_out,
			       struct pm_buf *err)
{
	enum pm_err ret = check_ref(ref, err);

	*path_out = NULL;
	if (!ret && prefix && strstr(prefix, ".."))
		ret = check_path(prefix, err);
	return ret ? ret :
		     s->ops->find_same(s, ref, prefix ? prefix : "", data, len,
				       path_out, err);
}

enum pm_err pm_store_find_same_many(struct pm_store *s, const char *ref,
				    const char *prefix,
				    const char *const *data, const size_t *len,
				    size_t n, int *found, struct pm_buf *err)
{
	enum pm_err ret = check_ref(ref, err);
	size_t i;

	if (!ret && prefix && strstr(prefix, ".."))
		ret = check_path(prefix, err);
	if (ret)
		return ret;
	if (s->ops->find_same_many)
		return s->ops->find_same_many(s, ref, prefix ? prefix : "",
					      data, len, n, found, err);
	for (i = 0; !ret && i < n; i++) {
		char *path = NULL;

		ret = s->ops->find_same(s, ref, prefix ? prefix : "", data[i],
					len[i], &path, err);
		found[i] = path != NULL;
		free(path);
	}
	return ret;
}

enum pm_err pm_store_commit(struct pm_store *s, const char *branch,
			    const char *message, const struct pm_kv *meta,
			    size_t nr_meta, char id[PM_ID_MAX],
			    struct pm_buf *err)
{
	enum pm_err ret = check_branch(branch, err);

	id[0] = '\0';
	return ret ? ret :
		     s->ops->commit(s, branch, message, meta, nr_meta, id, err);
}

enum pm_err pm_store_diff(struct pm_store *s, const char *a, const char *b,
			  struct pm_diff *out, struct pm_buf *err)
{
	enum pm_err ret = check_ref(a, err);

	if (!ret)
		ret = check_ref(b, err);
	if (!ret)
		ret = s->ops->diff(s, a, b, out, err);
	if (!ret)
		pm_diff_sort(out);
	return ret;
}

enum pm_err pm_store_merge(struct pm_store *s, const char *src,
			   const char *dst, const char *message,
			   const struct pm_kv *meta, size_t nr_meta,
			   char id[PM_ID_MAX], struct pm_buf *err)
{
	enum pm_err ret = check_ref(src, err);

	id[0] = '\0';
	if (!ret)
		ret = check_branch(dst, err);
	return ret ? ret :
		     s->ops->merge(s, src, dst, message, meta, nr_meta, id,
				   err);
}

enum pm_err pm_store_revert(struct pm_store *s, const char *branch,
			    const char *commit, char id[PM_ID_MAX],
			    struct pm_buf *err)
{
	enum pm_err ret = check_branch(branch, err);

	id[0] = '\0';
	if (!ret)
		ret = check_ref(commit, err);
	return ret ? ret : s->ops->revert(s, branch, commit, id, err);
}

enum pm_err pm_store_log(struct pm_store *s, const char *ref, size_t max,
			 struct pm_commit_list *out, struct pm_buf *err)
{
	enum pm_err ret = check_ref(ref, err);

	return ret ? ret : s->ops->log(s, ref, max, out, err);
}

enum pm_err pm_store_tag(struct pm_store *s, const char *name,
			 const char *ref, struct pm_buf *err)
{
	enum pm_err ret = check_branch(name, err);

	if (!ret)
		ret = check_ref(ref, err);
	return ret ? ret : s->ops->tag(s, name, ref, err);
}

struct pm_commit_info *pm_commit_list_add(struct pm_commit_list *l)
{
	PM_ALLOC_GROW(l->c, l->nr + 1, l->alloc);
	memset(&l->c[l->nr], 0, sizeof(l->c[l->nr]));
	return &l->c[l->nr++];
}

void pm_commit_info_add_meta(struct pm_commit_info *c, const char *k,
			     const char *v)
{
	c->meta_keys = pm_xrealloc(c->meta_keys,
				   (c->nr_meta + 1) * sizeof(*c->meta_keys));
	c->meta_values = pm_xrealloc(c->meta_values, (c->nr_meta + 1) *
							     sizeof(*c->meta_values));
	c->meta_keys[c->nr_meta] = pm_xstrdup(k);
	c->meta_values[c->nr_meta] = pm_xstrdup(v);
	c->nr_meta++;
}

void pm_commit_list_release(struct pm_commit_list *l)
{
	size_t i, k;

	for (i = 0; i < l->nr; i++) {
		struct pm_commit_info *c = &l->c[i];

		free(c->message);
		for (k = 0; k < c->nr_meta; k++) {
			free(c->meta_keys[k]);
			free(c->meta_values[k]);
		}
		free(c->meta_keys);
		free(c->meta_values);
	}
	free(l->c);
	memset(l, 0, sizeof(*l));
}

void pm_diff_add(struct pm_diff *d, const char *path, enum pm_diff_kind k)
{
	PM_ALLOC_GROW(d->e, d->nr + 1, d->alloc);
	d->e[d->nr].path = pm_xstrdup(path);
	d->e[d->nr].kind = k;
	d->nr++;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct pm_diff_entry *)a)->path,
		      ((const struct pm_diff_entry *)b)->path);
}

void pm_diff_sort(struct pm_diff *d)
{
	if (d->nr)
		qsort(d->e, d->nr, sizeof(*d->e), cmp_entry);
}

void pm_diff_release(struct pm_diff *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++)
		free(d->e[i].path);
	free(d->e);
	memset(d, 0, sizeof(*d));
}

static void json_str(struct pm_buf *b, const char *s)
{
	pm_buf_add_json_str(b, s, strlen(s));
}

void pm_commit_json(struct pm_buf *b, const struct pm_commit_info *c)
{
	char ts[32];
	size_t k;

	pm_time_format(c->time, ts);
	pm_buf_addstr(b, "{\"id\": ");
	json_str(b, c->id);
	pm_buf_addf(b, ", \"time\": \"%s\", \"parents\": %zu, \"message\": ",
		    ts, c->nr_parents);
	json_str(b, c->message);
	pm_buf_addstr(b, ", \"metadata\": {");
	for (k = 0; k < c->nr_meta; k++) {
		if (k)
			pm_buf_addstr(b, ", ");
		json_str(b, c->meta_keys[k]);
		pm_buf_addstr(b, ": ");
		json_str(b, c->meta_values[k]);
	}
	pm_buf_addstr(b, "}}");
}
