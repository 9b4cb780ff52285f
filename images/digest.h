/* SHA-256 content digests: streaming hashes and "sha256:<hex>" strings. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"

#define DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex + NUL */
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN + 1)

typedef struct digest_ctx digest_ctx;

/* NULL when out of memory or when libcrypto cannot be loaded (it is
 * dlopen'ed on first use). */
digest_ctx *digest_new(void);
void digest_free(digest_ctx *d);
static inline void digest_freep(digest_ctx **d) { digest_free(*d); }
#define _cleanup_digest_ __attribute__((cleanup(digest_freep)))
void digest_update(digest_ctx *d, const void *data, size_t len);
/* Finish into out ("sha256:<hex>"); the context is reset for reuse. */
void digest_final(digest_ctx *d, char out[static DIGEST_STR_LEN]);

/* One-shot digest of a buffer; fails only when libcrypto cannot be loaded. */
int digest_buf(const void *data, size_t len, char out[static DIGEST_STR_LEN], cerr *err);

/* A well-formed "sha256:<64 lowercase hex>"; other algorithms are refused
 * because nothing else is verified. */
bool digest_valid(const char *s);
/* The hex part of a valid digest. */
static inline const char *digest_hex(const char *s) { return s + 7; }
/* Short form for display: the first 12 hex digits. */
void digest_short(const char *digest, char out[static 13]);
/* Parse and validate a digest, with a one-line error naming `what`. */
int digest_check(const char *s, const char *what, cerr *err);
