/* corral-sign KEY REFERENCE DIGEST: cosign's simple signing payload for the
 * manifest digest, as REFERENCE names it, signed with KEY (a PEM Ed25519
 * private key); the detached signature document {"payload", "signature"}
 * (both base64) on stdout. corralctl image sign runs it, so that corralctl
 * links no OpenSSL and the private key never leaves the client. */
#include "common/cleanup.h"
#include "common/cli_error.h"
#include "common/json.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void pkey_freep(EVP_PKEY **k) { EVP_PKEY_free(*k); }
static inline void md_ctx_freep(EVP_MD_CTX **c) { EVP_MD_CTX_free(*c); }

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cli_verror("corralctl: image sign", NULL, fmt, ap); /* it speaks for corralctl */
	va_end(ap);
	return 1;
}

static char *base64(const unsigned char *b, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, b, (int)n);
	return out;
}

static char *payload_of(const char *ref, const char *digest, size_t *len)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key(g, "critical") || yajl_gen_map_open(g) || jg_key(g, "identity") ||
	    yajl_gen_map_open(g) || jg_key_str(g, "docker-reference", ref) || yajl_gen_map_close(g) ||
	    jg_key(g, "image") || yajl_gen_map_open(g) || jg_key_str(g, "docker-manifest-digest", digest) ||
	    yajl_gen_map_close(g) || jg_key_str(g, "type", "cosign container image signature") ||
	    yajl_gen_map_close(g) || jg_key(g, "optional") || yajl_gen_null(g) || yajl_gen_map_close(g))
		return NULL;
	return jg_finish(g, len);
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return fail("usage: corral-sign KEY REFERENCE DIGEST");
	const char *keyfile = argv[1], *ref = argv[2], *digest = argv[3];
	/* no openssl.cnf: nothing is loaded that the signature does not need */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	FILE *f = fopen(keyfile, "re");
	if (!f)
		return fail("%s: %s", keyfile, strerror(errno));
	_cleanup_(pkey_freep) EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (!k || EVP_PKEY_id(k) != EVP_PKEY_ED25519)
		return fail("%s: not a PEM Ed25519 private key (openssl genpkey -algorithm ed25519)", keyfile);
	size_t len;
	_cleanup_free_ char *payload = payload_of(ref, digest, &len);
	unsigned char sig[64];
	size_t n = sizeof(sig);
	_cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!payload || !ctx || EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) != 1 ||
	    EVP_DigestSign(ctx, sig, &n, (const unsigned char *)payload, len) != 1)
		return fail("%s: OpenSSL could not sign with it", keyfile);
	_cleanup_free_ char *p64 = base64((const unsigned char *)payload, len);
	_cleanup_free_ char *s64 = base64(sig, n);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!p64 || !s64 || !g || yajl_gen_map_open(g) || jg_key_str(g, "payload", p64) ||
	    jg_key_str(g, "signature", s64) || yajl_gen_map_close(g))
		return fail("out of memory");
	_cleanup_free_ char *doc = jg_finish(g, NULL);
	if (!doc || printf("%s\n", doc) < 0 || fflush(stdout))
		return fail("stdout: %s", strerror(errno));
	return 0;
}
