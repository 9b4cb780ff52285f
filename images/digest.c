#include "images/digest.h"
#include "common/libcrypto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct digest_ctx {
	const struct libcrypto *ssl;
	EVP_MD_CTX *md;
};

digest_ctx *digest_new(void)
{
	const struct libcrypto *ssl = libcrypto(NULL);
	if (!ssl)
		return NULL;
	digest_ctx *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->ssl = ssl;
	d->md = ssl->md_ctx_new();
	if (!d->md || ssl->digest_init(d->md, ssl->sha256(), NULL) != 1) {
		ssl->md_ctx_free(d->md);
		free(d);
		return NULL;
	}
	return d;
}

void digest_free(digest_ctx *d)
{
	if (!d)
		return;
	d->ssl->md_ctx_free(d->md);
	free(d);
}

void digest_update(digest_ctx *d, const void *data, size_t len)
{
	if (len)
		d->ssl->digest_update(d->md, data, len);
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
	d->ssl->digest_final(d->md, raw, &n);
	to_hex(raw, n, out);
	d->ssl->digest_init(d->md, d->ssl->sha256(), NULL);
}

int digest_buf(const void *data, size_t len, char out[static DIGEST_STR_LEN], cerr *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	out[0] = '\0';
	const struct libcrypto *ssl = libcrypto(err);
	if (!ssl)
		return cerr_wrap(err, "sha256");
	if (ssl->digest(data, len, raw, &n, ssl->sha256(), NULL) != 1 || n != 32)
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
