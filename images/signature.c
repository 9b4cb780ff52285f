#include "images/signature.h"
#include "common/cleanup.h"
#include "common/json.h"

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sig_doc_release(sig_doc *s)
{
	free(s->payload);
	memset(s, 0, sizeof(*s));
}

/* Base64 (with padding) into a new buffer. */
static int unbase64(const char *in, unsigned char **out, size_t *len)
{
	size_t n = strlen(in);
	if (n == 0 || n % 4 || n > SIG_MAX_SIZE || strspn(in, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != n)
		return -EBADMSG;
	unsigned char *b = malloc(n / 4 * 3 + 1);
	if (!b)
		return -ENOMEM;
	int got = EVP_DecodeBlock(b, (const unsigned char *)in, (int)n);
	if (got < 0) {
		free(b);
		return -EBADMSG;
	}
	size_t pad = (in[n - 1] == '=') + (in[n - 2] == '=');
	*out = b;
	*len = (size_t)got - pad;
	return 0;
}

static const char *str_at(yajl_val v, const char *const *path)
{
	for (; *path; path++)
		v = json_get(v, *path);
	return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

int sig_parse(const char *text, size_t len, sig_doc *s, cerr *err)
{
	memset(s, 0, sizeof(*s));
	_cleanup_(json_freep) yajl_val v = NULL;
	if (len > SIG_MAX_SIZE || strlen(text) != len || json_parse(text, "signature", &v, NULL) < 0)
		return cerr_set(err, EBADMSG, "signature does not parse: not a JSON object of at most 64K");
	const char *p = str_at(v, (const char *const[]){ "payload", NULL });
	const char *sg = str_at(v, (const char *const[]){ "signature", NULL });
	if (!p || !sg)
		return cerr_set(err, EBADMSG, "signature does not parse: it needs \"payload\" and \"signature\" strings");
	_cleanup_free_ unsigned char *raw = NULL;
	size_t n;
	int r = unbase64(sg, &raw, &n);
	if (r == -ENOMEM)
		return cerr_set(err, ENOMEM, "out of memory");
	if (r < 0 || n < 8 || n > sizeof(s->sig))
		return cerr_set(err, EBADMSG, "signature does not parse: \"signature\" is not the base64 of a signature "
					      "(8 to %zu bytes)", sizeof(s->sig));
	memcpy(s->sig, raw, n);
	s->sig_len = n;
	if ((r = unbase64(p, &s->payload, &s->payload_len)) < 0) {
		sig_doc_release(s);
		return r == -ENOMEM ? cerr_set(err, ENOMEM, "out of memory")
				    : cerr_set(err, EBADMSG, "signature does not parse: \"payload\" is not base64");
	}
	_cleanup_free_ char *ptext = strndup((const char *)s->payload, s->payload_len);
	_cleanup_(json_freep) yajl_val pv = NULL;
	if (!ptext || strlen(ptext) != s->payload_len || json_parse(ptext, "payload", &pv, NULL) < 0) {
		sig_doc_release(s);
		return cerr_set(err, EBADMSG, "signature does not parse: its payload is not JSON");
	}
	const char *type = str_at(pv, (const char *const[]){ "critical", "type", NULL });
	const char *dg = str_at(pv, (const char *const[]){ "critical", "image", "docker-manifest-digest", NULL });
	if (!type || strcmp(type, SIG_PAYLOAD_TYPE) || !dg || strlen(dg) >= sizeof(s->digest)) {
		sig_doc_release(s);
		return cerr_set(err, EBADMSG,
				"signature does not parse: its payload is no simple signing payload (critical.type, "
				"critical.image.docker-manifest-digest)");
	}
	snprintf(s->digest, sizeof(s->digest), "%s", dg);
	const char *id = str_at(pv, (const char *const[]){ "critical", "identity", "docker-reference", NULL });
	snprintf(s->identity, sizeof(s->identity), "%s", id ? id : "");
	return 0;
}

/* Ed25519 signs the payload itself; an EC key (cosign's default, ECDSA
 * P-256) its SHA-256. */
static bool verifies(EVP_PKEY *k, const sig_doc *s)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = EVP_PKEY_id(k) == EVP_PKEY_ED25519 ? NULL : EVP_sha256();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, k) == 1 &&
		  EVP_DigestVerify(ctx, s->sig, s->sig_len, s->payload, s->payload_len) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

int sig_verify(const sig_doc *s, const char *keys_dir, char key[NAME_MAX + 1], cerr *err)
{
	_cleanup_closedir_ DIR *d = opendir(keys_dir);
	if (!d)
		return cerr_sys(err, errno, "trusted keys %s", keys_dir);
	struct dirent *de;
	for (size_t seen = 0; (de = readdir(d)) && seen < SIG_MAX_KEYS; seen++) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 5 || strcmp(de->d_name + n - 4, ".pem"))
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", keys_dir, de->d_name);
		FILE *f = fopen(path, "re");
		EVP_PKEY *k = f ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;
		if (f)
			fclose(f);
		bool ok = k && (EVP_PKEY_id(k) == EVP_PKEY_ED25519 || EVP_PKEY_id(k) == EVP_PKEY_EC) && verifies(k, s);
		EVP_PKEY_free(k);
		if (ok) {
			snprintf(key, NAME_MAX + 1, "%s", de->d_name);
			return 0;
		}
	}
	return cerr_set(err, EKEYREJECTED, "no key in %s verifies its signature", keys_dir);
}
