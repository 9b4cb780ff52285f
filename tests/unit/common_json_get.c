/* common/json_get: the one family of typed JSON getters, and its faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/strv.h"

static yajl_val doc;

static int setup(void **state)
{
	cerr err = { 0 };
	const char *text = "{\"s\":\"x\",\"empty\":\"\",\"n\":null,\"num\":7,\"neg\":-1,\"frac\":1.5,"
			   "\"big\":99999999999999999999999,\"t\":true,\"f\":false,\"arr\":[\"a\",\"b\"],"
			   "\"mixed\":[\"a\",2],\"none\":[],\"obj\":{\"k\":1}}";
	assert_int_equal(json_parse(text, "t", &doc, &err), 0);
	return 0;
}

static int teardown(void **state)
{
	yajl_tree_free(doc);
	return 0;
}

static void assert_fault(const json_fault *f, int code, const char *field, const char *reason)
{
	assert_int_equal(f->code, code);
	assert_string_equal(f->field, field);
	assert_string_equal(f->reason, reason);
}

static void test_key_treats_null_as_absent(void **state)
{
	assert_non_null(json_key(doc, "s"));
	assert_null(json_key(doc, "n"));
	assert_null(json_key(doc, "missing"));
	assert_null(json_key(json_key(doc, "arr"), "s")); /* not an object */
}

static void test_paths(void **state)
{
	char a[JSON_PATH_MAX], b[JSON_PATH_MAX];
	assert_string_equal(json_path(a, "", "root"), "root");
	assert_string_equal(json_path(a, "process", "user"), "process.user");
	assert_string_equal(json_path_idx(b, json_path(a, "spec", "mounts"), 3), "spec.mounts[3]");
}

static void test_strings(void **state)
{
	json_fault f = { 0 };
	const char *s = "untouched";
	assert_int_equal(json_get_str(doc, "spec", "s", JSON_REQUIRED | JSON_NONEMPTY, &s, &f), 0);
	assert_string_equal(s, "x");
	assert_int_equal(json_get_str(doc, "spec", "n", 0, &s, &f), 0);
	assert_null(s);
	assert_int_equal(json_get_str(doc, "spec", "n", JSON_REQUIRED, &s, &f), -EINVAL);
	assert_fault(&f, EINVAL, "spec.n", "is required");
	assert_int_equal(json_get_str(doc, "spec", "num", 0, &s, &f), -EINVAL);
	assert_fault(&f, EINVAL, "spec.num", "must be a string, not number");
	assert_int_equal(json_get_str(doc, "", "empty", JSON_NONEMPTY, &s, &f), -EINVAL);
	assert_fault(&f, EINVAL, "empty", "must not be empty");

	_cleanup_free_ char *copy = strdup("default");
	assert_int_equal(json_dup_str(doc, "", "missing", 0, &copy, &f), 0);
	assert_string_equal(copy, "default");
	assert_int_equal(json_dup_str(doc, "", "s", 0, &copy, &f), 0);
	assert_string_equal(copy, "x");
}

static void test_bounded_string(void **state)
{
	char *text = malloc(JSON_STR_MAX + 16);
	assert_non_null(text);
	memset(text, 'a', JSON_STR_MAX + 9);
	memcpy(text, "{\"v\":\"", 6);
	strcpy(text + JSON_STR_MAX + 7, "\"}");
	cerr err = { 0 };
	_cleanup_json_ yajl_val v = NULL;
	assert_int_equal(json_parse(text, NULL, &v, &err), 0);
	free(text);
	json_fault f = { 0 };
	const char *s;
	assert_int_equal(json_get_str(v, "x", "v", 0, &s, &f), 0);
	assert_int_equal(json_get_str(v, "x", "v", JSON_BOUNDED, &s, &f), -E2BIG);
	assert_fault(&f, E2BIG, "x.v", "longer than 4096 bytes");
}

