#include "supervisor/daemon/secrets/crypto.h"
#include "common/libcrypto.h"

#include <errno.h>
#include <string.h>

void secret_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

/* libcrypto, or NULL with err set */
static const struct libcrypto *ssl_ready(cerr *err)
{
	const struct libcrypto *ssl = libcrypto(err);
	if (!ssl)
		cerr_wrap(err, "secrets");
	return ssl;
}

int secret_random(void *out, size_t n, cerr *err)
{
	const struct libcrypto *ssl = ssl_ready(err);
	if (!ssl)
		return -ELIBACC;
	return ssl->rand_bytes(out, (int)n) == 1 ? 0 : cerr_set(err, EIO, "secrets: RAND_bytes failed");
}

static void ctx_freep(EVP_CIPHER_CTX **c)
{
	if (*c) /* made, so libcrypto is loaded */
		libcrypto(NULL)->cipher_ctx_free(*c);
}

int secret_gcm_seal(const unsigned char *key, const unsigned char *nonce, const void *aad, size_t aad_len,
		    const unsigned char *in, size_t n, unsigned char *out, unsigned char tag[SECRET_TAG_LEN], cerr *err)
{
	const struct libcrypto *ssl = ssl_ready(err);
	if (!ssl)
		return -ELIBACC;
	int k;
	__attribute__((cleanup(ctx_freep))) EVP_CIPHER_CTX *c = ssl->cipher_ctx_new();
	if (!c || ssl->encrypt_init(c, ssl->aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    ssl->cipher_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SECRET_NONCE_LEN, NULL) != 1 ||
	    ssl->encrypt_init(c, NULL, NULL, key, nonce) != 1 || ssl->encrypt_update(c, NULL, &k, aad, (int)aad_len) != 1 ||
	    (n && ssl->encrypt_update(c, out, &k, in, (int)n) != 1) || ssl->encrypt_final(c, out + n, &k) != 1 ||
	    ssl->cipher_ctrl(c, EVP_CTRL_GCM_GET_TAG, SECRET_TAG_LEN, tag) != 1)
		return cerr_set(err, EIO, "secrets: AES-256-GCM encryption failed");
	return 0;
}

int secret_gcm_open(const unsigned char *key, const unsigned char *nonce, const void *aad, size_t aad_len,
		    const unsigned char *in, size_t n, const unsigned char tag[SECRET_TAG_LEN], unsigned char *out,
		    cerr *err)
{
	const struct libcrypto *ssl = ssl_ready(err);
	if (!ssl)
		return -ELIBACC;
	int k;
	__attribute__((cleanup(ctx_freep))) EVP_CIPHER_CTX *c = ssl->cipher_ctx_new();
	if (!c || ssl->decrypt_init(c, ssl->aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    ssl->cipher_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SECRET_NONCE_LEN, NULL) != 1 ||
	    ssl->decrypt_init(c, NULL, NULL, key, nonce) != 1 || ssl->decrypt_update(c, NULL, &k, aad, (int)aad_len) != 1 ||
	    (n && ssl->decrypt_update(c, out, &k, in, (int)n) != 1))
		return cerr_set(err, EIO, "secrets: AES-256-GCM decryption failed");
	if (ssl->cipher_ctrl(c, EVP_CTRL_GCM_SET_TAG, SECRET_TAG_LEN, (void *)tag) != 1 || ssl->decrypt_final(c, out + n, &k) != 1) {
		secret_wipe(out, n);
		return cerr_set(err, EBADMSG, "authentication failed (tampered with, renamed, or another host's key)");
	}
	return 0;
}
