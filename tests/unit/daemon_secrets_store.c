/* The secret store: a value sealed and opened again; its name bound as
 * additional data (a file renamed to another name fails to open); any bit
 * changed fails; the key file is 0600; the value is nowhere in clear; a
 * name made again is another secret (its id). */
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/daemon/secrets/secret_store.h"

static const char value[] = "hunter2-the-value-under-test";

static void put(const char *name)
{
	cerr err = { 0 };
	if (secret_store_put(tmpdir, name, 0, (const unsigned char *)value, strlen(value), &err) < 0)
		fail_msg("put %s: %s", name, cerr_msg(&err));
}

static char *file_of(const char *name)
{
	static char p[128];
	snprintf(p, sizeof(p), "%s/%s" SECRET_SUFFIX, tmpdir, name);
	return p;
}

static void test_roundtrip(void **state)
{
	put("db");
	secbuf v = { 0 };
	cerr err = { 0 };
	assert_int_equal(secret_store_get(tmpdir, "db", &v, NULL, &err), 0);
	assert_int_equal(v.len, strlen(value));
	assert_memory_equal(v.p, value, v.len);
	secbuf_release(&v);
	assert_null(v.p);
	/* not in clear on disk, and the key is the owner's alone */
	char *blob = slurp(file_of("db"));
	assert_non_null(blob);
	assert_null(memmem(blob, strlen(value) + 44, "hunter2", 7));
	free(blob);
	char key[128];
	snprintf(key, sizeof(key), "%s/" SECRET_KEY_FILE, tmpdir);
	struct stat st;
	assert_int_equal(stat(key, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	/* each secret its own nonce: the same value twice seals differently */
	put("db2");
	char *a = slurp(file_of("db")), *b = slurp(file_of("db2"));
	assert_memory_not_equal(a + 16, b + 16, 12);
	free(a);
	free(b);
}

static void test_renamed_fails(void **state)
{
	put("alpha");
	char from[128];
	snprintf(from, sizeof(from), "%s", file_of("alpha"));
	assert_int_equal(rename(from, file_of("beta")), 0);
	secbuf v = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(secret_store_get(tmpdir, "beta", &v, NULL, &err), -EBADMSG);
	assert_non_null(strstr(cerr_msg(&err), "authentication failed"));
	assert_null(v.p);
}

static void test_tamper_fails(void **state)
{
	put("t");
	char *orig = slurp(file_of("t"));
	size_t len = 44 + strlen(value);
	/* a bit flipped anywhere: header, nonce, tag or ciphertext */
	for (size_t i = 8; i < len; i++) {
		orig[i] ^= 1;
		_cleanup_cerr_ cerr err = { 0 };
		assert_int_equal(write_file_atomic(file_of("t"), orig, len, 0600, &err), 0);
		secbuf v = { 0 };
		if (secret_store_get(tmpdir, "t", &v, NULL, &err) != -EBADMSG)
			fail_msg("byte %zu flipped and still opened", i);
		orig[i] ^= 1;
	}
	/* truncated */
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(write_file_atomic(file_of("t"), orig, len - 1, 0600, &err), 0);
	secbuf v = { 0 };
	assert_int_equal(secret_store_get(tmpdir, "t", &v, NULL, &err), -EBADMSG);
	free(orig);
}

static void test_other_key_fails(void **state)
{
	put("k");
	char key[128];
	snprintf(key, sizeof(key), "%s/" SECRET_KEY_FILE, tmpdir);
	unsigned char other[32] = { 1, 2, 3 };
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(write_file_atomic(key, other, 32, 0600, &err), 0);
	secbuf v = { 0 };
	assert_int_equal(secret_store_get(tmpdir, "k", &v, NULL, &err), -EBADMSG);
	cerr_clear(&err);
	/* a key others can read is refused */
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(secret_store_get(tmpdir, "k", &v, NULL, &err), -EINVAL);
	assert_non_null(strstr(cerr_msg(&err), "0600"));
}

static void test_bounds_and_names(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	unsigned char *big = calloc(1, SECRET_MAX_SIZE + 1);
	assert_int_equal(secret_store_put(tmpdir, "big", 0, big, SECRET_MAX_SIZE + 1, &err), -EFBIG);
	assert_non_null(strstr(cerr_msg(&err), "1 MiB"));
	cerr_clear(&err);
	assert_int_equal(secret_store_put(tmpdir, "max", 0, big, SECRET_MAX_SIZE, &err), 0);
	free(big);
	const char *bad[] = { "", ".x", "-x", "a/b", "../k", "a b", "x\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(secret_name_valid(bad[i]));
		assert_int_equal(secret_store_put(tmpdir, bad[i], 0, (const unsigned char *)"v", 1, &err), -EINVAL);
		cerr_clear(&err);
	}
	char longname[SECRET_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(secret_name_valid(longname));
	longname[SECRET_NAME_MAX] = '\0';
	assert_true(secret_name_valid(longname));
	put("dup");
	assert_int_equal(secret_store_put(tmpdir, "dup", 0, (const unsigned char *)"v", 1, &err), -EEXIST);
	cerr_clear(&err);
	secbuf v = { 0 };
	assert_int_equal(secret_store_get(tmpdir, "nope", &v, NULL, &err), -ENOENT);
}

static void test_list_and_remove(void **state)
{
	put("b");
	put("a");
	secret_info *v;
	size_t n;
	cerr err = { 0 };
	assert_int_equal(secret_store_list(tmpdir, &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].name, "a");
	assert_string_equal(v[1].name, "b");
	assert_int_equal(v[0].size, strlen(value));
	assert_true(v[0].created_ns > 1600000000ll * 1000000000ll);
	free(v);
	assert_int_equal(secret_store_remove(tmpdir, "a", &err), 0);
	assert_int_equal(secret_store_remove(tmpdir, "a", &err), -ENOENT);
	cerr_clear(&err);
	assert_int_equal(secret_store_list(tmpdir, &v, &n, &err), 0);
	assert_int_equal(n, 1);
	free(v);
}

/* The store holds at most SECRET_MAX_COUNT: the listing's bound, so a
 * secret over it would exist unlisted. Copies of one sealed file stand for
 * the others (no fsync each). */
static void test_count_bound(void **state)
{
	put("s0");
	FILE *f = fopen(file_of("s0"), "re");
	char blob[256];
	size_t len = f ? fread(blob, 1, sizeof(blob), f) : 0;
	if (f)
		fclose(f);
	assert_true(len > 0);
	for (int i = 1; i < SECRET_MAX_COUNT; i++) {
		char name[16];
		snprintf(name, sizeof(name), "s%d", i);
		FILE *o = fopen(file_of(name), "we");
		assert_non_null(o);
		assert_int_equal(fwrite(blob, 1, len, o), len);
		fclose(o);
	}
	cerr err = { 0 };
	assert_int_equal(secret_store_put(tmpdir, "over", 0, (const unsigned char *)"v", 1, &err), -ENOSPC);
	cerr_clear(&err);
	assert_int_equal(access(file_of("over"), F_OK), -1);
	secret_info *v;
	size_t n;
	assert_int_equal(secret_store_list(tmpdir, &v, &n, &err), 0);
	assert_int_equal(n, SECRET_MAX_COUNT);
	free(v);
	assert_int_equal(secret_store_remove(tmpdir, "s1", &err), 0);
	put("over");
}

/* A name removed and made again, by the same owner or another, is another
 * secret: its id differs; the id get reads is the one info reads. */
static void test_remade_is_another(void **state)
{
	cerr err = { 0 };
	secret_info a, b, got;
	char ida[SECRET_ID_MAX], idb[SECRET_ID_MAX], idg[SECRET_ID_MAX];
	put("tok");
	assert_int_equal(secret_store_info(tmpdir, "tok", &a, &err), 0);
	assert_int_equal(secret_store_remove(tmpdir, "tok", &err), 0);
	put("tok");
	assert_int_equal(secret_store_info(tmpdir, "tok", &b, &err), 0);
	secret_id(&a, ida, sizeof(ida));
	secret_id(&b, idb, sizeof(idb));
	assert_string_not_equal(ida, idb);
	assert_int_equal(secret_store_remove(tmpdir, "tok", &err), 0);
	assert_int_equal(secret_store_put(tmpdir, "tok", 4242, (const unsigned char *)"x", 1, &err), 0);
	secbuf v = { 0 };
	assert_int_equal(secret_store_get(tmpdir, "tok", &v, &got, &err), 0);
	secbuf_release(&v);
	assert_int_equal(got.owner, 4242);
	assert_int_equal(got.size, 1);
	secret_id(&got, idg, sizeof(idg));
	assert_string_not_equal(idg, idb);
	assert_int_equal(secret_store_info(tmpdir, "tok", &b, &err), 0);
	secret_id(&b, idb, sizeof(idb));
	assert_string_equal(idg, idb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_count_bound, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_renamed_fails, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_tamper_fails, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_other_key_fails, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_bounds_and_names, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_list_and_remove, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_remade_is_another, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
