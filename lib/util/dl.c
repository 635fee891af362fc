/*
 * Loading the heavy libraries on first use (see pm25/dl.h). Their
 * sonames come from the build (-DPM_SO_CURL=...), so that the binary
 * asks for exactly the versions it was compiled against.
 */
#include "pm25/compat.h"
#include <dlfcn.h>
#include <pthread.h>
#include "pm25/dl.h"
#include "pm25/log.h"

/* The sonames Debian 12 has, should the build not have found them. */
#ifndef PM_SO_CURL
#define PM_SO_CURL ""
#endif
#ifndef PM_SO_GIT
#define PM_SO_GIT ""
#endif
#ifndef PM_SO_PQ
#define PM_SO_PQ ""
#endif
#ifndef PM_SO_MHD
#define PM_SO_MHD ""
#endif
#ifndef PM_SO_CRYPTO
#define PM_SO_CRYPTO ""
#endif

struct pm_dl pm_dl_curl = { PM_SO_CURL, "libcurl.so.4", "libcurl4", NULL };
struct pm_dl pm_dl_git = { PM_SO_GIT, "libgit2.so.1.5", "libgit2-1.5", NULL };
struct pm_dl pm_dl_pq = { PM_SO_PQ, "libpq.so.5", "libpq5", NULL };
struct pm_dl pm_dl_mhd = { PM_SO_MHD, "libmicrohttpd.so.12", "libmicrohttpd12",
			   NULL };
struct pm_dl pm_dl_crypto = { PM_SO_CRYPTO, "libcrypto.so.3", "libssl3", NULL };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void *load(struct pm_dl *lib)
{
	void *h;

	pthread_mutex_lock(&lock);
	if (!lib->handle && !*lib->soname)
		lib->soname = lib->fallback;
	if (!lib->handle)
		__atomic_store_n(&lib->handle,
				 dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL),
				 __ATOMIC_RELEASE);
	h = lib->handle;
	pthread_mutex_unlock(&lock);
	if (!h) {
		fprintf(stderr, "pm25: cannot load %s (%s): install %s\n",
			lib->soname, dlerror(), lib->package);
		exit(1);
	}
	return h;
}

pm_dl_fn pm_dl_sym(struct pm_dl *lib, const char *name)
{
	void *h = __atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE);
	void *p;
	pm_dl_fn fn;

	if (!h)
		h = load(lib);
	p = dlsym(h, name);
	if (!p) {
		fprintf(stderr,
			"pm25: %s has no %s: install the %s that pm25 "
			"was built with\n",
			lib->soname, name, lib->package);
		exit(1);
	}
	/* ISO C has no cast from an object pointer to a function pointer */
	memcpy(&fn, &p, sizeof(fn));
	return fn;
}

int pm_dl_loaded(const struct pm_dl *lib)
{
	return __atomic_load_n(&lib->handle, __ATOMIC_ACQUIRE) != NULL;
}

const char *pm_dl_soname(const struct pm_dl *lib)
{
	return *lib->soname ? lib->soname : lib->fallback;
}

const struct pm_dl *pm_dl_at(size_t i)
{
	static const struct pm_dl *const all[] = { &pm_dl_curl, &pm_dl_git,
						   &pm_dl_pq, &pm_dl_mhd,
						   &pm_dl_crypto };

	return i < PM_ARRAY_SIZE(all) ? all[i] : NULL;
}
