/* bld_fetch.c: ADD's remote source: a URL (http or https) fetched by libcurl
 * into an unnamed file of the context's directory, as the caller, at most the
 * context's bound, redirects followed a few times; its name the URL path's
 * last part. */
#pragma once
#include "supervisor/build/bld_copy.h"

/* bld_fetch.c: ADD's remote sources. */
bool bld_is_url(const char *s);
/* url fetched into an unnamed file of the context's directory (*fd), at
 * most max bytes; *name the name it takes. */
int bld_fetch(bld *b, const char *url, uint64_t max, int *fd, char **name, cerr *err);
