/* common/json_scan.c: the strict in-place scanner the broker's Publish is
 * served from. What it takes, yajl must take too, and a plain value must be
 * byte for byte what yajl_gen writes from yajl's tree; what is not JSON
 * (RFC 8259, RFC 3629) it must refuse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_scan.h"

#define MAXM 8

typedef struct key_value {
	const char *key;   /* NULL at the end of a list */
	const char *value; /* the value's text as it stands */
	bool plain;
} key_value;

typedef struct walk {
	int r; /* 0: walked to the end; -1: refused */
	size_t n;
	json_text k[MAXM], v[MAXM];
} walk;

/* All members of the object text is, in one mode. */
static walk walk_text(const char *text, size_t len, bool checked)
{
	walk w = { .r = -1 };
	json_keys it;
	if (!json_keys_open(&it, text, text + len, 1, checked))
		return w;
	json_text k, v;
	while ((w.r = json_keys_next(&it, &k, &v)) == 1) {
		assert_true(w.n < MAXM);
		w.k[w.n] = k;
		w.v[w.n++] = v;
	}
	return w;
}

/* yajl_gen's text of value v of the tree. */
static char *regen(yajl_val v)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	assert_non_null(g);
	assert_int_equal(jg_value(g, v), 0);
	return jg_finish(g, NULL);
}

/* text is taken, with exactly the members want, in both modes; yajl takes
 * it too, and each plain value is what yajl_gen writes of it. */
static void accepted_n(const char *text, size_t len, const key_value *want)
{
	walk w = walk_text(text, len, false);
	if (w.r != 0)
		fail_msg("refused: %.*s", (int)len, text);
	size_t n = 0;
	while (want && want[n].key)
		n++;
	assert_int_equal(w.n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(w.k[i].len, strlen(want[i].key));
		assert_memory_equal(w.k[i].p, want[i].key, w.k[i].len);
		if (w.v[i].len != strlen(want[i].value) || memcmp(w.v[i].p, want[i].value, w.v[i].len))
			fail_msg("value %zu: [%.*s], not [%s]", i, (int)w.v[i].len, w.v[i].p, want[i].value);
		if (w.v[i].plain != want[i].plain)
			fail_msg("value %zu [%s]: plain %d", i, want[i].value, w.v[i].plain);
	}
	/* checked mode, on text known to be JSON: the very same spans */
	walk c = walk_text(text, len, true);
	assert_int_equal(c.r, 0);
	assert_int_equal(c.n, w.n);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(c.k[i].p, w.k[i].p);
		assert_int_equal(c.k[i].len, w.k[i].len);
		assert_ptr_equal(c.v[i].p, w.v[i].p);
		assert_int_equal(c.v[i].len, w.v[i].len);
		assert_int_equal(c.v[i].plain, w.v[i].plain);
	}
	/* yajl agrees */
	_cleanup_free_ char *z = strndup(text, len);
	cerr err = { 0 };
	_cleanup_json_ yajl_val tree = NULL;
	if (json_parse(z, NULL, &tree, &err) < 0)
		fail_msg("scanned, but yajl refuses %s: %s", z, cerr_msg(&err));
	assert_true(YAJL_IS_OBJECT(tree));
	assert_int_equal(tree->u.object.len, n);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(tree->u.object.keys[i], want[i].key);
		if (!w.v[i].plain)
			continue;
		_cleanup_free_ char *g = regen(tree->u.object.values[i]);
		if (strlen(g) != w.v[i].len || memcmp(g, w.v[i].p, w.v[i].len))
			fail_msg("plain [%.*s] but yajl_gen writes [%s]", (int)w.v[i].len, w.v[i].p, g);
	}
}

static void accepted(const char *text, const key_value *want) { accepted_n(text, strlen(text), want); }

/* One member {"k": value}: value taken as it stands, plain or not. */
static void accepted1(const char *value, bool plain)
{
	char text[512];
	snprintf(text, sizeof(text), "{\"k\":%s}", value);
	accepted(text, (key_value[]){ { "k", value, plain }, { 0 } });
}

static void refused_n(const char *text, size_t len)
{
	/* in a buffer of exactly len bytes: a read past it is ASan's
	 * (make check-unit SANITIZE=1) */
	char *t = malloc(len ? len : 1);
	assert_non_null(t);
	memcpy(t, text, len);
	walk w = walk_text(t, len, false);
	free(t);
	if (w.r != -1)
		fail_msg("taken: %.*s", (int)len, text);
}

