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

/* n opening brackets then n closing ones: valid JSON nested n deep */
static char *nested(size_t n, char open, char close)
{
	char *s = malloc(2 * n + 1);
	assert_non_null(s);
	memset(s, open, n);
	memset(s + n, close, n);
	s[2 * n] = '\0';
	return s;
}

static void assert_too_deep(const char *text, const char *what, const char *msg)
{
	_cleanup_cerr_ cerr err = { 0 };
	yajl_val v = NULL;
	assert_int_equal(json_parse(text, what, &v, &err), -EINVAL);
	assert_null(v);
	assert_string_equal(cerr_msg(&err), msg);
}

static void assert_parses(const char *text)
{
	cerr err = { 0 };
	_cleanup_json_ yajl_val v = NULL;
	if (json_parse(text, "t.json", &v, &err) < 0)
		fail_msg("%s: %s", text, cerr_msg(&err));
	assert_non_null(v);
}

/* Refused on the text, before yajl builds a tree: building, checking and
 * freeing 2,000,000 levels recursed once per level and overflowed the stack. */
static void test_two_million_deep_refused(void **state)
{
	_cleanup_free_ char *arrays = nested(2000000, '[', ']');
	assert_too_deep(arrays, "index.json", "index.json: nested deeper than 64 levels");
	assert_too_deep(arrays, NULL, "nested deeper than 64 levels");
	/* objects count as arrays do: {"a":{"a":... */
	size_t n = 2000000;
	_cleanup_free_ char *objects = malloc(6 * n + n + 2);
	assert_non_null(objects);
	char *p = objects;
	for (size_t i = 0; i < n; i++)
		p = stpcpy(p, "{\"a\":");
	*p++ = '1';
	memset(p, '}', n);
	p[n] = '\0';
	assert_too_deep(objects, "config.json", "config.json: nested deeper than 64 levels");
}

static void test_depth_limit_exact(void **state)
{
	_cleanup_free_ char *ok = nested(JSON_MAX_DEPTH, '[', ']');
	assert_parses(ok);
	_cleanup_free_ char *over = nested(JSON_MAX_DEPTH + 1, '[', ']');
	assert_too_deep(over, "m", "m: nested deeper than 64 levels");
	/* depth, not count: many shallow siblings are fine */
	char wide[4 * 1000 + 3] = "[";
	for (int i = 0; i < 1000; i++)
		strcat(wide, i ? ",[1]" : "[1]");
	strcat(wide, "]");
	assert_parses(wide);
}

/* Brackets inside strings are text, not nesting; an escaped quote does not
 * end a string, and an escaped backslash does not escape the quote after it. */
static void test_strings_do_not_nest(void **state)
{
	char text[1024];
	char brackets[201];
	memset(brackets, '[', 200);
	brackets[200] = '\0';
	snprintf(text, sizeof(text), "{\"a\":\"%s\\\"%s\",\"b\":\"{{{{\"}", brackets, brackets);
	assert_parses(text);
	snprintf(text, sizeof(text), "[\"\\\\\",\"%s\",{\"%s\":1}]", brackets, brackets);
	assert_parses(text);
	/* "\\" ends its string: the brackets after it are real nesting */
	_cleanup_free_ char *deep = nested(JSON_MAX_DEPTH, '[', ']');
	snprintf(text, sizeof(text), "[\"\\\\\",%s]", deep);
	assert_too_deep(text, "m", "m: nested deeper than 64 levels");
	/* "\"[[[" is one string: what follows its end is counted again */
	snprintf(text, sizeof(text), "[\"\\\"%s\",%s]", brackets, deep);
	assert_too_deep(text, "m", "m: nested deeper than 64 levels");
	/* \u escapes hold no quote; the scan stays in step */
	snprintf(text, sizeof(text), "[\"\\u005b\\u0022[[\",%s]", deep);
	assert_too_deep(text, "m", "m: nested deeper than 64 levels");
}

/* yajl takes comments: a quote inside one must not make the scan think
 * the brackets after it are inside a string (2,000,000 levels behind a
 * comment crashed corrald), and brackets inside one are no nesting. */
static void test_comments_hide_no_depth(void **state)
{
	size_t n = 2000000;
	_cleanup_free_ char *text = malloc(2 * n + 64);
	assert_non_null(text);
	char *p = stpcpy(text, "{\"a\":\"x\"/*\"*/,\"b\":");
	memset(p, '[', n);
	memset(p + n, ']', n);
	strcpy(p + 2 * n, "}");
	assert_too_deep(text, "m", "m: nested deeper than 64 levels");
	p = stpcpy(text, "{\"a\":1 // \"\n,\"b\":");
	memset(p, '[', n);
	memset(p + n, ']', n);
	strcpy(p + 2 * n, "}");
	assert_too_deep(text, "m", "m: nested deeper than 64 levels");
	char deep[JSON_MAX_DEPTH + 2];
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	deep[JSON_MAX_DEPTH + 1] = '\0';
	char shallow[256];
	snprintf(shallow, sizeof(shallow), "[1 /* %s */, 2 // %s\n]", deep, deep);
	assert_parses(shallow);
}

