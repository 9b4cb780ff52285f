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
#include "common/json_guard.h"
#include "common/json_scan.h"

/* json_guard finds a NUL in text, at path */
static void assert_nul_at(const char *text, const char *path)
{
	char p[JSON_GUARD_PATH_MAX];
	int g = json_guard(text, p);
	if (g != JSON_GUARD_NUL)
		fail_msg("%s: %d, not a NUL", text, g);
	if (strcmp(p, path))
		fail_msg("%s: at [%s], not [%s]", text, p, path);
}

static void assert_no_nul(const char *text)
{
	char p[JSON_GUARD_PATH_MAX];
	int g = json_guard(text, p);
	if (g)
		fail_msg("%s: %d at [%s]", text, g, p);
}

/* The finding of issue 43: "t/good\u0000:1" was read as "t/good". */
static void test_nul_named_by_path(void **state)
{
	assert_nul_at("{\"method\":\"io.corral.Supervisor.ImagePull\",\"parameters\":{\"reference\":\"127.0.0.1:5000/t/good\\u0000:1\"}}",
		      "parameters.reference");
	assert_nul_at("{\"parameters\":{\"spec\":{\"image\":\"a\",\"env\":[\"A=1\",\"B=2\",\"C=\\u0000\"]}}}",
		      "parameters.spec.env[2]");
	assert_nul_at("{\"a\":[{\"b\":1},{\"c\":\"x\",\"d\":\"y\\u0000\"}]}", "a[1].d");
	assert_nul_at("[[1,2],[3,\"\\u0000\"]]", "[1][1]");
	assert_nul_at("\"\\u0000\"", "");
	/* in a key: the key as written */
	assert_nul_at("{\"parameters\":{\"na\\u0000me\":\"x\"}}", "parameters.na\\u0000me");
	/* the first one */
	assert_nul_at("{\"a\":\"\\u0000\",\"b\":\"\\u0000\"}", "a");
	/* space, and a key's escapes, as yajl reads them */
	assert_nul_at(" { \"a\\\"b\" : [ 1 , \"x\" , \"\\u0000\" ] } ", "a\\\"b[2]");
	/* one more digit is the NUL and a '0'; a backslash before it escapes itself */
	assert_nul_at("{\"a\":\"\\u00000\"}", "a");
	assert_nul_at("{\"a\":\"\\\\\\u0000\"}", "a");
	/* a text that ends in its string: yajl refuses it too, the NUL is named */
	assert_nul_at("{\"a\":{\"bc\":\"\\u0000", "a.bc");
}

