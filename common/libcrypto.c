#include "common/libcrypto.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

static struct libcrypto table;
static char failed[256]; /* why it cannot be loaded; "" once loaded */

static void load(void)
{
	void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(failed, sizeof(failed), "cannot load libcrypto.so.3: %s", dlerror());
		return;
	}
#define SYM(f, name)                                                                \
	if (!(table.f = (typeof(table.f))dlsym(h, name))) {                         \
		snprintf(failed, sizeof(failed), "libcrypto.so.3 has no %s", name); \
		return;                                                             \
	}
	SYM(md_ctx_new, "EVP_MD_CTX_new");
	SYM(md_ctx_free, "EVP_MD_CTX_free");
	SYM(sha256, "EVP_sha256");
	SYM(digest_init, "EVP_DigestInit_ex");
	SYM(digest_update, "EVP_DigestUpdate");
	SYM(digest_final, "EVP_DigestFinal_ex");
	SYM(digest, "EVP_Digest");
	SYM(cipher_ctx_new, "EVP_CIPHER_CTX_new");
	SYM(cipher_ctx_free, "EVP_CIPHER_CTX_free");
	SYM(cipher_ctrl, "EVP_CIPHER_CTX_ctrl");
	SYM(aes_256_gcm, "EVP_aes_256_gcm");
	SYM(encrypt_init, "EVP_EncryptInit_ex");
	SYM(encrypt_update, "EVP_EncryptUpdate");
	SYM(encrypt_final, "EVP_EncryptFinal_ex");
	SYM(decrypt_init, "EVP_DecryptInit_ex");
	SYM(decrypt_update, "EVP_DecryptUpdate");
	SYM(decrypt_final, "EVP_DecryptFinal_ex");
	SYM(decode_block, "EVP_DecodeBlock");
	SYM(encode_block, "EVP_EncodeBlock");
	SYM(rand_bytes, "RAND_bytes");
#undef SYM
}

const struct libcrypto *libcrypto(cerr *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, load);
	if (failed[0]) {
		cerr_set(err, ELIBACC, "%s", failed);
		return NULL;
	}
	return &table;
}
