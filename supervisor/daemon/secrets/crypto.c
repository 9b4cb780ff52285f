#include "supervisor/daemon/secrets/crypto.h"

#include <dlfcn.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

static struct {
	typeof(EVP_CIPHER_CTX_new) *ctx_new;
	typeof(EVP_CIPHER_CTX_free) *ctx_free;
	typeof(EVP_CIPHER_CTX_ctrl) *ctrl;
	typeof(EVP_aes_256_gcm) *gcm;
	typeof(EVP_EncryptInit_ex) *enc_init;
	typeof(EVP_EncryptUpdate) *enc_update;
	typeof(EVP_EncryptFinal_ex) *enc_final;
	typeof(EVP_DecryptInit_ex) *dec_init;
	typeof(EVP_DecryptUpdate) *dec_update;
	typeof(EVP_DecryptFinal_ex) *dec_final;
	typeof(EVP_DecodeBlock) *decode;
	typeof(RAND_bytes) *rand;
	typeof(OPENSSL_cleanse) *cleanse;
	int state; /* 0: not tried, 1: ready, -1: not available */
} ssl;

static int ssl_ready(cerr *err)
{
	if (ssl.state == 0) {
		ssl.state = -1;
		void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
		if (!h)
			return cerr_set(err, ENOPKG, "secrets: cannot load libcrypto.so.3: %s", dlerror());
#define SYM(f, name) if (!(ssl.f = (typeof(ssl.f))dlsym(h, name))) return cerr_set(err, ENOPKG, "secrets: libcrypto has no %s", name)
		SYM(ctx_new, "EVP_CIPHER_CTX_new");
		SYM(ctx_free, "EVP_CIPHER_CTX_free");
		SYM(ctrl, "EVP_CIPHER_CTX_ctrl");
		SYM(gcm, "EVP_aes_256_gcm");
		SYM(enc_init, "EVP_EncryptInit_ex");
		SYM(enc_update, "EVP_EncryptUpdate");
		SYM(enc_final, "EVP_EncryptFinal_ex");
		SYM(dec_init, "EVP_DecryptInit_ex");
		SYM(dec_update, "EVP_DecryptUpdate");
		SYM(dec_final, "EVP_DecryptFinal_ex");
		SYM(decode, "EVP_DecodeBlock");
		SYM(rand, "RAND_bytes");
		SYM(cleanse, "OPENSSL_cleanse");
#undef SYM
		ssl.state = 1;
	}
	return ssl.state == 1 ? 0 : cerr_set(err, ENOPKG, "secrets: libcrypto.so.3 is not usable");
}

void secret_wipe(void *p, size_t n)
{
	if (ssl.state == 1)
		ssl.cleanse(p, n);
	else
		explicit_bzero(p, n);
}

int secret_random(void *out, size_t n, cerr *err)
{
	int r = ssl_ready(err);
	if (r < 0)
		return r;
	return ssl.rand(out, (int)n) == 1 ? 0 : cerr_set(err, EIO, "secrets: RAND_bytes failed");
}

static void ctx_freep(EVP_CIPHER_CTX **c)
{
	if (*c)
		ssl.ctx_free(*c);
}

int secret_gcm_seal(const unsigned char *key, const unsigned char *nonce, const void *aad, size_t aad_len,
		    const unsigned char *in, size_t n, unsigned char *out, unsigned char tag[SECRET_TAG_LEN], cerr *err)
{
	int r = ssl_ready(err), k;
	if (r < 0)
		return r;
	__attribute__((cleanup(ctx_freep))) EVP_CIPHER_CTX *c = ssl.ctx_new();
	if (!c || ssl.enc_init(c, ssl.gcm(), NULL, NULL, NULL) != 1 ||
	    ssl.ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SECRET_NONCE_LEN, NULL) != 1 ||
	    ssl.enc_init(c, NULL, NULL, key, nonce) != 1 || ssl.enc_update(c, NULL, &k, aad, (int)aad_len) != 1 ||
	    (n && ssl.enc_update(c, out, &k, in, (int)n) != 1) || ssl.enc_final(c, out + n, &k) != 1 ||
	    ssl.ctrl(c, EVP_CTRL_GCM_GET_TAG, SECRET_TAG_LEN, tag) != 1)
		return cerr_set(err, EIO, "secrets: AES-256-GCM encryption failed");
	return 0;
}

int secret_gcm_open(const unsigned char *key, const unsigned char *nonce, const void *aad, size_t aad_len,
		    const unsigned char *in, size_t n, const unsigned char tag[SECRET_TAG_LEN], unsigned char *out,
		    cerr *err)
{
	int r = ssl_ready(err), k;
	if (r < 0)
		return r;
	__attribute__((cleanup(ctx_freep))) EVP_CIPHER_CTX *c = ssl.ctx_new();
	if (!c || ssl.dec_init(c, ssl.gcm(), NULL, NULL, NULL) != 1 ||
	    ssl.ctrl(c, EVP_CTRL_GCM_SET_IVLEN, SECRET_NONCE_LEN, NULL) != 1 ||
	    ssl.dec_init(c, NULL, NULL, key, nonce) != 1 || ssl.dec_update(c, NULL, &k, aad, (int)aad_len) != 1 ||
	    (n && ssl.dec_update(c, out, &k, in, (int)n) != 1))
		return cerr_set(err, EIO, "secrets: AES-256-GCM decryption failed");
	if (ssl.ctrl(c, EVP_CTRL_GCM_SET_TAG, SECRET_TAG_LEN, (void *)tag) != 1 || ssl.dec_final(c, out + n, &k) != 1) {
		secret_wipe(out, n);
		return cerr_set(err, EBADMSG, "authentication failed (tampered with, renamed, or another host's key)");
	}
	return 0;
}

long secret_base64_decode(const char *text, size_t len, unsigned char *out, size_t max)
{
	cerr err = { 0 };
	if (ssl_ready(&err) < 0) {
		cerr_clear(&err);
		return -ENOPKG;
	}
	if (len / 4 * 3 > max + 2)
		return -EFBIG;
	if (len % 4 || strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != len)
		return -EINVAL;
	if (len == 0)
		return 0;
	int n = ssl.decode(out, (const unsigned char *)text, (int)len);
	if (n < 0)
		return -EINVAL;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	n -= (text[len - 1] == '=') + (text[len - 2] == '=');
	return (size_t)n > max ? -EFBIG : n;
}
