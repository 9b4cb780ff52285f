/* spdy_headers.c: SPDY/3's name/value blocks: a count, then each name and
 * value with a 4-byte length, the whole compressed on the session's zlib
 * stream of that direction, primed with SPDY/3's dictionary. */
#pragma once
#include "supervisor/stream/spdy.h"

void spdy_headers_release(spdy_headers *hs);
/* The value of name, or NULL */
const char *spdy_header_get(const spdy_headers *hs, const char *name);
void spdy_zlib_release(spdy_zlib *z);
/* A compressed block of n bytes into hs: 0, or < 0 with err when it does not
 * inflate, inflates past max bytes (a compression bomb), or is not a
 * well-formed name/value block of at most max_pairs pairs */
int spdy_headers_decode(spdy_zlib *z, const uint8_t *p, size_t n, size_t max, size_t max_pairs, spdy_headers *hs,
			cerr *err);
/* The n pairs, compressed, appended to out: 0, or -1 */
int spdy_headers_encode(spdy_zlib *z, const spdy_header *h, size_t n, strbuf *out);
/* The dictionary, for the tests (its adler32 is SPDY/3's 0xe3c6a7c2) */
const uint8_t *spdy_dictionary(size_t *len);
