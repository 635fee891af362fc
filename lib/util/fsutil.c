/*
 * File-system helpers shared by every module that reads or writes files.
 */
#include "pm25/compat.h"
#include <sys/statvfs.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/fsutil.h"

enum pm_err pm_file_read(const char *path, size_t max, struct pm_buf *out,
			 struct pm_buf *err)
{
	enum pm_err ret = PM_OK;
	struct stat st;
	int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = pm_errf(err, errno == ENOENT ? PM_ERR_NOTFOUND : PM_ERR_IO,
			      "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		ret = pm_errf(err, PM_ERR_IO, "%s: is a directory", path);
		goto out;
	}
	if (st.st_size > 0 && (size_t)st.st_size > max) {
		ret = pm_errf(err, PM_ERR_LIMIT, "%s: larger than %zu bytes",
			      path, max);
		goto out;
	}
	if (st.st_size > 0)
		pm_buf_grow(out, (size_t)st.st_size);
	for (;;) {
		ssize_t n;

		if (out->len > max || pm_buf_grow(out, 65536)) {
			ret = pm_errf(err, PM_ERR_LIMIT,
				      "%s: larger than %zu bytes", path, max);
			goto out;
		}
		n = read(fd, out->buf + out->len, out->alloc - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = pm_errf(err, PM_ERR_IO, "%s: %s", path,
				      strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->buf[out->len] = '\0';
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

enum pm_err pm_atomic_open(struct pm_atomic *a, const char *path,
			   struct pm_buf *err)
{
	static unsigned seq;
	struct pm_buf tmp = PM_BUF_INIT;
	int fd;

	pm_buf_addf(&tmp, "%s.tmp-%ld-%u", path, (long)getpid(), seq++);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		enum pm_err e = pm_errno_fail(err, tmp.buf);
		pm_buf_release(&tmp);
		return e;
	}
	a->fp = fdopen(fd, "w");
	if (!a->fp)
		PM_BUG("fdopen failed");
	a->tmp = pm_buf_detach(&tmp, NULL);
	a->path = pm_xstrdup(path);
	return PM_OK;
}

static void atomic_release(struct pm_atomic *a)
{
	free(a->path);
	free(a->tmp);
	a->path = a->tmp = NULL;
	a->fp = NULL;
}

enum pm_err pm_atomic_commit(struct pm_atomic *a, struct pm_buf *err)
{
	enum pm_err ret = PM_OK;
	int bad;

	bad = ferror(a->fp);
	if (fclose(a->fp) != 0 || bad) {
		a->fp = NULL;
		if (!errno)
			errno = EIO;
		ret = pm_errno_fail(err, a->path);
		unlink(a->tmp);
		goto out;
	}
	a->fp = NULL;
	if (rename(a->tmp, a->path) != 0) {
		ret = pm_errno_fail(err, a->path);
		unlink(a->tmp);
	}
out:
	atomic_release(a);
	return ret;
}

void pm_atomic_abort(struct pm_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	if (a->tmp)
		unlink(a->tmp);
	atomic_release(a);
}

enum pm_err pm_file_write_atomic(const char *path, const void *data,
				 size_t len, struct pm_buf *err)
{
	struct pm_atomic a = PM_ATOMIC_INIT;
	enum pm_err ret;

	ret = pm_atomic_open(&a, path, err);
	if (ret)
		return ret;
	if (len && fwrite(data, 1, len, a.fp) != len) {
		int saved = errno;

		pm_atomic_abort(&a);
		errno = saved;
		return pm_errno_fail(err, path);
	}
	return pm_atomic_commit(&a, err);
}

enum pm_err pm_mkdir_p(const char *path, struct pm_buf *err)
{
	char *p = pm_xstrdup(path);
	enum pm_err ret = PM_OK;
	char *s;

	for (s = p + 1; ; s++) {
		int end = (*s == '\0');

		if (*s != '/' && !end)
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			ret = pm_errno_fail(err, p);
			goto out;
		}
		if (end)
			break;
		*s = '/';
	}
	if (!pm_is_dir(path))
		ret = pm_errf(err, PM_ERR_IO, "%s: not a directory", path);
out:
	free(p);
	return ret;
}

int pm_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

size_t pm_file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && st.st_size > 0 ? (size_t)st.st_size : 0;
}

void pm_remove_tree(const char *path)
{
	struct pm_buf sub = PM_BUF_INIT;
	struct dirent *de;
	DIR *d = opendir(path);

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		pm_buf_setf(&sub, "%s/%s", path, de->d_name);
		if (pm_is_dir(sub.buf))
			pm_remove_tree(sub.buf);
		else
			unlink(sub.buf);
	}
	closedir(d);
	rmdir(path);
	pm_buf_release(&sub);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum pm_err pm_dir_list(const char *dir, const char *suffix, char ***names,
			size_t *nr, struct pm_buf *err)
{
	size_t n = 0, alloc = 0, slen = strlen(suffix);
	char **v = NULL;
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return pm_errf(err, PM_ERR_IO, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct pm_buf full = PM_BUF_INIT;
		struct stat st;

		if (len < slen || strcmp(de->d_name + len - slen, suffix))
			continue;
		pm_buf_addf(&full, "%s/%s", dir, de->d_name);
		if (stat(full.buf, &st) != 0 || !S_ISREG(st.st_mode)) {
			pm_buf_release(&full);
			continue;
		}
		PM_ALLOC_GROW(v, n + 2, alloc);
		v[n++] = pm_buf_detach(&full, NULL);
	}
	closedir(d);
	if (!v)
		v = pm_xcalloc(1, sizeof(*v));
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	*names = v;
	*nr = n;
	return PM_OK;
}

void pm_strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

int pm_disk_full(const char *path)
{
	struct statvfs v;

	if (statvfs(path, &v))
		return errno == ENOSPC;
	return (uint64_t)v.f_bavail * v.f_frsize < (64u << 10) ||
	       (v.f_files && v.f_favail == 0);
}

enum pm_err pm_errno_fail(struct pm_buf *err, const char *path)
{
	int saved = errno;

	if (saved == ENOSPC || saved == EDQUOT) {
		const char *slash = strrchr(path, '/');

		return pm_errf(err, PM_ERR_IO,
			       "%s: no space left on the disk holding %.*s",
			       path, slash ? (int)(slash - path) : 1,
			       slash ? path : ".");
	}
	return pm_errf(err, PM_ERR_IO, "%s: %s", path, strerror(saved));
}
