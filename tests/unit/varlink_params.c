/* supervisor/varlink/params.c: a method's parameter table, as
 * sp_dispatch reads it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/params.h"

static yajl_val parse(const char *text)
{
	cerr err = { 0 };
	yajl_val v = NULL;
	assert_int_equal(json_parse(text, "t", &v, &err), 0);
	return v;
}

static void test_reads_each_kind(void **state)
{
	_cleanup_json_ yajl_val p = parse("{\"id\":\"web\",\"path\":\"/x\",\"image\":\"busybox:1\",\"force\":true,"
					   "\"tail\":12,\"labels\":{\"a\":\"b\"}}");
	const char *id, *path, *image, *absent;
	bool force, dflt;
	long long tail, none;
	json_fault f = { 0 };
	assert_int_equal(sp_dispatch(p,
				     SP_PARAMS(SP_NAME("id", true, &id), SP_STR("path", true, &path),
					       SP_REF("image", true, &image), SP_STR("absent", false, &absent),
					       SP_BOOL("force", false, &force), SP_BOOL("dflt", true, &dflt),
					       SP_INT("tail", 0, 100, -1, &tail), SP_INT("none", 0, 100, -1, &none),
					       SP_KEY("labels")),
				     &f),
			 0);
	assert_string_equal(id, "web");
	assert_string_equal(path, "/x");
	assert_string_equal(image, "busybox:1");
	assert_null(absent);
	assert_true(force);
	assert_true(dflt);
	assert_int_equal(tail, 12);
	assert_int_equal(none, -1);
}

static void test_unknown_key_named(void **state)
{
	_cleanup_json_ yajl_val p = parse("{\"id\":\"web\",\"sigal\":\"TERM\"}");
	const char *id, *sig;
	json_fault f = { 0 };
	assert_int_equal(sp_dispatch(p, SP_PARAMS(SP_NAME("id", true, &id), SP_NAME("signal", false, &sig)), &f),
			 -EINVAL);
	assert_string_equal(f.field, "sigal");
	assert_string_equal(f.reason, "unknown parameter");
	json_fault g = { 0 };
	assert_int_equal(sp_known(p, SP_PARAMS(), &g), -EINVAL);
	_cleanup_json_ yajl_val empty = parse("{}");
	assert_int_equal(sp_known(empty, SP_PARAMS(), &g), 0);
}

static void test_first_wrong_in_table_order(void **state)
{
	_cleanup_json_ yajl_val p = parse("{\"force\":\"yes\",\"tail\":1000}");
	bool force;
	long long tail;
	json_fault f = { 0 };
	assert_int_equal(sp_dispatch(p, SP_PARAMS(SP_INT("tail", 0, 100, -1, &tail), SP_BOOL("force", false, &force)), &f),
			 -ERANGE);
	assert_string_equal(f.field, "tail");
	assert_string_equal(f.reason, "must be an integer from 0 to 100");
	json_fault g = { 0 };
	assert_int_equal(sp_dispatch(p, SP_PARAMS(SP_BOOL("force", false, &force), SP_INT("tail", 0, 100, -1, &tail)), &g),
			 -EINVAL);
	assert_string_equal(g.field, "force");
}

static void test_required_and_names(void **state)
{
	_cleanup_json_ yajl_val p = parse("{\"name\":\"\",\"bad\":\"a\\u0001b\"}");
	const char *s;
	json_fault f = { 0 };
	assert_int_equal(sp_read(p, SP_PARAMS(SP_STR("missing", true, &s)), &f), -EINVAL);
	assert_string_equal(f.field, "missing");
	assert_string_equal(f.reason, "required");
	json_fault g = { 0 };
	assert_true(sp_read(p, SP_PARAMS(SP_STR("name", true, &s)), &g) < 0);
	assert_string_equal(g.field, "name");
	json_fault h = { 0 };
	assert_true(sp_read(p, SP_PARAMS(SP_NAME("bad", true, &s)), &h) < 0);
	assert_null(s);
	assert_string_equal(h.field, "bad");
	/* SP_KEY is known and never read: no fault whatever it holds */
	json_fault k = { 0 };
	assert_int_equal(sp_dispatch(p, SP_PARAMS(SP_KEY("name"), SP_KEY("bad")), &k), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_each_kind),
		cmocka_unit_test(test_unknown_key_named),
		cmocka_unit_test(test_first_wrong_in_table_order),
		cmocka_unit_test(test_required_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
