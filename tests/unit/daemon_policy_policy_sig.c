/* supervisor/daemon/policy/policy_sig.c: cosign simple signing payloads
 * signed with Ed25519, checked against a directory of PEM public keys. */
#include "tmpdir.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "supervisor/daemon/policy/policy_sig.h"

#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	assert_non_null(c);
	assert_int_equal(EVP_PKEY_keygen_init(c), 1);
	assert_int_equal(EVP_PKEY_keygen(c, &k), 1);
	EVP_PKEY_CTX_free(c);
	return k;
}

static void write_pub(EVP_PKEY *k, const char *dir, const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(PEM_write_PUBKEY(f, k), 1);
	fclose(f);
}

static char *b64(const void *b, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	EVP_EncodeBlock((unsigned char *)out, b, (int)n);
	return out;
}

/* A signature document of digest, signed by k. */
static char *sign(EVP_PKEY *k, const char *digest)
{
	char payload[512];
	int n = snprintf(payload, sizeof(payload),
			 "{\"critical\":{\"identity\":{\"docker-reference\":\"tools/a:1\"},\"image\":"
			 "{\"docker-manifest-digest\":\"%s\"},\"type\":\"cosign container image signature\"},"
			 "\"optional\":null}",
			 digest);
	unsigned char sig[64];
	size_t len = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, k), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &len, (unsigned char *)payload, (size_t)n), 1);
	EVP_MD_CTX_free(ctx);
	_cleanup_free_ char *p = b64(payload, (size_t)n), *s = b64(sig, len);
	char *doc;
	assert_true(asprintf(&doc, "{\"payload\":\"%s\",\"signature\":\"%s\"}", p, s) > 0);
	return doc;
}

static void store(const char *state, const char *digest, const char *doc)
{
	char dir[256], path[512];
	cerr err = { 0 };
	sig_dir(dir, sizeof(dir), state);
	assert_int_equal(mkdir_p(dir, 0700), 0);
	sig_path(path, sizeof(path), state, digest);
	assert_int_equal(write_file_atomic(path, doc, strlen(doc), 0600, &err), 0);
}

static void test_sig_verify(void **state)
{
	char keys[128], key[NAME_MAX + 1];
	snprintf(keys, sizeof(keys), "%s/keys", tmpdir);
	mkdir(keys, 0700);
	EVP_PKEY *good = new_key(), *other = new_key();
	write_pub(good, keys, "good.pem");
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *doc = sign(good, DIGEST), *bad = sign(other, DIGEST);

	sig_doc s;
	assert_int_equal(sig_parse(doc, strlen(doc), &s, &err), 0);
	assert_string_equal(s.digest, DIGEST);
	assert_int_equal(sig_verify(&s, keys, key, &err), 0);
	assert_string_equal(key, "good.pem");
	sig_doc_release(&s);

	assert_int_equal(sig_parse(bad, strlen(bad), &s, &err), 0);
	assert_int_equal(sig_verify(&s, keys, key, &err), -EKEYREJECTED);
	assert_non_null(strstr(cerr_msg(&err), "no key in"));
	cerr_clear(&err);
	sig_doc_release(&s);

	/* by the image's file under the state directory */
	assert_int_equal(sig_check_image(tmpdir, DIGEST, NULL, keys, key, &err), -ENOENT);
	assert_non_null(strstr(cerr_msg(&err), "is not signed"));
	cerr_clear(&err);
	store(tmpdir, DIGEST, doc);
	assert_int_equal(sig_check_image(tmpdir, DIGEST, NULL, keys, key, &err), 0);
	/* a signature of another digest, stored under this one */
	const char *d2 = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
	store(tmpdir, d2, doc);
	assert_int_equal(sig_check_image(tmpdir, d2, NULL, keys, key, &err), -EKEYREJECTED);
	if (!strstr(cerr_msg(&err), "its signature is for " DIGEST))
		fail_msg("%s", cerr_msg(&err));
	cerr_clear(&err);
	store(tmpdir, DIGEST, bad);
	assert_int_equal(sig_check_image(tmpdir, DIGEST, NULL, keys, key, &err), -EKEYREJECTED);
	EVP_PKEY_free(good);
	EVP_PKEY_free(other);
}

static void expect_unparsable(const char *doc, const char *msg)
{
	sig_doc s;
	_cleanup_cerr_ cerr err = { 0 };
	int r = sig_parse(doc, strlen(doc), &s, &err);
	if (r != -EBADMSG || !strstr(cerr_msg(&err), msg))
		fail_msg("%s: got %d \"%s\", wanted \"%s\"", doc, r, cerr_msg(&err), msg);
	assert_non_null(strstr(cerr_msg(&err), "signature does not parse"));
}

static void test_sig_does_not_parse(void **state)
{
	expect_unparsable("not json", "not a JSON object");
	expect_unparsable("{\"payload\":\"e30=\"}", "needs \"payload\" and \"signature\"");
	expect_unparsable("{\"payload\":\"e30=\",\"signature\":\"AAAA\"}", "base64 of a signature");
	_cleanup_free_ char *zero = calloc(1, 64), *z = b64(zero, 64), *doc = NULL;
	assert_true(asprintf(&doc, "{\"payload\":\"%%%%\",\"signature\":\"%s\"}", z) > 0);
	expect_unparsable(doc, "\"payload\" is not base64");
	free(doc);
	assert_true(asprintf(&doc, "{\"payload\":\"e30=\",\"signature\":\"%s\"}", z) > 0); /* {} */
	expect_unparsable(doc, "no simple signing payload");
	free(doc);
	_cleanup_free_ char *np = b64("nope", 4);
	assert_true(asprintf(&doc, "{\"payload\":\"%s\",\"signature\":\"%s\"}", np, z) > 0);
	expect_unparsable(doc, "payload is not JSON");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sig_verify, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_sig_does_not_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
