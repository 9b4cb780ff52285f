#include "images/digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct digest_ctx {
	EVP_MD_CTX *md;
};

digest_ctx *digest_new(void)
{
	digest_ctx *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->md = EVP_MD_CTX_new();
	if (!d->md || EVP_DigestInit_ex(d->md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(d->md);
		free(d);
		return NULL;
	}
	return d;
}

void digest_free(digest_ctx *d)
{
	if (!d)
		return;
	EVP_MD_CTX_free(d->md);
	free(d);
}

void digest_update(digest_ctx *d, const void *data, size_t len)
{
	if (len)
		EVP_DigestUpdate(d->md, data, len);
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
	EVP_DigestFinal_ex(d->md, raw, &n);
	to_hex(raw, n, out);
	EVP_DigestInit_ex(d->md, EVP_sha256(), NULL);
}

void digest_buf(const void *data, size_t len, char out[static DIGEST_STR_LEN])
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(data, len, raw, &n, EVP_sha256(), NULL);
	to_hex(raw, n, out);
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