/* Closing brackets before opening ones cannot buy depth: the text is
 * refused either way (it is not JSON), never parsed deeper. */
static void test_stray_closers_buy_no_depth(void **state)
{
	char text[512];
	char closers[101], deep[JSON_MAX_DEPTH + 2];
	memset(closers, ']', 100);
	closers[100] = '\0';
	memset(deep, '[', JSON_MAX_DEPTH + 1);
	deep[JSON_MAX_DEPTH + 1] = '\0';
	snprintf(text, sizeof(text), "%s%s", closers, deep);
	assert_too_deep(text, "m", "m: nested deeper than 64 levels");
}

static void test_invalid_json_one_line(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	yajl_val v = NULL;
	assert_int_equal(json_parse("{\"a\":", "x.json", &v, &err), -EINVAL);
	assert_null(v);
	assert_non_null(strstr(cerr_msg(&err), "x.json: invalid JSON: "));
	assert_null(strchr(cerr_msg(&err), '\n'));
}

/* The text a generated string holds once parsed back. */
static char *text_roundtrip(const char *in, size_t len)
{
	yajl_gen g = json_gen_new(false);
	assert_int_equal(jg_text(g, in, len), 0);
	char *json = jg_finish(g, NULL);
	yajl_gen_free(g);
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(json, "text", &v, &err), 0);
	char *out = strdup(v->u.string);
	yajl_tree_free(v);
	free(json);
	return out;
}

/* yajl lets these through its strings; every parse refuses them, so that
 * what is passed on as it came (a broker message's data) is UTF-8 */
static void test_not_utf8_refused(void **state)
{
	const char *bad[] = { "{\"a\":\"\xc0\x80\"}", "{\"a\":\"\xed\xa0\x80\"}", "[\"\xf4\x90\x80\x80\"]",
			      "[\"\xe0\x80\xaf\"]" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_cerr_ cerr err = { 0 };
		yajl_val v = NULL;
		assert_int_equal(json_parse(bad[i], "config.json", &v, &err), -EINVAL);
		assert_null(v);
		assert_string_equal(cerr_msg(&err), "config.json: invalid JSON: not UTF-8");
	}
	assert_parses("[\"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"]");
}

static void test_text_is_mended_to_utf8(void **state)
{
	char *s = text_roundtrip("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 17);
	assert_string_equal(s, "plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	free(s);
	/* a stray byte, a NUL, a cut sequence, an overlong "/", a surrogate */
	s = text_roundtrip("a\xff" "b\0c\xe2\x82" "d\xc0\xaf" "e\xed\xa0\x80", 14);
	assert_string_equal(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd" "d\xef\xbf\xbd\xef\xbf\xbd"
			       "e\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	free(s);
}

static yajl_val tree(const char *text)
{
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(text, NULL, &v, &err), 0);
	return v;
}

static int gen_patched(yajl_gen g, yajl_val old, void *patch) { return jg_patched(g, old, patch); }

/* an object patched (old's members the patch has not, then the patch's),
 * and one of its keys made anew from its old value, or added */
static void test_patched_and_with(void **state)
{
	_cleanup_json_ yajl_val old = tree("{\"a\":1,\"r\":{\"m\":1,\"dev\":[1]},\"z\":true}");
	_cleanup_json_ yajl_val patch = tree("{\"m\":2,\"p\":3}");
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	assert_int_equal(jg_object_with(g, old, "r", gen_patched, patch), 0);
	_cleanup_free_ char *t = jg_finish(g, NULL);
	assert_string_equal(t, "{\"a\":1,\"r\":{\"dev\":[1],\"m\":2,\"p\":3},\"z\":true}");
	_cleanup_json_gen_ yajl_gen h = json_gen_new(false);
	assert_int_equal(jg_object_with(h, NULL, "r", gen_patched, patch), 0);
	_cleanup_free_ char *u = jg_finish(h, NULL);
	assert_string_equal(u, "{\"r\":{\"m\":2,\"p\":3}}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_million_deep_refused),
		cmocka_unit_test(test_depth_limit_exact),
		cmocka_unit_test(test_strings_do_not_nest),
		cmocka_unit_test(test_stray_closers_buy_no_depth),
		cmocka_unit_test(test_comments_hide_no_depth),
		cmocka_unit_test(test_invalid_json_one_line),
		cmocka_unit_test(test_not_utf8_refused),
		cmocka_unit_test(test_text_is_mended_to_utf8),
		cmocka_unit_test(test_patched_and_with),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
