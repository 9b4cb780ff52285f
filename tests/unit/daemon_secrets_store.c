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

/* name of owner's, as the store takes it */
static const secret_ref *R(uint32_t owner, const char *name)
{
	static secret_ref refs[8];
	static unsigned k;
	secret_ref *r = &refs[k++ % 8];
	r->owner = owner;
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

static void put(const char *name)
{
	cerr err = { 0 };
	if (secret_store_put(tmpdir, R(0, name), (const unsigned char *)value, strlen(value), &err) < 0)
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
	assert_int_equal(secret_store_get(tmpdir, R(0, "db"), &v, NULL, &err), 0);
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
	assert_int_equal(secret_store_get(tmpdir, R(0, "beta"), &v, NULL, &err), -EBADMSG);
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
		if (secret_store_get(tmpdir, R(0, "t"), &v, NULL, &err) != -EBADMSG)
			fail_msg("byte %zu flipped and still opened", i);
		orig[i] ^= 1;
	}
	/* truncated */
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(write_file_atomic(file_of("t"), orig, len - 1, 0600, &err), 0);
	secbuf v = { 0 };
	assert_int_equal(secret_store_get(tmpdir, R(0, "t"), &v, NULL, &err), -EBADMSG);
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
	assert_int_equal(secret_store_get(tmpdir, R(0, "k"), &v, NULL, &err), -EBADMSG);
	cerr_clear(&err);
	/* a key others can read is refused */
	assert_int_equal(chmod(key, 0644), 0);
	assert_int_equal(secret_store_get(tmpdir, R(0, "k"), &v, NULL, &err), -EINVAL);
	assert_non_null(strstr(cerr_msg(&err), "0600"));
}

static void test_bounds_and_names(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	unsigned char *big = calloc(1, SECRET_MAX_SIZE + 1);
	assert_int_equal(secret_store_put(tmpdir, R(0, "big"), big, SECRET_MAX_SIZE + 1, &err), -EFBIG);
	assert_non_null(strstr(cerr_msg(&err), "1 MiB"));
	cerr_clear(&err);
	assert_int_equal(secret_store_put(tmpdir, R(0, "max"), big, SECRET_MAX_SIZE, &err), 0);
	free(big);
	const char *bad[] = { "", ".x", "-x", "a/b", "../k", "a b", "x\n" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(secret_name_valid(bad[i]));
		assert_int_equal(secret_store_put(tmpdir, R(0, bad[i]), (const unsigned char *)"v", 1, &err), -EINVAL);
		cerr_clear(&err);
	}
	char longname[SECRET_NAME_MAX + 2];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(secret_name_valid(longname));
	longname[SECRET_NAME_MAX] = '\0';
	assert_true(secret_name_valid(longname));
	put("dup");
	assert_int_equal(secret_store_put(tmpdir, R(0, "dup"), (const unsigned char *)"v", 1, &err), -EEXIST);
	cerr_clear(&err);
	secbuf v = { 0 };
	assert_int_equal(secret_store_get(tmpdir, R(0, "nope"), &v, NULL, &err), -ENOENT);
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
	assert_int_equal(secret_store_remove(tmpdir, R(0, "a"), &err), 0);
	assert_int_equal(secret_store_remove(tmpdir, R(0, "a"), &err), -ENOENT);
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
	assert_int_equal(secret_store_put(tmpdir, R(0, "over"), (const unsigned char *)"v", 1, &err), -ENOSPC);
	cerr_clear(&err);
	assert_int_equal(access(file_of("over"), F_OK), -1);
	secret_info *v;
	size_t n;
	assert_int_equal(secret_store_list(tmpdir, &v, &n, &err), 0);
	assert_int_equal(n, SECRET_MAX_COUNT);
	free(v);
	assert_int_equal(secret_store_remove(tmpdir, R(0, "s1"), &err), 0);
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
	assert_int_equal(secret_store_info(tmpdir, R(0, "tok"), &a, &err), 0);
	assert_int_equal(secret_store_remove(tmpdir, R(0, "tok"), &err), 0);
	put("tok");
	assert_int_equal(secret_store_info(tmpdir, R(0, "tok"), &b, &err), 0);
	secret_id(&a, ida, sizeof(ida));
	secret_id(&b, idb, sizeof(idb));
	assert_string_not_equal(ida, idb);
	assert_int_equal(secret_store_remove(tmpdir, R(0, "tok"), &err), 0);
	assert_int_equal(secret_store_put(tmpdir, R(4242, "tok"), (const unsigned char *)"x", 1, &err), 0);
	secbuf v = { 0 };
	assert_int_equal(secret_store_get(tmpdir, R(4242, "tok"), &v, &got, &err), 0);
	secbuf_release(&v);
	assert_int_equal(got.owner, 4242);
	assert_int_equal(got.size, 1);
	secret_id(&got, idg, sizeof(idg));
	assert_string_not_equal(idg, idb);
	assert_int_equal(secret_store_info(tmpdir, R(4242, "tok"), &b, &err), 0);
	secret_id(&b, idb, sizeof(idb));
	assert_string_equal(idg, idb);
}