static void refused(const char *text) { refused_n(text, strlen(text)); }

/* {"k":value} refused */
static void refused1(const char *value)
{
	char text[512];
	snprintf(text, sizeof(text), "{\"k\":%s}", value);
	refused(text);
}

static void test_keys(void **state)
{
	accepted("{}", (key_value[]){ { 0 } });
	accepted(" \t\r\n{ }\n", (key_value[]){ { 0 } });
	accepted("{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":{\"a\":[1,2]}}}",
		 (key_value[]){ { "method", "\"io.corral.Broker.Publish\"", true },
			     { "parameters", "{\"topic\":\"t\",\"data\":{\"a\":[1,2]}}", true },
			     { 0 } });
	/* space around tokens: not the values' */
	accepted("{ \"a\" : 1 , \"b\"\t:\n[true,false,null] }",
		 (key_value[]){ { "a", "1", true }, { "b", "[true,false,null]", true }, { 0 } });
	/* space inside a value makes it not plain */
	accepted("{\"a\":[1, 2],\"b\":{\"x\" :1},\"c\":{ },\"d\":[\n]}",
		 (key_value[]){ { "a", "[1, 2]", false }, { "b", "{\"x\" :1}", false }, { "c", "{ }", false },
			     { "d", "[\n]", false }, { 0 } });
	/* space in strings is text; an escape is not plain */
	accepted1("\"a b\"", true);
	accepted1("\"a b\\t\"", false);
}

static void test_keys_strings(void **state)
{
	accepted1("\"\"", true);
	accepted1("\"a b  c\"", true);
	accepted1("\"/\"", true);
	accepted1("\"\x7f\"", true); /* DEL is no control character in JSON */
	/* an escape: valid, not plain */
	accepted1("\"\\\"\"", false);
	accepted1("\"\\\\\"", false);
	accepted1("\"\\/\"", false);
	accepted1("\"\\b\\f\\n\\r\\t\"", false);
	accepted1("\"\\u00e9\\uD83D\\uDE00\\u0001\"", false);
	accepted1("[\"\\n\"]", false);
	accepted1("{\"k\\n\":1}", false); /* an escaped key inside a value */
	/* brackets, commas, colons in strings are text */
	accepted1("[\"]}\",{\"a\":[1,\"{\"]},\",:\"]", true);
	/* valid multi-byte UTF-8, at each length's bounds */
	accepted1("\"\xc2\x80\xdf\xbf\"", true);                  /* U+0080, U+07FF */
	accepted1("\"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\"", true); /* U+0800, U+D7FF, U+E000, U+FFFF */
	accepted1("\"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"", true);  /* U+10000, U+10FFFF */
	accepted1("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", true);
	/* a key with UTF-8 */
	accepted("{\"caf\xc3\xa9\":1}", (key_value[]){ { "caf\xc3\xa9", "1", true }, { 0 } });
}

static void test_refused_strings(void **state)
{
	/* escapes */
	refused1("\"\\x\"");
	refused1("\"\\u12\"");
	refused1("\"\\u12g4\"");
	for (int i = 2; i < 6; i++) { /* a non-hex digit at each of the four */
		char v[16] = "\"\\u0041\"";
		v[i + 1] = 'g';
		refused1(v);
	}
	refused1("\"\\U0041\"");
	/* a NUL, which json_parse refuses: a caller goes its way, and hears why */
	refused1("\"\\u0000\"");
	refused1("\"a\\u0000b\"");
	refused1("\"\\'\"");
	refused1("\"\\ \"");
	refused1("\"\\");
	refused1("\"abc");
	/* raw control characters */
	for (int c = 1; c < 0x20; c++) {
		char v[8];
		snprintf(v, sizeof(v), "\"a%cb\"", c);
		refused1(v);
	}
	/* invalid UTF-8: overlong forms */
	refused1("\"\xc0\x80\"");
	refused1("\"\xc1\xbf\"");
	refused1("\"\xe0\x80\x80\"");
	refused1("\"\xe0\x9f\xbf\"");
	refused1("\"\xf0\x80\x80\x80\"");
	refused1("\"\xf0\x8f\xbf\xbf\"");
	/* surrogates */
	refused1("\"\xed\xa0\x80\"");
	refused1("\"\xed\xbf\xbf\"");
	/* past U+10FFFF */
	refused1("\"\xf4\x90\x80\x80\"");
	refused1("\"\xf5\x80\x80\x80\"");
	refused1("\"\xf8\x88\x80\x80\x80\"");
	/* truncated sequences, at the string's end and before ASCII */
	refused1("\"\xc3\"");
	refused1("\"\xe2\x82\"");
	refused1("\"\xf0\x9f\x98\"");
	refused1("\"\xc3x\"");
	refused1("\"\xe2\x82x\"");
	refused1("\"\xf0\x9f\x98x\"");
	/* stray continuation bytes, FF, FE */
	refused1("\"\x80\"");
	refused1("\"\xbf\"");
	refused1("\"a\xc3\xa9\xa9\"");
	refused1("\"\xff\"");
	refused1("\"\xfe\"");
	/* a key: an escape is declined, invalid UTF-8 refused */
	refused("{\"a\\u0062\":1}");
	refused("{\"method\\n\":1}");
	refused("{\"\xc0\x80\":1}");
	/* a text cut inside a sequence never reads past its end */
	const char *t = "{\"k\":\"\xf0\x9f\x98\x80\"}";
	for (size_t len = 0; len < strlen(t); len++)
		refused_n(t, len);
}

static void test_numbers_words(void **state)
{
	const char *good[] = { "0", "-0", "1", "-1", "10", "1.5", "-0.0", "1e5", "1E5", "1e+5", "1e-5", "1.5E-3",
			       "123456789012345678901234567890", "1e999", "true", "false", "null" };
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		accepted1(good[i], true);
		char arr[64];
		snprintf(arr, sizeof(arr), "[%s,%s]", good[i], good[i]);
		accepted1(arr, true);
	}
	const char *bad[] = { "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "1E-", "--1", "1.e5", "0x1", "1f", "Infinity",
			      "NaN", "tru", "t", "nul", "falsey", "True", "NULL", "'a'", "", "1 2", "[01]", "[1.]" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		refused1(bad[i]);
}

static void test_refused_structure(void **state)
{
	/* comments, which yajl takes: a quote in one must not move a span */
	refused("{\"a\":1/* \" */}");
	refused("{\"a\":1//\n}");
	refused("{/**/\"a\":1}");
	refused("{\"a\":[/*\"*/0],\"from\":\"admin\"}");
	refused("{\"a\":1}//");
	refused("{\"a\":1}/**/");
	/* trailing garbage after the object */
	refused("{\"a\":1}x");
	refused("{\"a\":1}}");
	refused("{\"a\":1}{}");
	refused("{\"a\":1} ,");
	/* commas */
	refused("{\"a\":1 \"b\":2}");
	refused("{\"a\":1,}");
	refused("{,\"a\":1}");
	refused("{\"a\":[1,]}");
	refused("{\"a\":[,1]}");
	refused("{\"a\":[1 2]}");
	refused("{\"a\":{\"b\":1,}}");
	refused("{\"a\":{\"b\" 1}}");
	refused("{\"a\":{1:1}}");
	refused("{\"a\" 1}");
	refused("{\"a\":}");
	refused("{\"a\"}");
	refused("{a:1}");
	refused("{\"a\":[}");
	refused("{\"a\":{]}");
	refused("{\"a\":[1}");
	/* not an object, or cut */
	refused("[]");
	refused("");
	refused("   ");
	refused("{");
	refused("{\"a\":1");
	refused("{\"a\":1,");
	/* space that is not JSON's */
	refused("{\"a\":1\v}");
	refused("{\"a\":1\f}");
	refused("\xef\xbb\xbf{}");
	/* every prefix of a valid text is refused, none read past its end */
	const char *t = "{\"a\":[1,{\"b\":\"c\\n\"},true],\"d\":-1.5e3}";
	for (size_t len = 0; len < strlen(t); len++)
		refused_n(t, len);
}

static void test_depth(void **state)
{
	for (int levels = 60; levels <= 70; levels++) {
		/* levels containers, the outer object included */
		_cleanup_free_ char *s = malloc((size_t)levels * 8 + 16);
		assert_non_null(s);
		char *p = s;
		p += sprintf(p, "{\"k\":");
		for (int i = 1; i < levels; i++)
			p += sprintf(p, i % 2 ? "[" : "{\"x\":");
		p += sprintf(p, "1");
		for (int i = levels - 1; i >= 1; i--)
			p += sprintf(p, i % 2 ? "]" : "}");
		p += sprintf(p, "}");
		walk w = walk_text(s, strlen(s), false);
		walk c = walk_text(s, strlen(s), true);
		_cleanup_cerr_ cerr err = { 0 };
		_cleanup_json_ yajl_val tree = NULL;
		int y = json_parse(s, NULL, &tree, &err);
		if (levels <= JSON_MAX_DEPTH) {
			assert_int_equal(w.r, 0);
			assert_int_equal(c.r, 0);
			assert_int_equal(y, 0); /* the same bound as yajl's way */
		} else {
			assert_int_equal(w.r, -1);
			assert_int_equal(c.r, -1);
			assert_true(y < 0);
		}
	}
	/* an object opened at a depth: its values count from there */
	json_keys it;
	const char *e = "{}";
	assert_false(json_keys_open(&it, e, e + 2, JSON_MAX_DEPTH + 1, false));
	assert_false(json_keys_open(&it, e, e + 2, 0, false));
	assert_true(json_keys_open(&it, e, e + 2, JSON_MAX_DEPTH, false));
	json_text k, v;
	const char *a = "{\"a\":[]}";
	assert_true(json_keys_open(&it, a, a + strlen(a), JSON_MAX_DEPTH - 1, false));
	assert_int_equal(json_keys_next(&it, &k, &v), 1);
	assert_true(json_keys_open(&it, a, a + strlen(a), JSON_MAX_DEPTH, false));
	assert_int_equal(json_keys_next(&it, &k, &v), -1);
	const char *b = "{\"a\":1}";
	assert_true(json_keys_open(&it, b, b + strlen(b), JSON_MAX_DEPTH, false));
	assert_int_equal(json_keys_next(&it, &k, &v), 1);
	assert_int_equal(json_keys_next(&it, &k, &v), 0);
}

/* A string whose special byte (or sequence) stands at offset i of its
 * content, with pad bytes around: the 16- and 64-byte blocks see it at each
 * of their offsets, and across their boundaries. */
static void test_block_boundaries(void **state)
{
	struct {
		const char *special;
		int want; /* 1: plain; 0: not plain; -1: refused */
	} cases[] = {
		{ "\\n", 0 },        { "\\\\", 0 },          { "\\\"", 0 },        { "\\u00e9", 0 },
		{ "\\x", -1 },       { "\\u12", -1 },        { "\x1f", -1 },       { "\x01", -1 },
		{ "\n", -1 },        { "\xc3\xa9", 1 },      { "\xe2\x82\xac", 1 }, { "\xf0\x9f\x98\x80", 1 },
		{ "\xc3", -1 },      { "\x80", -1 },         { "\xc0\x80", -1 },   { "\xed\xa0\x80", -1 },
		{ "\xf4\x90\x80\x80", -1 }, { "\xe2\x82", -1 }, { "\xff", -1 },   { "\x7f", 1 },
		{ "", 1 },
	};
	char text[256], value[256];
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int i = 0; i <= 70; i++) {
			for (int tail = 0; tail <= 70; tail += 7) {
				char *p = value;
				*p++ = '"';
				memset(p, 'a', (size_t)i);
				p += i;
				p += sprintf(p, "%s", cases[c].special);
				memset(p, 'q', (size_t)tail); /* not a hex digit */
				p += tail;
				*p++ = '"';
				*p = '\0';
				snprintf(text, sizeof(text), "{\"k\":%s}", value);
				if (cases[c].want < 0) {
					refused(text);
					/* and a key so made is refused too */
					snprintf(text, sizeof(text), "{%s:1}", value);
					refused(text);
				} else {
					accepted(text, (key_value[]){ { "k", value, cases[c].want == 1 }, { 0 } });
				}
			}
		}
	}
	for (int i = 0; i <= 70; i++) {
		/* the string ends (the quote) at offset i, then more members */
		char *p = value;
		*p++ = '"';
		memset(p, 'a', (size_t)i);
		p += i;
		*p++ = '"';
		*p = '\0';
		char z[80];
		snprintf(z, sizeof(z), "\"%.*s\"", 70 - i,
			 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
		snprintf(text, sizeof(text), "{\"k\":%s,\"z\":%s}", value, z);
		accepted(text, (key_value[]){ { "k", value, true }, { "z", z, true }, { 0 } });
	}
}

/* A quote in a string at a block's edge must not end a string that is
 * cut: the scan never reads past the text's end. */
static void test_cut_at_blocks(void **state)
{
	char buf[200];
	for (size_t n = 0; n < 140; n++) {
		memcpy(buf, "{\"k\":\"", 6);
		memset(buf + 6, 'a', n);
		/* a quote just past the end: it must not be seen */
		buf[6 + n] = '"';
		buf[7 + n] = '}';
		refused_n(buf, 6 + n);
		refused_n(buf, 7 + n); /* {"k":"aaa" without its close */
	}
}

/* checked mode passes strings by their quotes: on valid text the same. */
static void test_checked_same(void **state)
{
	const char *texts[] = {
		"{\"a\":\"x\\\"y\",\"b\":[\"\\\\\",\"\\\\\\\"\"],\"c\":{\"d\\\"\":\"\\u0022\"}}",
		"{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":\"caf\xc3\xa9\"}}",
		"{ \"a\" : [ 1 , 2 ] , \"b\" : \"\\n\" }",
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		walk u = walk_text(texts[i], strlen(texts[i]), false);
		walk c = walk_text(texts[i], strlen(texts[i]), true);
		assert_int_equal(u.r, 0);
		assert_int_equal(c.r, 0);
		assert_int_equal(u.n, c.n);
		for (size_t j = 0; j < u.n; j++) {
			assert_ptr_equal(u.v[j].p, c.v[j].p);
			assert_int_equal(u.v[j].len, c.v[j].len);
			assert_int_equal(u.v[j].plain, c.v[j].plain);
		}
	}
}

static void test_text_is(void **state)
{
	json_text k = { .p = "topicx", .len = 5 };
	assert_true(json_text_is(&k, "topic"));
	assert_false(json_text_is(&k, "topicx"));
	assert_false(json_text_is(&k, "topi"));
	assert_false(json_text_is(&k, ""));
}

/* a prefix cut where a character ends: é is 2 bytes, the whale 4 */
static void test_utf8_prefix(void **state)
{
	assert_int_equal(utf8_prefix("abc", 8), 3);
	assert_int_equal(utf8_prefix("abcdef", 4), 4);
	assert_int_equal(utf8_prefix("ab\xc3\xa9", 3), 2);
	assert_int_equal(utf8_prefix("ab\xc3\xa9", 4), 4);
	assert_int_equal(utf8_prefix("\xf0\x9f\x90\xb3x", 3), 0);
	assert_int_equal(utf8_prefix("\xf0\x9f\x90\xb3x", 4), 4);
	assert_int_equal(utf8_prefix("a\xff" "b", 2), 2); /* a byte that starts none is one */
	assert_int_equal(utf8_prefix("", 8), 0);
}

/* bytes that start no sequence, and NULs, become U+FFFD; UTF-8 is left */
static void test_utf8_mend(void **state)
{
	char *out;
	size_t n;
	assert_int_equal(utf8_mend("caf\xc3\xa9", 5, &out, &n), 0);
	assert_null(out);
	assert_int_equal(utf8_mend("{\"m\":\"a\xc3\"}", 10, &out, &n), 1);
	assert_string_equal(out, "{\"m\":\"a\xef\xbf\xbd\"}");
	assert_int_equal(n, 12);
	free(out);
	assert_int_equal(utf8_mend("\xed\xa0\x80" "b\0c", 6, &out, &n), 1); /* a surrogate: 3 bytes, 3 U+FFFD */
	assert_memory_equal(out, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "b\xef\xbf\xbd" "c", 14);
	assert_int_equal(n, 14);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_keys_strings),
		cmocka_unit_test(test_refused_strings),
		cmocka_unit_test(test_numbers_words),
		cmocka_unit_test(test_refused_structure),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_block_boundaries),
		cmocka_unit_test(test_cut_at_blocks),
		cmocka_unit_test(test_checked_same),
		cmocka_unit_test(test_text_is),
		cmocka_unit_test(test_utf8_prefix),
		cmocka_unit_test(test_utf8_mend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
