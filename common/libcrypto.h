/* libcrypto, opened on first use rather than linked: the programs that hash
 * or encrypt spend most of their life doing neither, and an idle one should
 * not keep ~1 MB of libcrypto resident. One table for every user. */
#pragma once
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include "common/error.h"

struct libcrypto {
	/* SHA-256 digests */
	typeof(EVP_MD_CTX_new) *md_ctx_new;
	typeof(EVP_MD_CTX_free) *md_ctx_free;
	typeof(EVP_sha256) *sha256;
	typeof(EVP_sha1) *sha1; /* a WebSocket's accept key alone (RFC 6455) */
	typeof(EVP_DigestInit_ex) *digest_init;
	typeof(EVP_DigestUpdate) *digest_update;
	typeof(EVP_DigestFinal_ex) *digest_final;
	typeof(EVP_Digest) *digest;
	/* AES-256-GCM, random bytes and base64 */
	typeof(EVP_CIPHER_CTX_new) *cipher_ctx_new;
	typeof(EVP_CIPHER_CTX_free) *cipher_ctx_free;
	typeof(EVP_CIPHER_CTX_ctrl) *cipher_ctrl;
	typeof(EVP_aes_256_gcm) *aes_256_gcm;
	typeof(EVP_EncryptInit_ex) *encrypt_init;
	typeof(EVP_EncryptUpdate) *encrypt_update;
	typeof(EVP_EncryptFinal_ex) *encrypt_final;
	typeof(EVP_DecryptInit_ex) *decrypt_init;
	typeof(EVP_DecryptUpdate) *decrypt_update;
	typeof(EVP_DecryptFinal_ex) *decrypt_final;
	typeof(EVP_DecodeBlock) *decode_block;
	typeof(EVP_EncodeBlock) *encode_block;
	typeof(RAND_bytes) *rand_bytes;
	/* HMAC-SHA256 and its constant-time comparison */
	typeof(HMAC) *hmac;
	typeof(CRYPTO_memcmp) *memcmp_const;
};

/* The table, loaded once (thread-safe); NULL with err set (ELIBACC) when
 * libcrypto.so.3 or one of its functions is missing. */
const struct libcrypto *libcrypto(cerr *err);
