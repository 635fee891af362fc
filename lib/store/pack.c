/*
 * Writing many blobs at once as one git pack. Two threads hash and
 * compress the blobs (SHA-1 from libcrypto, zlib streams from
 * libdeflate, several times faster than zlib's own at its fastest
 * level); the calling thread then writes objects/pack/pack-<sha>.pack
 * and its version 2 .idx, each under a temporary name first, so a
 * reader sees a whole pack or none. The caller owns the blobs; the pack
 * writer owns its buffers until it returns.
 */
#include "pm25/compat.h"
#include <fcntl.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pm25/alloc.h"
#include "pm25/buf.h"
#include "pm25/dl.h"
#include "pm25/fsutil.h"
#include "pack.h"

#define SHA1_LEN 20

struct packed {
	unsigned char *z; /* owned: the zlib stream */
	size_t zlen;
	int failed;
};

struct hash_job {
	struct pm_pack_blob *b;
	struct packed *p;
	size_t n, from, step; /* blobs from, from + step, ... */
};

/* SHA-1 of the parts, one after the other. */
static int sha1(const void *const *part, const size_t *len, size_t n,
		unsigned char out[SHA1_LEN])
{
	EVP_MD_CTX *c = DL_CRYPTO(EVP_MD_CTX_new)();
	unsigned int olen = 0;
	int ok = c &&
		 DL_CRYPTO(EVP_DigestInit_ex)(c, DL_CRYPTO(EVP_sha1)(), NULL);
	size_t i;

	for (i = 0; ok && i < n; i++)
		ok = DL_CRYPTO(EVP_DigestUpdate)(c, part[i], len[i]);
	ok = ok && DL_CRYPTO(EVP_DigestFinal_ex)(c, out, &olen) &&
	     olen == SHA1_LEN;
	DL_CRYPTO(EVP_MD_CTX_free)(c);
	return ok ? 0 : -1;
}

static void *hash_main(void *arg)
{
	struct hash_job *j = arg;
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(1);
	size_t i;

	for (i = j->from; i < j->n; i += j->step) {
		struct pm_pack_blob *b = &j->b[i];
		struct packed *p = &j->p[i];
		char hdr[32];
		const void *part[2] = { hdr, b->data };
		size_t len[2], bound;

		len[0] =
			(size_t)snprintf(hdr, sizeof(hdr), "blob %zu", b->len) +
			1;
		len[1] = b->len;
		if (!c || sha1(part, len, 2, b->id)) {
			p->failed = 1;
			continue;
		}
		bound = libdeflate_zlib_compress_bound(c, b->len);
		p->z = pm_xmalloc(bound);
		p->zlen = libdeflate_zlib_compress(c, b->data, b->len, p->z,
						   bound);
		p->failed = !p->zlen;
	}
	if (c)
		libdeflate_free_compressor(c);
	return NULL;
}

/* A file being written, with the SHA-1 of everything written so far. */
struct out {
	int fd;
	EVP_MD_CTX *sha;
	unsigned char buf[1 << 16];
	size_t nbuf;
	uint64_t off;
	int failed;
};

static int out_flush(struct out *o)
{
	size_t done = 0;

	while (!o->failed && done < o->nbuf) {
		ssize_t w = write(o->fd, o->buf + done, o->nbuf - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			o->failed = 1;
		else
			done += (size_t)w;
	}
	o->nbuf = 0;
	return o->failed ? -1 : 0;
}

static void out_add(struct out *o, const void *data, size_t len)
{
	const unsigned char *p = data;

	if (!o->failed && !DL_CRYPTO(EVP_DigestUpdate)(o->sha, data, len))
		o->failed = 1;
	o->off += len;
	while (len && !o->failed) {
		size_t n = sizeof(o->buf) - o->nbuf;

		if (n > len)
			n = len;
		memcpy(o->buf + o->nbuf, p, n);
		o->nbuf += n;
		p += n;
		len -= n;
		if (o->nbuf == sizeof(o->buf))
			out_flush(o);
	}
}

static void out_be32(struct out *o, uint32_t v)
{
	unsigned char b[4] = { (unsigned char)(v >> 24),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 8), (unsigned char)v };

	out_add(o, b, 4);
}

