#include "common/libcrypto.h"
#include "common/cleanup.h"
#include "common/dlib.h"


static struct libcrypto table;

#define SYM(f, name) DLIB_SYM(struct libcrypto, f, name)
static const struct dlib_sym syms[] = {
	SYM(md_ctx_new, "EVP_MD_CTX_new"),
	SYM(md_ctx_free, "EVP_MD_CTX_free"),
	SYM(sha256, "EVP_sha256"),
	SYM(sha1, "EVP_sha1"),
	SYM(digest_init, "EVP_DigestInit_ex"),
	SYM(digest_update, "EVP_DigestUpdate"),
	SYM(digest_final, "EVP_DigestFinal_ex"),
	SYM(digest, "EVP_Digest"),
	SYM(cipher_ctx_new, "EVP_CIPHER_CTX_new"),
	SYM(cipher_ctx_free, "EVP_CIPHER_CTX_free"),
	SYM(cipher_ctrl, "EVP_CIPHER_CTX_ctrl"),
	SYM(aes_256_gcm, "EVP_aes_256_gcm"),
	SYM(encrypt_init, "EVP_EncryptInit_ex"),
	SYM(encrypt_update, "EVP_EncryptUpdate"),
	SYM(encrypt_final, "EVP_EncryptFinal_ex"),
	SYM(decrypt_init, "EVP_DecryptInit_ex"),
	SYM(decrypt_update, "EVP_DecryptUpdate"),
	SYM(decrypt_final, "EVP_DecryptFinal_ex"),
	SYM(decode_block, "EVP_DecodeBlock"),
	SYM(encode_block, "EVP_EncodeBlock"),
	SYM(rand_bytes, "RAND_bytes"),
	SYM(hmac, "HMAC"),
	SYM(memcmp_const, "CRYPTO_memcmp"),
};
#undef SYM

static struct dlib lib = DLIB_INIT("libcrypto.so.3", syms, &table);

const struct libcrypto *libcrypto(cerr *err)
{
	return dlib_get(&lib, err);
}