static void test_bools(void **state)
{
	json_fault f = { 0 };
	bool b = false, present = true;
	assert_int_equal(json_get_bool(doc, "", "t", 0, &b, &present, &f), 0);
	assert_true(b && present);
	assert_int_equal(json_get_bool(doc, "", "f", 0, &b, NULL, &f), 0);
	assert_false(b);
	b = true;
	assert_int_equal(json_get_bool(doc, "", "missing", 0, &b, &present, &f), 0);
	assert_true(b); /* absent leaves it */
	assert_false(present);
	assert_int_equal(json_get_bool(doc, "", "s", 0, &b, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "s", "must be a boolean, not string");
	assert_int_equal(json_get_bool(doc, "d", "missing", JSON_REQUIRED, &b, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "d.missing", "is required");
}

/* Integers that must fit a C type say which range they missed. */
static void test_integers_of_a_type(void **state)
{
	json_fault f = { 0 };
	uint32_t u = 0;
	int64_t i = 0;
	uint64_t w = 0;
	bool present;
	assert_int_equal(json_get_u32(doc, "p", "num", 0, &u, &present, &f), 0);
	assert_int_equal(u, 7);
	assert_true(present);
	assert_int_equal(json_get_u32(doc, "p", "neg", 0, &u, NULL, &f), -ERANGE);
	assert_fault(&f, ERANGE, "p.neg", "-1 is not an integer in [0, 4294967295]");
	assert_int_equal(json_get_u32(doc, "p", "frac", 0, &u, NULL, &f), -ERANGE);
	assert_fault(&f, ERANGE, "p.frac", "1.5 is not an integer in [0, 4294967295]");
	assert_int_equal(json_get_u32(doc, "p", "s", 0, &u, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "p.s", "must be a number, not string");
	assert_int_equal(json_get_i64(doc, "p", "neg", 0, &i, NULL, &f), 0);
	assert_int_equal(i, -1);
	assert_int_equal(json_get_i64(doc, "p", "big", 0, &i, NULL, &f), -ERANGE);
	assert_int_equal(json_get_u64(doc, "p", "big", 0, &w, NULL, &f), -ERANGE);
	assert_fault(&f, ERANGE, "p.big", "99999999999999999999999 is not an unsigned 64-bit integer");
	assert_int_equal(json_get_u64(doc, "p", "num", JSON_REQUIRED, &w, NULL, &f), 0);
	assert_int_equal(w, 7);
	assert_int_equal(json_get_u64(doc, "p", "missing", JSON_REQUIRED, &w, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "p.missing", "is required");
}

/* Integers bounded by what they mean say the bounds they missed. */
static void test_integers_in_a_range(void **state)
{
	json_fault f = { 0 };
	long long x = 42;
	uint64_t u = 42;
	bool present = true;
	assert_int_equal(json_get_int_in(doc, "r", "missing", 0, 0, 10, &x, &present, &f), 0);
	assert_int_equal(x, 42);
	assert_false(present);
	assert_int_equal(json_get_int_in(doc, "r", "num", 0, 0, 10, &x, &present, &f), 0);
	assert_int_equal(x, 7);
	assert_true(present);
	assert_int_equal(json_get_int_in(doc, "r", "num", 0, 10, 1000, &x, NULL, &f), -ERANGE);
	assert_fault(&f, ERANGE, "r.num", "7 is out of range [10, 1000]");
	assert_int_equal(json_get_int_in(doc, "r", "frac", 0, 0, 10, &x, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "r.frac", "must be an integer");
	assert_int_equal(json_get_int_in(doc, "r", "big", 0, 0, 10, &x, NULL, &f), -EINVAL);
	assert_int_equal(json_get_uint_in(doc, "r", "neg", 0, 0, 10, &u, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "r.neg", "must be a non-negative integer");
	assert_int_equal(json_get_uint_in(doc, "r", "num", 0, 8, 9, &u, NULL, &f), -ERANGE);
	assert_fault(&f, ERANGE, "r.num", "7 is out of range [8, 9]");
	assert_int_equal(json_get_uint_in(doc, "r", "missing", JSON_REQUIRED, 0, 9, &u, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "r.missing", "is required");
}

static void test_string_arrays(void **state)
{
	json_fault f = { 0 };
	_cleanup_strv_ char **v = NULL;
	bool present;
	assert_int_equal(json_get_strv(doc, "spec", "arr", JSON_NONEMPTY, &v, &present, &f), 0);
	assert_true(present);
	assert_string_equal(v[1], "b");
	assert_null(v[2]);
	assert_int_equal(json_get_strv(doc, "spec", "mixed", 0, &v, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "spec.mixed[1]", "must be a string, not number");
	assert_string_equal(v[0], "a"); /* a failure leaves it */
	assert_int_equal(json_get_strv(doc, "spec", "none", JSON_NONEMPTY, &v, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "spec.none", "must not be empty");
	assert_int_equal(json_get_strv(doc, "spec", "obj", 0, &v, NULL, &f), -EINVAL);
	assert_fault(&f, EINVAL, "spec.obj", "must be an array, not object");
}

static void test_objects_and_arrays(void **state)
{
	json_fault f = { 0 };
	yajl_val o, a;
	assert_int_equal(json_get_object(doc, "", "obj", 0, &o, &f), 0);
	assert_non_null(o);
	assert_int_equal(json_get_object(doc, "", "n", 0, &o, &f), 0);
	assert_null(o);
	assert_int_equal(json_get_object(doc, "", "arr", 0, &o, &f), -EINVAL);
	assert_fault(&f, EINVAL, "arr", "must be an object, not array");
	assert_int_equal(json_get_array(doc, "", "arr", 0, 2, &a, &f), 0);
	assert_non_null(a);
	assert_int_equal(json_get_array(doc, "", "arr", 0, 1, &a, &f), -E2BIG);
	assert_null(a);
	assert_fault(&f, E2BIG, "arr", "more than 1 entries");
	assert_int_equal(json_get_array(doc, "", "obj", JSON_REQUIRED, SIZE_MAX, &a, &f), -EINVAL);
	assert_fault(&f, EINVAL, "obj", "must be an array, not object");
	assert_int_equal(json_want(json_key(doc, "t"), yajl_t_true, "t", &f), 0);
	assert_int_equal(json_want(NULL, yajl_t_object, "x[0]", &f), -EINVAL);
	assert_fault(&f, EINVAL, "x[0]", "must be an object, not missing");
}

static void test_known_keys(void **state)
{
	json_fault f = { 0 };
	const char *const all[] = { "s", "empty", "n", "num", "neg", "frac", "big", "t", "f",
				    "arr", "mixed", "none", "obj", NULL };
	assert_int_equal(json_check_keys(doc, "spec", all, "unknown field", &f), 0);
	assert_int_equal(json_check_keys(doc, "spec", all + 1, "unknown field", &f), -EINVAL);
	assert_fault(&f, EINVAL, "spec.s", "unknown field");
	assert_int_equal(json_check_keys(doc, "", (const char *const[]){ NULL }, "unknown parameter", &f), -EINVAL);
	assert_fault(&f, EINVAL, "s", "unknown parameter");
}

/* A parser whose errors are chains gets "field: reason" as well. */
static void test_chain_and_reword(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	json_fault f = JSON_FAULT_CHAIN(&err);
	uint32_t u;
	assert_int_equal(json_get_u32(doc, "process.user", "neg", 0, &u, NULL, &f), -ERANGE);
	assert_int_equal(err.code, ERANGE);
	assert_string_equal(cerr_msg(&err), "process.user.neg: -1 is not an integer in [0, 4294967295]");
	assert_int_equal(json_fault_reword(&f, "must be a uid from %d to %d", 0, 65535), -ERANGE);
	assert_fault(&f, ERANGE, "process.user.neg", "must be a uid from 0 to 65535");
	assert_string_equal(cerr_msg(&err), "process.user.neg: must be a uid from 0 to 65535");
	assert_int_equal(json_fault_oom(&f), -ENOMEM);
	assert_fault(&f, ENOMEM, "", "out of memory");
	assert_string_equal(cerr_msg(&err), "out of memory");
}

/* json_name_check, the one check of a name from outside (issue 43): a
 * control byte or an over-long value is refused with its field. */
static void test_names(void **state)
{
	json_fault f = { 0 };
	assert_int_equal(json_name_check("web-1.a_b", JSON_NAME_MAX, 0, "spec.name", &f), 0);
	assert_int_equal(json_name_check("w\x01x", JSON_NAME_MAX, 0, "spec.name", &f), -EINVAL);
	assert_fault(&f, EINVAL, "spec.name", "holds a control byte (0x01)");
	for (int c = 1; c < 0x20; c++) {
		char s[4] = { 'a', (char)c, 'b', 0 };
		assert_int_equal(json_name_check(s, JSON_NAME_MAX, 0, "n", &f), -EINVAL);
	}
	assert_int_equal(json_name_check("a\x7f", JSON_NAME_MAX, 0, "n", &f), -EINVAL);
	assert_int_equal(json_name_check("caf\xc3\xa9", JSON_NAME_MAX, 0, "n", &f), 0); /* UTF-8 is no control */
	assert_int_equal(json_name_check("k\n", JSON_NAME_MAX, JSON_KEY, "labels", &f), -EINVAL);
	assert_fault(&f, EINVAL, "labels", "a key holds a control byte (0x0a)");
	char s[600];
	memset(s, 'a', sizeof(s));
	s[JSON_NAME_MAX] = '\0';
	assert_int_equal(json_name_check(s, JSON_NAME_MAX, 0, "n", &f), 0);
	s[JSON_NAME_MAX] = 'a';
	s[JSON_NAME_MAX + 1] = '\0';
	assert_int_equal(json_name_check(s, JSON_NAME_MAX, 0, "id", &f), -E2BIG);
	assert_fault(&f, E2BIG, "id", "is 257 bytes, more than 256");
	/* a reference: its name at most 255, with a tag and a digest past it */
	s[JSON_NAME_MAX + 1] = 'a';
	s[300] = '\0';
	assert_int_equal(json_name_check(s, JSON_REF_MAX, JSON_REF, "image", &f), -E2BIG);
	assert_fault(&f, E2BIG, "image", "its name is 300 bytes, more than 255");
	char ref[600];
	snprintf(ref, sizeof(ref), "127.0.0.1:5000/%.*s:%.*s@sha256:%064d", 240, s, 128, s, 0);
	assert_int_equal(json_name_check(ref, JSON_REF_MAX, JSON_REF, "image", &f), 0);
	snprintf(ref, sizeof(ref), "127.0.0.1:5000/%.*s:1", 241, s);
	assert_int_equal(json_name_check(ref, JSON_REF_MAX, JSON_REF, "image", &f), -E2BIG);
	assert_string_equal(f.reason, "its name is 256 bytes, more than 255");
	/* the flags of the getters */
	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse("{\"spec\":{\"name\":\"a\\tb\",\"env\":[\"A=\\tb\"]},"
				    "\"names\":[\"t:1\",\"u\\u0001:1\"]}", "t", &v, &err), 0);
	const char *str;
	assert_int_equal(json_get_str(json_get(v, "spec"), "spec", "name", JSON_NAME, &str, &f), -EINVAL);
	assert_null(str);
	assert_fault(&f, EINVAL, "spec.name", "holds a control byte (0x09)");
	_cleanup_strv_ char **env = NULL, **names = NULL;
	assert_int_equal(json_get_strv(json_get(v, "spec"), "spec", "env", 0, &env, NULL, &f), 0); /* free text */
	assert_string_equal(env[0], "A=\tb");
	assert_int_equal(json_get_strv(v, "", "names", JSON_REF, &names, NULL, &f), -EINVAL);
	assert_null(names);
	assert_fault(&f, EINVAL, "names[1]", "holds a control byte (0x01)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_treats_null_as_absent),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_bounded_string),
		cmocka_unit_test(test_bools),
		cmocka_unit_test(test_integers_of_a_type),
		cmocka_unit_test(test_integers_in_a_range),
		cmocka_unit_test(test_string_arrays),
		cmocka_unit_test(test_objects_and_arrays),
		cmocka_unit_test(test_known_keys),
		cmocka_unit_test(test_chain_and_reword),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