/* Write the checksum of what came before, and close; 0 on success. */
static int out_finish(struct out *o, unsigned char sum[SHA1_LEN])
{
	unsigned int n = 0;

	if (!o->failed &&
	    !(DL_CRYPTO(EVP_DigestFinal_ex)(o->sha, sum, &n) && n == SHA1_LEN))
		o->failed = 1;
	if (!o->failed) {
		memcpy(o->buf + o->nbuf, sum, SHA1_LEN); /* not hashed */
		o->nbuf += SHA1_LEN;
		if (o->nbuf > sizeof(o->buf) - SHA1_LEN)
			out_flush(o);
	}
	out_flush(o);
	if (fsync(o->fd))
		o->failed = 1;
	if (close(o->fd))
		o->failed = 1;
	DL_CRYPTO(EVP_MD_CTX_free)(o->sha);
	return o->failed ? -1 : 0;
}

/* Open a new file from template path (mkstemp's), read-only once done. */
static int out_open(struct out *o, char *path)
{
	memset(o, 0, sizeof(*o));
	o->fd = mkstemp(path);
	if (o->fd < 0)
		return -1;
	o->sha = DL_CRYPTO(EVP_MD_CTX_new)();
	if (fchmod(o->fd, 0444) || !o->sha ||
	    !DL_CRYPTO(EVP_DigestInit_ex)(o->sha, DL_CRYPTO(EVP_sha1)(),
					  NULL)) {
		close(o->fd);
		unlink(path);
		DL_CRYPTO(EVP_MD_CTX_free)(o->sha);
		return -1;
	}
	return 0;
}

struct key {
	unsigned char id[SHA1_LEN];
	size_t at; /* the blob */
};

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = memcmp(x->id, y->id, SHA1_LEN);

	return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

