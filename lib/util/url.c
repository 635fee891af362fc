/*
 * The password part of a URL (pm25/url.h).
 */
#include "pm25/compat.h"
#include "pm25/url.h"

int pm_url_password(const char *url, size_t *off, size_t *len)
{
	const char *auth = strstr(url, "://"), *host, *end, *at, *colon;

	if (!auth)
		return -1;
	host = auth + 3;
	end = host + strcspn(host, "/?#");
	at = memrchr(host, '@', (size_t)(end - host));
	colon = at ? memchr(host, ':', (size_t)(at - host)) : NULL;
	if (!colon)
		return -1;
	*off = (size_t)(colon + 1 - url);
	*len = (size_t)(at - colon - 1);
	return 0;
}