static void test_no_nul(void **state)
{
	assert_no_nul("{\"a\":\"\\\\u0000\"}"); /* a backslash, then "u0000" */
	assert_no_nul("{\"a\":\"\\u0001\\u0100\\u1000\\u000a\"}");
	assert_no_nul("{\"a\":\"u0000\",\"b\":[\"\\n\\t\"]}");
	assert_no_nul("");
	assert_no_nul("{\"a\":\"\\");
	/* yajl takes comments: what is in one is passed */
	assert_no_nul("{/* \"a\": \"\\u0000\" */ \"a\": 1}");
	assert_no_nul("{\"a\": 1 // \"\\u0000\"\n}");
	assert_no_nul("{\"a\": 1 /* \"\\u0000\"");
	assert_nul_at("{/* [ */\"a\":[\"\\u0000\"]}", "a[0]");
	assert_nul_at("{// {\n\"a\":[\"\\u0000\"]}", "a[0]");
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Paths are bounded: a key shows 64 bytes at most, bytes past printable
 * ASCII are '?', and a path that does not fit ends in "...". */
static void test_path_bounds(void **state)
{
	_cleanup_free_ char *k100 = repeat('k', 100), *k64 = repeat('k', 64);
	char text[1024], want[256];
	snprintf(text, sizeof(text), "{\"%s\":\"\\u0000\"}", k100);
	assert_nul_at(text, k64);
	assert_nul_at("{\"\xc3\xa9t\xc3\xa9\":[\"\\u0000\"]}", "??t??[0]");
	/* 8 levels of 64-byte keys: 3 fit in 255 bytes with their dots */
	char *p = text;
	for (int i = 0; i < 8; i++)
		p += sprintf(p, "{\"%s\":", k64);
	p += sprintf(p, "\"\\u0000\"");
	for (int i = 0; i < 8; i++)
		*p++ = '}';
	*p = '\0';
	snprintf(want, sizeof(want), "%s.%s.%s...", k64, k64, k64);
	assert_nul_at(text, want);
}

/* Nesting is judged on the whole text, a NUL before it or not. */
static void test_depth_first(void **state)
{
	char p[JSON_GUARD_PATH_MAX];
	_cleanup_free_ char *open = repeat('[', JSON_MAX_DEPTH + 1);
	char text[256];
	snprintf(text, sizeof(text), "{\"a\":\"\\u0000\",\"b\":%s", open);
	assert_int_equal(json_guard(text, p), JSON_GUARD_DEEP);
	snprintf(text, sizeof(text), "[\"\\u0000\",%.*s]", JSON_MAX_DEPTH - 1, open);
	assert_int_equal(json_guard(text, p), JSON_GUARD_NUL);
	assert_string_equal(p, "[0]");
}

/* json_parse refuses it, with its path, and builds nothing. */
static void test_json_parse_refuses(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	yajl_val v = NULL;
	assert_int_equal(json_parse("{\"process\":{\"env\":[\"A=1\",\"B=\\u0000x\"]}}", "config.json", &v, &err),
			 -EILSEQ);
	assert_null(v);
	assert_string_equal(cerr_msg(&err), "config.json: process.env[1]: holds a NUL (\\u0000)");
	cerr_clear(&err);
	assert_int_equal(json_parse("\"\\u0000\"", NULL, &v, &err), -EILSEQ);
	assert_null(v);
	assert_string_equal(cerr_msg(&err), "a string: holds a NUL (\\u0000)");
	cerr_clear(&err);
	/* the other escapes stay */
	_cleanup_json_ yajl_val ok = NULL;
	assert_int_equal(json_parse("{\"a\":\"x\\u0001\\ty\"}", "t", &ok, &err), 0);
	assert_string_equal(json_get(ok, "a")->u.string, "x\001\ty");
}

/* json_parse_nul refuses it too, but keeps the tree for its caller's answer. */
static void test_json_parse_nul_keeps_tree(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_json_ yajl_val v = NULL;
	char path[JSON_GUARD_PATH_MAX];
	assert_int_equal(json_parse_nul("{\"method\":\"m\",\"parameters\":{\"name\":\"a\\u0000b\"}}", "message", &v,
					path, &err),
			 -EILSEQ);
	assert_non_null(v);
	assert_string_equal(path, "parameters.name");
	assert_string_equal(cerr_msg(&err), "message: parameters.name: holds a NUL (\\u0000)");
	assert_string_equal(json_get(v, "method")->u.string, "m");
	cerr_clear(&err);
	/* not JSON: no tree, no path */
	yajl_val bad = NULL;
	assert_int_equal(json_parse_nul("{\"a\":\"\\u0000\",}x", "message", &bad, path, &err), -EINVAL);
	assert_null(bad);
	assert_string_equal(path, "");
}

/* json_scan declines it, so that a caller of it goes json_parse's way. */
static void test_json_scan_declines(void **state)
{
	static const char text[] = "{\"topic\":\"t\",\"data\":{\"x\":\"\\u0000\"}}";
	json_keys it;
	json_text k, v;
	assert_true(json_keys_open(&it, text, text + strlen(text), 1, false));
	assert_int_equal(json_keys_next(&it, &k, &v), 1);
	assert_int_equal(json_keys_next(&it, &k, &v), -1);
	static const char fine[] = "{\"x\":\"\\u0001\"}";
	assert_true(json_keys_open(&it, fine, fine + strlen(fine), 1, false));
	assert_int_equal(json_keys_next(&it, &k, &v), 1);
	assert_int_equal(json_keys_next(&it, &k, &v), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_named_by_path),
		cmocka_unit_test(test_no_nul),
		cmocka_unit_test(test_path_bounds),
		cmocka_unit_test(test_depth_first),
		cmocka_unit_test(test_json_parse_refuses),
		cmocka_unit_test(test_json_parse_nul_keeps_tree),
		cmocka_unit_test(test_json_scan_declines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
