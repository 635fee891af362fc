/*
 * Where a URL keeps its password: the secret of user:password@ in its
 * authority. Shared by everything that shows or logs a URL.
 */
#ifndef PM25_URL_H
#define PM25_URL_H

#include <stddef.h>

/*
 * The password of url's user:password@ (a view into url, borrowed) at
 * url[*off], *len bytes; 0 if it has none, -1 if url names no password.
 */
int pm_url_password(const char *url, size_t *off, size_t *len);

#endif
