/* supervisor/daemon/sessions/session_kv.c: bounds, compare-and-set, removal,
 * persistence across a reopen, a damaged file, and watches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "supervisor/daemon/sessions/session_kv.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/session-kv-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	return 0;
}

static int teardown(void **state)
{
	rm_rf(dir);
	return 0;
}

static session_kv *open_ok(void)
{
	session_kv *st = NULL;
	cerr err = { 0 };
	assert_int_equal(kv_open(path, &st, &err), 0);
	assert_non_null(st);
	return st;
}

static int set(session_kv *st, const char *key, const char *value, int64_t expect, cerr *err)
{
	cerr_clear(err);
	uint64_t v = 0;
	return kv_set(st, key, value, expect, &v, err);
}

/* A JSON string value whose text (quotes included) is len bytes. */
static char *str_value(size_t len)
{
	char *s = malloc(len + 1);
	assert_non_null(s);
	memset(s, 'x', len);
	s[0] = s[len - 1] = '"';
	s[len] = '\0';
	return s;
}

static void test_set_get_canonical(void **state)
{
	session_kv *st = open_ok();
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(kv_count(st), 0);
	assert_int_equal(set(st, "a/b", " { \"x\" : [1, 2.5, \"y\"] , \"z\":null } ", -1, &err), 0);
	const char *v;
	uint64_t ver;
	assert_int_equal(kv_get(st, "a/b", &v, &ver), 0);
	assert_string_equal(v, "{\"x\":[1,2.5,\"y\"],\"z\":null}");
	assert_int_equal(ver, 1);
	assert_int_equal(set(st, "a/b", "42", -1, &err), 0);
	assert_int_equal(kv_get(st, "a/b", &v, &ver), 0);
	assert_string_equal(v, "42");
	assert_int_equal(ver, 2);
	assert_int_equal(kv_get(st, "nope", &v, &ver), -ENOENT);
	/* not JSON: refused, the key is untouched */
	assert_int_equal(set(st, "a/b", "{oops", -1, &err), -EINVAL);
	assert_non_null(strstr(cerr_msg(&err), "invalid JSON"));
	assert_int_equal(set(st, "a/b", "", -1, &err), -EINVAL);
	assert_int_equal(kv_get(st, "a/b", &v, &ver), 0);
	assert_int_equal(ver, 2);
	kv_free(st);
}

static void test_key_bounds(void **state)
{
	session_kv *st = open_ok();
	_cleanup_cerr_ cerr err = { 0 };
	char key[SESSION_KV_KEY_MAX + 2];
	memset(key, 'k', SESSION_KV_KEY_MAX);
	key[SESSION_KV_KEY_MAX] = '\0';
	assert_int_equal(set(st, key, "1", -1, &err), 0);
	key[SESSION_KV_KEY_MAX] = 'k';
	key[SESSION_KV_KEY_MAX + 1] = '\0';
	assert_int_equal(set(st, key, "1", -1, &err), -E2BIG);
	assert_non_null(strstr(cerr_msg(&err), "257 bytes"));
	assert_int_equal(set(st, "", "1", -1, &err), -EINVAL);
	assert_int_equal(set(st, "a b", "1", -1, &err), -EINVAL);
	assert_non_null(strstr(cerr_msg(&err), "character 2"));
	assert_int_equal(set(st, "a\"b", "1", -1, &err), -EINVAL);
	assert_int_equal(set(st, "A-z_0.9:/x", "1", -1, &err), 0);
	assert_int_equal(kv_count(st), 2);
	kv_free(st);
}

static void test_value_bounds(void **state)
{
	session_kv *st = open_ok();
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *max = str_value(SESSION_KV_VALUE_MAX);
	_cleanup_free_ char *over = str_value(SESSION_KV_VALUE_MAX + 1);
	assert_int_equal(set(st, "max", max, -1, &err), 0);
	assert_int_equal(set(st, "over", over, -1, &err), -E2BIG);
	assert_non_null(strstr(cerr_msg(&err), "65537 bytes"));
	assert_non_null(strstr(cerr_msg(&err), "key over"));
	assert_int_equal(kv_count(st), 1);
	kv_free(st);
}

static void test_key_count_bound(void **state)
{
	session_kv *st = open_ok();
	_cleanup_cerr_ cerr err = { 0 };
	char key[32];
	for (int i = 0; i < SESSION_KV_KEYS_MAX; i++) {
		snprintf(key, sizeof(key), "k%04d", i);
		assert_int_equal(set(st, key, "true", -1, &err), 0);
	}
	assert_int_equal(kv_count(st), SESSION_KV_KEYS_MAX);
	assert_int_equal(set(st, "k9999", "true", -1, &err), -E2BIG);
	assert_non_null(strstr(cerr_msg(&err), "1024 keys"));
	/* a full store still takes a new value for a key it has */
	assert_int_equal(set(st, "k0000", "false", -1, &err), 0);
	kv_free(st);
}

