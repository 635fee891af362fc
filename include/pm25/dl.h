/*
 * libcurl, libgit2, libpq, libmicrohttpd (the server's) and libcrypto
 * (SHA-1 for the local store's packs) are loaded
 * when first called, not when pm25 starts: an idle worker on SQLite maps
 * none of them, nor the dozens of libraries they pull in (TLS, Kerberos,
 * LDAP, SSH). A call goes through
 * DL_CURL(curl_easy_init)(), DL_GIT(git_...)(...) or DL_PQ(PQexec)(...),
 * typed from the library's own header. A library that cannot be loaded
 * is fatal: pm25 says which and exits 1.
 */
#ifndef PM25_DL_H
#define PM25_DL_H

#include <stddef.h>

typedef void (*pm_dl_fn)(void);

struct pm_dl {
	const char *soname;   /* set at build time, "" if it was not found */
	const char *fallback; /* Debian 12's soname */
	const char *package;  /* the Debian package that has it */
	void *handle;
};

extern struct pm_dl pm_dl_curl, pm_dl_git, pm_dl_pq, pm_dl_mhd, pm_dl_crypto;

/* The address of symbol name in lib, which is loaded if need be. */
pm_dl_fn pm_dl_sym(struct pm_dl *lib, const char *name);
/* Whether lib is loaded already (it is not loaded here). */
int pm_dl_loaded(const struct pm_dl *lib);
/*
 * The soname lib asks for: the build's, else the fallback. What an
 * image must hold besides the binary's own DT_NEEDED libraries.
 */
const char *pm_dl_soname(const struct pm_dl *lib);
/* The libraries above in turn, NULL past the last. */
const struct pm_dl *pm_dl_at(size_t i);

#define PM_DL(lib, fn) ((__typeof__(&fn))pm_dl_sym(&pm_dl_##lib, #fn))
#define DL_CURL(fn) PM_DL(curl, fn)
#define DL_GIT(fn) PM_DL(git, fn)
#define DL_PQ(fn) PM_DL(pq, fn)
#define DL_MHD(fn) PM_DL(mhd, fn)
#define DL_CRYPTO(fn) PM_DL(crypto, fn)

#endif
