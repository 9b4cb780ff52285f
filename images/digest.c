#include "images/digest.h"

#include <dlfcn.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libcrypto is opened on the first digest, not at exec: corrald links this
 * code but most of its life never hashes anything, and an idle daemon should
 * not keep ~1 MB of libcrypto resident. */
static struct {
	typeof(EVP_MD_CTX_new) *ctx_new;
	typeof(EVP_MD_CTX_free) *ctx_free;
	typeof(EVP_sha256) *sha256;
	typeof(EVP_DigestInit_ex) *init;
	typeof(EVP_DigestUpdate) *update;
	typeof(EVP_DigestFinal_ex) *final;
	typeof(EVP_Digest) *oneshot;
	bool ok;
} ssl;

static void ssl_load(void)
{
	void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
#define SYM(f, name) if (!(ssl.f = (typeof(ssl.f))dlsym(h, name))) return
	SYM(ctx_new, "EVP_MD_CTX_new");
	SYM(ctx_free, "EVP_MD_CTX_free");
	SYM(sha256, "EVP_sha256");
	SYM(init, "EVP_DigestInit_ex");
	SYM(update, "EVP_DigestUpdate");
	SYM(final, "EVP_DigestFinal_ex");
	SYM(oneshot, "EVP_Digest");
#undef SYM
	ssl.ok = true;
}

static bool ssl_ready(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, ssl_load);
	return ssl.ok;
}

struct digest_ctx {
	EVP_MD_CTX *md;
};

digest_ctx *digest_new(void)
{
	if (!ssl_ready())
		return NULL;
	digest_ctx *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->md = ssl.ctx_new();
	if (!d->md || ssl.init(d->md, ssl.sha256(), NULL) != 1) {
		ssl.ctx_free(d->md);
		free(d);
		return NULL;
	}
	return d;
}

void digest_free(digest_ctx *d)
{
	if (!d)
		return;
	ssl.ctx_free(d->md);
	free(d);
}

void digest_update(digest_ctx *d, const void *data, size_t len)
{
	if (len)
		ssl.update(d->md, data, len);
}

static void to_hex(const unsigned char *raw, unsigned n, char out[static DIGEST_STR_LEN])
{
	static const char hx[] = "0123456789abcdef";
	memcpy(out, "sha256:", 7);
	for (unsigned i = 0; i < n && i < 32; i++) {
		out[7 + 2 * i] = hx[raw[i] >> 4];
		out[8 + 2 * i] = hx[raw[i] & 15];
	}
	out[7 + DIGEST_HEX_LEN] = '\0';
}

void digest_final(digest_ctx *d, char out[static DIGEST_STR_LEN])
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	ssl.final(d->md, raw, &n);
	to_hex(raw, n, out);
	ssl.init(d->md, ssl.sha256(), NULL);
}

int digest_buf(const void *data, size_t len, char out[static DIGEST_STR_LEN], cerr *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	out[0] = '\0';
	if (!ssl_ready())
		return cerr_set(err, ELIBACC, "sha256: cannot load libcrypto.so.3: %s", dlerror() ?: "missing symbols");
	if (ssl.oneshot(data, len, raw, &n, ssl.sha256(), NULL) != 1 || n != 32)
		return cerr_set(err, EIO, "sha256: EVP_Digest failed");
	to_hex(raw, n, out);
	return 0;
}

bool digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7) != 0)
		return false;
	s += 7;
	size_t i = 0;
	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == DIGEST_HEX_LEN;
}

void digest_short(const char *digest, char out[static 13])
{
	const char *h = strncmp(digest, "sha256:", 7) == 0 ? digest + 7 : digest;
	snprintf(out, 13, "%s", h);
}

int digest_check(const char *s, const char *what, cerr *err)
{
	if (!s)
		return cerr_set(err, EINVAL, "%s: missing digest", what);
	if (strncmp(s, "sha256:", 7) != 0 && strchr(s, ':'))
		return cerr_set(err, ENOTSUP, "%s: unsupported digest algorithm in \"%.80s\"", what, s);
	if (!digest_valid(s))
		return cerr_set(err, EINVAL, "%s: malformed digest \"%.80s\"", what, s);
	return 0;
}