static void test_total_bound(void **state)
{
	session_kv *st = open_ok();
	_cleanup_cerr_ cerr err = { 0 };
	char key[32];
	/* 63 keys of 64 KiB less their key: 63 * 65536 bytes; the 64th fills
	 * 4 MiB exactly, one byte more does not fit */
	for (int i = 0; i < 64; i++) {
		snprintf(key, sizeof(key), "big%02d", i);
		_cleanup_free_ char *v = str_value(SESSION_KV_VALUE_MAX - strlen(key));
		assert_int_equal(set(st, key, v, -1, &err), 0);
	}
	assert_int_equal(set(st, "x", "1", -1, &err), -E2BIG);
	assert_non_null(strstr(cerr_msg(&err), "4194306 bytes"));
	/* a smaller value for a key it has fits, and makes room */
	assert_int_equal(set(st, "big00", "1", -1, &err), 0);
	assert_int_equal(set(st, "x", "1", -1, &err), 0);
	kv_free(st);

	/* and the file of a full store loads again */
	st = open_ok();
	assert_int_equal(kv_count(st), 65);
	kv_free(st);
}

static void test_cas(void **state)
{
	session_kv *st = open_ok();
	_cleanup_cerr_ cerr err = { 0 };
	uint64_t nv = 0;
	assert_int_equal(kv_set(st, "c", "1", 0, &nv, &err), 0); /* 0: must not exist */
	assert_int_equal(nv, 1);
	assert_int_equal(set(st, "c", "2", 0, &err), -ESTALE);
	assert_non_null(strstr(cerr_msg(&err), "at version 1"));
	assert_int_equal(kv_set(st, "c", "2", 1, &nv, &err), 0);
	assert_int_equal(nv, 2);
	assert_int_equal(set(st, "c", "3", 1, &err), -ESTALE); /* stale */
	assert_non_null(strstr(cerr_msg(&err), "key c is at version 2, not 1"));
	assert_int_equal(set(st, "missing", "3", 4, &err), -ESTALE);
	assert_non_null(strstr(cerr_msg(&err), "does not exist"));
	const char *v;
	assert_int_equal(kv_get(st, "c", &v, NULL), 0);
	assert_string_equal(v, "2");
	kv_free(st);
}

static void test_remove(void **state)
{
	session_kv *st = open_ok();
	cerr err = { 0 };
	assert_int_equal(set(st, "r", "\"v\"", -1, &err), 0);
	assert_int_equal(set(st, "r", "\"w\"", -1, &err), 0);
	assert_int_equal(kv_remove(st, "r", 1, &err), -ESTALE);
	cerr_clear(&err);
	assert_int_equal(kv_remove(st, "r", 2, &err), 0);
	assert_int_equal(kv_get(st, "r", NULL, NULL), -ENOENT);
	assert_int_equal(kv_remove(st, "r", -1, &err), -ENOENT);
	assert_non_null(strstr(cerr_msg(&err), "key r does not exist"));
	cerr_clear(&err);
	/* created again, it starts at version 1 */
	uint64_t nv = 0;
	assert_int_equal(kv_set(st, "r", "1", 0, &nv, &err), 0);
	assert_int_equal(nv, 1);
	kv_free(st);
}

static int collect(const char *key, const char *value, uint64_t version, void *data)
{
	char *out = data;
	char line[128];
	snprintf(line, sizeof(line), "%s=%s@%llu;", key, value, (unsigned long long)version);
	strcat(out, line);
	return 0;
}

static void test_persistence(void **state)
{
	session_kv *st = open_ok();
	cerr err = { 0 };
	assert_int_equal(set(st, "b", "[1,2]", -1, &err), 0);
	assert_int_equal(set(st, "a", "{\"k\":\"\\u00e9\\n\"}", -1, &err), 0);
	assert_int_equal(set(st, "a", "\"again\"", -1, &err), 0);
	assert_int_equal(set(st, "gone", "1", -1, &err), 0);
	assert_int_equal(kv_remove(st, "gone", -1, &err), 0);
	assert_int_equal(set(st, "u", "{\"k\":\"\\u00e9\\n\"}", -1, &err), 0);
	kv_free(st);

	st = open_ok();
	char out[512] = "";
	assert_int_equal(kv_each(st, collect, out), 0);
	assert_string_equal(out, "a=\"again\"@2;b=[1,2]@1;u={\"k\":\"\xc3\xa9\\n\"}@1;");
	/* versions go on from where they were */
	uint64_t nv = 0;
	assert_int_equal(kv_set(st, "b", "3", 1, &nv, &err), 0);
	assert_int_equal(nv, 2);
	kv_free(st);
	/* no temporary file left beside it */
	assert_int_equal(access(path, F_OK), 0);
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "ls %s | grep -q tmp", dir);
	assert_int_not_equal(system(tmp), 0);
}

