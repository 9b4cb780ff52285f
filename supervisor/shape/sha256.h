/* SHA-256 of a short text, for the Ids the shapes derive (net_id.c).
 * Its own, not libcrypto's: corralctl is linked statically, and a static
 * binary cannot safely dlopen libcrypto (common/libcrypto.h). */
#pragma once
#include <stddef.h>

#define DK_SHA256_LEN 32

void dk_sha256(const void *data, size_t n, unsigned char out[DK_SHA256_LEN]);