static int cmp_at(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* The pack object header: type 3 (blob) and the size, 7 bits a byte. */
static size_t obj_header(size_t size, unsigned char *h)
{
	size_t n = 0;

	h[n] = (unsigned char)(0x30 | (size & 15));
	size >>= 4;
	while (size) {
		h[n++] |= 0x80;
		h[n] = (unsigned char)(size & 0x7f);
		size >>= 7;
	}
	return n + 1;
}

/* A temporary file's failure, naming the full disk if it is that. */
static int write_failed(const char *objects_dir, const char *path,
			struct pm_buf *err)
{
	pm_errf(err, PM_ERR_IO, "%s: %s", path,
		pm_disk_full(objects_dir) ? "no space left on the disk" :
					    strerror(errno ? errno : EIO));
	return -1;
}

int pm_pack_write_blobs(const char *objects_dir, struct pm_pack_blob *b,
			size_t n, struct pm_buf *err)
{
	struct packed *p = pm_xcalloc(n + 1, sizeof(*p));
	struct key *keys = pm_xcalloc(n + 1, sizeof(*keys));
	uint64_t *off = pm_xcalloc(n + 1, sizeof(*off));
	uint32_t *crc = pm_xcalloc(n + 1, sizeof(*crc));
	struct pm_buf tmp_pack = PM_BUF_INIT, tmp_idx = PM_BUF_INIT,
		      path = PM_BUF_INIT;
	unsigned char pack_sum[SHA1_LEN], idx_sum[SHA1_LEN];
	struct hash_job jobs[2];
	size_t i, k, nu = 0, nlarge = 0;
	struct out o;
	pthread_t th;
	int threaded, rc = -1, have_pack = 0, have_idx = 0;
	char hex[2 * SHA1_LEN + 1];

	/* hash and compress: this thread takes every other blob */
	for (i = 0; i < 2; i++) {
		jobs[i].b = b;
		jobs[i].p = p;
		jobs[i].n = n;
		jobs[i].from = i;
		jobs[i].step = 2;
	}
	threaded = n > 1 && !pthread_create(&th, NULL, hash_main, &jobs[1]);
	if (!threaded)
		jobs[0].step = 1;
	hash_main(&jobs[0]);
	if (threaded)
		pthread_join(th, NULL);
	for (i = 0; i < n; i++)
		if (p[i].failed) {
			pm_errf(err, PM_ERR_IO,
				"pack: hashing or compressing a blob failed");
			goto out;
		}

	/* each object once: by id, the first blob of equal ones */
	for (i = 0; i < n; i++) {
		memcpy(keys[i].id, b[i].id, SHA1_LEN);
		keys[i].at = i;
	}
	qsort(keys, n, sizeof(*keys), cmp_key);
	for (i = 0; i < n; i++)
		if (!nu || memcmp(keys[i].id, keys[nu - 1].id, SHA1_LEN))
			keys[nu++] = keys[i];

	/* the pack, its objects in the order they were put */
	pm_buf_addf(&path, "%s/pack", objects_dir);
	if (pm_mkdir_p(path.buf, err))
		goto out;
	pm_buf_addf(&tmp_pack, "%s/pack/tmp_pack_XXXXXX", objects_dir);
	if (out_open(&o, tmp_pack.buf)) {
		write_failed(objects_dir, tmp_pack.buf, err);
		goto out;
	}
	have_pack = 1;
	out_add(&o, "PACK", 4);
	out_be32(&o, 2);
	out_be32(&o, (uint32_t)nu);
	qsort(keys, nu, sizeof(*keys), cmp_at);
	for (k = 0; k < nu; k++) {
		size_t j = keys[k].at;
		unsigned char h[16];
		size_t hl = obj_header(b[j].len, h);

		off[j] = o.off;
		crc[j] = libdeflate_crc32(0, h, hl);
		crc[j] = libdeflate_crc32(crc[j], p[j].z, p[j].zlen);
		out_add(&o, h, hl);
		out_add(&o, p[j].z, p[j].zlen);
	}
	if (out_finish(&o, pack_sum)) {
		write_failed(objects_dir, tmp_pack.buf, err);
		goto out;
	}

	/* the index: fan-out, ids, CRCs, offsets (large ones after) */
	qsort(keys, nu, sizeof(*keys), cmp_key);
	pm_buf_addf(&tmp_idx, "%s/pack/tmp_idx_XXXXXX", objects_dir);
	if (out_open(&o, tmp_idx.buf)) {
		write_failed(objects_dir, tmp_idx.buf, err);
		goto out;
	}
	have_idx = 1;
	out_add(&o, "\377tOc", 4);
	out_be32(&o, 2);
	for (i = 0, k = 0; i < 256; i++) {
		while (k < nu && keys[k].id[0] <= i)
			k++;
		out_be32(&o, (uint32_t)k);
	}
	for (k = 0; k < nu; k++)
		out_add(&o, keys[k].id, SHA1_LEN);
	for (k = 0; k < nu; k++)
		out_be32(&o, crc[keys[k].at]);
	for (k = 0; k < nu; k++) {
		uint64_t v = off[keys[k].at];

		out_be32(&o, v < 0x80000000u ?
				     (uint32_t)v :
				     0x80000000u | (uint32_t)nlarge++);
	}
	for (k = 0; k < nu; k++) {
		uint64_t v = off[keys[k].at];

		if (v >= 0x80000000u) {
			out_be32(&o, (uint32_t)(v >> 32));
			out_be32(&o, (uint32_t)v);
		}
	}
	out_add(&o, pack_sum, SHA1_LEN);
	if (out_finish(&o, idx_sum)) {
		write_failed(objects_dir, tmp_idx.buf, err);
		goto out;
	}

	/* the pack first, then the index that makes it seen */
	for (i = 0; i < SHA1_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", pack_sum[i]);
	pm_buf_setf(&path, "%s/pack/pack-%s.pack", objects_dir, hex);
	if (rename(tmp_pack.buf, path.buf)) {
		write_failed(objects_dir, path.buf, err);
		goto out;
	}
	have_pack = 0;
	pm_buf_setf(&path, "%s/pack/pack-%s.idx", objects_dir, hex);
	if (rename(tmp_idx.buf, path.buf)) {
		write_failed(objects_dir, path.buf, err);
		goto out;
	}
	have_idx = 0;
	rc = 0;
out:
	if (have_pack)
		unlink(tmp_pack.buf);
	if (have_idx)
		unlink(tmp_idx.buf);
	for (i = 0; i < n; i++)
		free(p[i].z);
	free(p);
	free(keys);
	free(off);
	free(crc);
	pm_buf_release(&tmp_pack);
	pm_buf_release(&tmp_idx);
	pm_buf_release(&path);
	return rc;
}