static void expect_damaged(const char *text, const char *what)
{
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0600, &err), 0);
	session_kv *st = NULL;
	assert_true(kv_open(path, &st, &err) < 0);
	assert_null(st);
	assert_non_null(strstr(cerr_msg(&err), path));
	if (!strstr(cerr_msg(&err), what))
		fail_msg("%s: \"%s\" does not say \"%s\"", text, cerr_msg(&err), what);
}

static void test_damaged_file(void **state)
{
	expect_damaged("{\"version\":1,\"keys\":{\"a\":{\"version\":1,\"val", "invalid JSON");
	expect_damaged("[]", "must be an object");
	expect_damaged("{\"keys\":{}}", "version must be");
	expect_damaged("{\"version\":1}", "keys must be an object");
	expect_damaged("{\"version\":1,\"keys\":{},\"x\":1}", "nothing else");
	expect_damaged("{\"version\":1,\"keys\":{\"a b\":{\"version\":1,\"value\":1}}}", "key a b");
	expect_damaged("{\"version\":1,\"keys\":{\"a\":{\"version\":0,\"value\":1}}}", "version must be a positive");
	expect_damaged("{\"version\":1,\"keys\":{\"a\":{\"version\":1}}}", "value is missing");
	expect_damaged("{\"version\":1,\"keys\":{\"a\":{\"version\":1,\"value\":1},\"a\":{\"version\":1,\"value\":1}}}",
		       "out of order or repeated");
	expect_damaged("{\"version\":1,\"keys\":{\"a\":3}}", "must be an object");
	/* a missing file is an empty store */
	unlink(path);
	session_kv *st = open_ok();
	assert_int_equal(kv_count(st), 0);
	kv_free(st);
}

struct seen {
	int calls;
	char last[256];
	kv_watch *self;
	bool remove_self;
};

static void watch_fn(const char *key, const char *value, uint64_t version, void *data)
{
	struct seen *s = data;
	s->calls++;
	snprintf(s->last, sizeof(s->last), "%s=%s@%llu", key, value ? value : "(removed)",
		 (unsigned long long)version);
	if (s->remove_self)
		kv_watch_remove(s->self);
}

static void test_watches(void **state)
{
	session_kv *st = open_ok();
	cerr err = { 0 };
	struct seen all = { 0 }, cfg = { 0 }, once = { .remove_self = true };
	assert_non_null(kv_watch_add(st, "", watch_fn, &all));
	kv_watch *wc = kv_watch_add(st, "cfg/", watch_fn, &cfg);
	assert_non_null(wc);
	once.self = kv_watch_add(st, "", watch_fn, &once);
	assert_non_null(once.self);

	assert_int_equal(set(st, "cfg/a", "1", -1, &err), 0);
	assert_string_equal(all.last, "cfg/a=1@1");
	assert_string_equal(cfg.last, "cfg/a=1@1");
	assert_int_equal(once.calls, 1); /* and it removed itself */

	assert_int_equal(set(st, "other", "\"x\"", -1, &err), 0);
	assert_int_equal(all.calls, 2);
	assert_int_equal(cfg.calls, 1);
	assert_int_equal(once.calls, 1);

	assert_int_equal(kv_remove(st, "cfg/a", -1, &err), 0);
	assert_string_equal(cfg.last, "cfg/a=(removed)@1");
	assert_int_equal(all.calls, 3);

	/* a refused change is not heard */
	assert_int_equal(set(st, "cfg/b", "1", 7, &err), -ESTALE);
	assert_int_equal(all.calls, 3);
	cerr_clear(&err);

	kv_watch_remove(wc);
	assert_int_equal(set(st, "cfg/c", "1", -1, &err), 0);
	assert_int_equal(cfg.calls, 2);
	assert_int_equal(all.calls, 4);
	kv_free(st); /* frees the watch still there */
}

static void test_failed_write_keeps_state(void **state)
{
	session_kv *st = open_ok();
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(set(st, "k", "1", -1, &err), 0);
	/* a file cannot be renamed over a directory that holds something: the
	 * writes fail, for root too */
	char inner[160];
	snprintf(inner, sizeof(inner), "%s/x", path);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(mkdir(inner, 0700), 0);
	assert_true(set(st, "k", "2", -1, &err) < 0);
	assert_true(set(st, "new", "2", -1, &err) < 0);
	assert_true(kv_remove(st, "k", -1, &err) < 0);
	const char *v;
	uint64_t ver;
	assert_int_equal(kv_get(st, "k", &v, &ver), 0);
	assert_string_equal(v, "1");
	assert_int_equal(ver, 1);
	assert_int_equal(kv_count(st), 1);
	kv_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_get_canonical, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_count_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_total_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_write_keeps_state, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