/* Each owner's names are its own: root's tok and a member's tok are two
 * files, neither reached by the other's name; a member's file put in
 * root's place fails (its header names its owner); a store written when
 * names were one for all owners is moved to them, each still opening. */
static void test_owners_names_are_their_own(void **state)
{
	cerr err = { 0 };
	put("tok");
	assert_int_equal(secret_store_put(tmpdir, R(4242, "tok"), (const unsigned char *)"m", 1, &err), 0);
	char mine[128];
	snprintf(mine, sizeof(mine), "%s/tok@4242" SECRET_SUFFIX, tmpdir);
	assert_int_equal(access(mine, F_OK), 0);
	secbuf v = { 0 };
	secret_info info;
	assert_int_equal(secret_store_get(tmpdir, R(0, "tok"), &v, &info, &err), 0);
	assert_memory_equal(v.p, value, v.len);
	assert_int_equal(info.owner, 0);
	secbuf_release(&v);
	assert_int_equal(secret_store_get(tmpdir, R(4242, "tok"), &v, &info, &err), 0);
	assert_memory_equal(v.p, "m", 1);
	assert_int_equal(info.owner, 4242);
	secbuf_release(&v);
	assert_int_equal(secret_store_get(tmpdir, R(4343, "tok"), &v, NULL, &err), -ENOENT);
	cerr_clear(&err);
	secret_info *all;
	size_t n;
	assert_int_equal(secret_store_list(tmpdir, &all, &n, &err), 0);
	assert_int_equal(n, 2);
	free(all);
	/* the member's file in root's place */
	assert_int_equal(rename(mine, file_of("tok")), 0);
	assert_int_equal(secret_store_get(tmpdir, R(0, "tok"), &v, NULL, &err), -EBADMSG);
	assert_non_null(strstr(cerr_msg(&err), "not its owner's"));
	cerr_clear(&err);
	/* which is how a store before owners' names kept a member's: moved */
	assert_int_equal(secret_store_migrate(tmpdir, &err), 0);
	assert_int_equal(access(file_of("tok"), F_OK), -1);
	assert_int_equal(secret_store_get(tmpdir, R(4242, "tok"), &v, &info, &err), 0);
	assert_memory_equal(v.p, "m", 1);
	secbuf_release(&v);
	put("root");
	assert_int_equal(secret_store_migrate(tmpdir, &err), 0);
	assert_int_equal(secret_store_get(tmpdir, R(0, "root"), &v, NULL, &err), 0);
	secbuf_release(&v);
	/* as a caller names them */
	secret_ref ref;
	assert_true(secret_ref_parse("tok", 0, &ref) && ref.owner == 0 && !strcmp(ref.name, "tok"));
	assert_true(secret_ref_parse("tok@4242", 0, &ref) && ref.owner == 4242 && !strcmp(ref.name, "tok"));
	assert_true(secret_ref_parse("tok", 4242, &ref) && ref.owner == 4242);
	assert_false(secret_ref_parse("tok@4343", 4242, &ref));
	assert_false(secret_ref_parse("../x@4242", 0, &ref));
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
		cmocka_unit_test_setup_teardown(test_owners_names_are_their_own, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
