#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_span.h"

/* What the broker did before json_span: parameters.data generated again
 * from yajl's tree. */
static char *regenerated(const char *text)
{
	cerr err = { 0 };
	_cleanup_json_ yajl_val tree = NULL;
	if (json_parse(text, "t", &tree, &err) < 0)
		fail_msg("%s: %s", text, cerr_msg(&err));
	yajl_val v = json_get(json_get(tree, "parameters"), "data");
	if (!v)
		return NULL;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	assert_non_null(g);
	assert_int_equal(jg_value(g, v), 0);
	return jg_finish(g, NULL);
}

/* The span is found, and is byte for byte what was generated before. */
static void assert_same(const char *text, const char *want)
{
	const char *span;
	size_t n;
	if (!json_span(text, strlen(text), "parameters", "data", &span, &n))
		fail_msg("no span in %s", text);
	_cleanup_free_ char *regen = regenerated(text);
	assert_non_null(regen);
	assert_int_equal(n, strlen(regen));
	assert_memory_equal(span, regen, n);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(span, want, n);
}

/* Not found, or not what yajl_gen writes: the caller generates it. */
static void assert_none(const char *text)
{
	const char *span;
	size_t n;
	if (json_span(text, strlen(text), "parameters", "data", &span, &n))
		fail_msg("a span of %zu bytes in %s", n, text);
}

static void test_canonical_values(void **state)
{
	assert_same("{\"method\":\"a.B\",\"parameters\":{\"topic\":\"t\",\"data\":{\"t\":1,\"pad\":\"xx\"}}}",
		    "{\"t\":1,\"pad\":\"xx\"}");
	assert_same("{\"parameters\":{\"data\":1.5e3}}", "1.5e3");
	assert_same("{\"parameters\":{\"data\":-0,\"x\":1}}", "-0");
	assert_same("{\"parameters\":{\"data\":true}}", "true");
	assert_same("{\"parameters\":{\"data\":null}}", "null");
	assert_same("{\"parameters\":{\"data\":\"caf\xc3\xa9 / \"}}", "\"caf\xc3\xa9 / \"");
	assert_same("{\"parameters\":{\"data\":[]}}", "[]");
	assert_same("{\"parameters\":{\"data\":{}}}", "{}");
	/* brackets, commas and colons in strings are text */
	assert_same("{\"parameters\":{\"data\":[\"]}\",{\"a\":[1,\"{\"]},\",:\"],\"topic\":\"t\"}}",
		    "[\"]}\",{\"a\":[1,\"{\"]},\",:\"]");
	/* space around the value is not the value's */
	assert_same("{ \"parameters\" : { \"topic\" : \"t\" , \"data\" : {\"a\":[1,2]} } }", "{\"a\":[1,2]}");
	assert_same("{\"parameters\":{\"data\":7\n}}", "7");
}

static void test_last_duplicate_wins(void **state)
{
	assert_same("{\"parameters\":{\"data\":1,\"data\":[2]}}", "[2]");
	assert_same("{\"parameters\":{\"data\":1},\"parameters\":{\"data\":{\"b\":2}}}", "{\"b\":2}");
	/* the later duplicate is canonical though the first is not */
	assert_same("{\"parameters\":{\"data\":[1, 2],\"data\":[3]}}", "[3]");
	/* and the other way round */
	assert_none("{\"parameters\":{\"data\":[3],\"data\":[1, 2]}}");
	/* a later parameters without data: json_get finds none */
	assert_none("{\"parameters\":{\"data\":1},\"parameters\":{}}");
}

static void test_not_canonical(void **state)
{
	assert_none("{\"parameters\":{\"data\":{\"a\": 1}}}");
	assert_none("{\"parameters\":{\"data\":[1,\n2]}}");
	assert_none("{\"parameters\":{\"data\":\"a\\\"b\"}}");
	assert_none("{\"parameters\":{\"data\":\"\\u00e9\"}}");
	assert_none("{\"parameters\":{\"data\":{\"k\\n\":1}}}");
	/* an escaped key might be "data": never guessed */
	assert_none("{\"parameters\":{\"d\\u0061ta\":1}}");
	assert_none("{\"param\\u0065ters\":{\"data\":1}}");
	/* yajl takes comments: their quotes would move the span past data into
	 * the members after it ("from" faked), so a comment anywhere is refused */
	assert_none("{\"method\":\"io.corral.Broker.Publish\",\"parameters\":{\"topic\":\"t\",\"data\":[/*\"*/0],"
		    "\"from\":\"admin\",\"z\":[/*\"*/]}}");
	assert_none("{\"parameters\":{\"data\":0/**/}}");
	assert_none("{\"parameters\":{\"data\":1,\"z\":[/*]}}*/]}}");
	assert_none("{\"parameters\":{\"z\":[/*\"*/],\"data\":1}}");
}

static void test_absent(void **state)
{
	assert_none("{\"parameters\":{\"topic\":\"data\"}}");
	assert_none("{\"parameters\":{}}");
	assert_none("{\"method\":\"x\"}");
	assert_none("{\"parameters\":[{\"data\":1}]}");
	assert_none("{\"parameters\":\"data\"}");
	assert_none("{\"x\":{\"parameters\":{\"data\":1}}}");
	assert_none("");
	/* cut texts end the search, never read past it */
	const char *cut = "{\"parameters\":{\"data\":{\"a\":\"bc";
	const char *span;
	size_t n;
	for (size_t len = 0; len <= strlen(cut); len++)
		assert_false(json_span(cut, len, "parameters", "data", &span, &n));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_values),
		cmocka_unit_test(test_last_duplicate_wins),
		cmocka_unit_test(test_not_canonical),
		cmocka_unit_test(test_absent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
