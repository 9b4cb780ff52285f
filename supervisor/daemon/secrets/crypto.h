/* AES-256-GCM for the secret store, through OpenSSL's EVP. libcrypto is
 * opened on first use (common/libcrypto.h): an idle corrald that
 * never touches a secret keeps it unmapped. */
#pragma once
#include <stddef.h>
#include "common/error.h"

#define SECRET_KEY_LEN 32
#define SECRET_NONCE_LEN 12
#define SECRET_TAG_LEN 16

/* n random bytes from OpenSSL's CSPRNG. */
int secret_random(void *out, size_t n, cerr *err);
/* Encrypt in[n] into out[n] under key and nonce, with aad; the tag out. */
int secret_gcm_seal(const unsigned char *key, const unsigned char *nonce, const void *aad, size_t aad_len,
		    const unsigned char *in, size_t n, unsigned char *out, unsigned char tag[SECRET_TAG_LEN], cerr *err);
/* Decrypt and check the tag: -EBADMSG when the data, the tag, the aad or
 * the key do not match. */
int secret_gcm_open(const unsigned char *key, const unsigned char *nonce, const void *aad, size_t aad_len,
		    const unsigned char *in, size_t n, const unsigned char tag[SECRET_TAG_LEN], unsigned char *out,
		    cerr *err);
/* Wipe what held a secret (explicit_bzero: never optimised away). */
void secret_wipe(void *p, size_t n);
