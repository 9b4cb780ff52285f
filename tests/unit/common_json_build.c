#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

/* The text yajl writes for what build put in a new generator. */
#define TEXT_OF(build)                                            \
	({                                                        \
		_cleanup_json_gen_ yajl_gen g_ = json_gen_new(false); \
		assert_non_null(g_);                              \
		assert_int_equal(build, 0);                       \
		jg_finish(g_, NULL);                              \
	})

static void test_each_kind_in_order(void **state)
{
	char *env[] = { "A=1", "B=2", NULL };
	_cleanup_free_ char *t = TEXT_OF(jg_object(g_, JG_STR("s", "x\"y"), JG_STR("null", NULL), JG_INT("n", -42),
						   JG_INT("big", 1LL << 40), JG_BOOL("yes", 7), JG_BOOL("no", false),
						   JG_STRV("env", env), JG_STRV("none", NULL), JG_END));
	assert_string_equal(t, "{\"s\":\"x\\\"y\",\"null\":\"\",\"n\":-42,\"big\":1099511627776,\"yes\":true,"
			       "\"no\":false,\"env\":[\"A=1\",\"B=2\"],\"none\":[]}");
}

static void test_set_kinds_leave_out_what_is_unset(void **state)
{
	_cleanup_free_ char *t = TEXT_OF(jg_object(g_, JG_STR_SET("gone", NULL), JG_STR_SET("here", ""),
						   JG_TRUE_SET("off", false), JG_TRUE_SET("on", 2), JG_END));
	assert_string_equal(t, "{\"here\":\"\",\"on\":true}");
	_cleanup_free_ char *empty = TEXT_OF(jg_object(g_, JG_STR_SET("gone", NULL), JG_END));
	assert_string_equal(empty, "{}");
}

/* a parsed tree written whole, and null for none */
static void test_parsed_values(void **state)
{
	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse("{\"a\":[1,\"two\",{\"b\":null}]}", NULL, &v, &err), 0);
	_cleanup_free_ char *t = TEXT_OF(jg_object(g_, JG_INT("n", 1), JG_VALUE("spec", v), JG_VALUE("none", NULL), JG_END));
	assert_string_equal(t, "{\"n\":1,\"spec\":{\"a\":[1,\"two\",{\"b\":null}]},\"none\":null}");
}

static void test_nested_objects(void **state)
{
	_cleanup_free_ char *t = TEXT_OF(jg_object(g_, JG_OBJECT("errorDetail"), JG_STR("message", "m"),
						   JG_OBJECT("deeper"), JG_INT("n", 1), JG_CLOSE, JG_CLOSE,
						   JG_STR("error", "m"), JG_END));
	assert_string_equal(t, "{\"errorDetail\":{\"message\":\"m\",\"deeper\":{\"n\":1}},\"error\":\"m\"}");
}

/* A pair the generator refuses (a close with no object open) fails the
 * call, and nothing after it is written, the object's own close neither. */
static void test_a_refused_pair_fails(void **state)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	assert_non_null(g);
	assert_int_not_equal(jg_object(g, JG_CLOSE, JG_CLOSE, JG_STR("after", "x"), JG_END), 0);
	_cleanup_free_ char *t = jg_finish(g, NULL);
	assert_string_equal(t, "{}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_kind_in_order),
		cmocka_unit_test(test_set_kinds_leave_out_what_is_unset),
		cmocka_unit_test(test_parsed_values),
		cmocka_unit_test(test_nested_objects),
		cmocka_unit_test(test_a_refused_pair_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
