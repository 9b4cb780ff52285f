/* supervisor/daemon/core/prune_filter.c: the prunes' until, labels and
 * labelsNot, as Docker's prune filters read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/core/prune_filter.h"

static yajl_val params_of(const char *json)
{
	yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(json_parse(json, NULL, &v, &err), 0);
	return v;
}

static void expect_refused(const char *json, const char *field, const char *reason)
{
	_cleanup_json_ yajl_val v = params_of(json);
	prune_filter pf;
	json_fault f = { 0 };
	assert_true(prune_filter_parse(v, &pf, &f) < 0);
	if (strcmp(f.field, field) || !strstr(f.reason, reason))
		fail_msg("%s: [%s: %s], expected [%s: %s]", json, f.field, f.reason, field, reason);
}

static void test_refusals_name_the_field(void **state)
{
	expect_refused("{\"until\":\"yesterday\"}", "until", "RFC 3339");
	expect_refused("{\"until\":5}", "until", "RFC 3339");
	expect_refused("{\"labels\":\"a\"}", "labels", "array");
	expect_refused("{\"labels\":[\"a\",\"\"]}", "labels[1]", "KEY or KEY=VALUE");
	expect_refused("{\"labelsNot\":[\"=v\"]}", "labelsNot[0]", "KEY or KEY=VALUE");
	expect_refused("{\"labelsNot\":[1]}", "labelsNot[0]", "KEY or KEY=VALUE");
	char long_key[400];
	snprintf(long_key, sizeof(long_key), "{\"labels\":[\"%0300d=v\"]}", 0);
	expect_refused(long_key, "labels[0]", "at most 255 bytes"); /* never a key cut short */
}

static void test_what_goes(void **state)
{
	char *kv[] = { "tier", "web", "keep", "", NULL };
	char *none[] = { NULL };
	_cleanup_json_ yajl_val v = params_of("{\"until\":\"100\",\"labels\":[\"tier=web\"],\"labelsNot\":[\"keep=no\"]}");
	prune_filter pf;
	json_fault f = { 0 };
	assert_int_equal(prune_filter_parse(v, &pf, &f), 0);
	assert_int_equal(pf.until_ns, 100000000000LL);
	assert_true(prune_filter_match(&pf, 99000000000LL, prune_label_of_kv, kv));
	assert_false(prune_filter_match(&pf, 100000000000LL, prune_label_of_kv, kv)); /* not before until */
	assert_true(prune_filter_match(&pf, 0, prune_label_of_kv, kv)); /* no time known: until does not keep it */
	assert_false(prune_filter_match(&pf, 1, prune_label_of_kv, none)); /* tier=web does not hold */
	_cleanup_json_ yajl_val w = params_of("{\"labels\":[\"tier\",\"keep\"],\"labelsNot\":[\"keep\"]}");
	assert_int_equal(prune_filter_parse(w, &pf, &f), 0);
	assert_false(prune_filter_match(&pf, 1, prune_label_of_kv, kv)); /* keep is there: labelsNot holds */
	_cleanup_json_ yajl_val e = params_of("{}");
	assert_int_equal(prune_filter_parse(e, &pf, &f), 0);
	assert_true(prune_filter_match(&pf, 1, prune_label_of_kv, none)); /* no filter: everything goes */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals_name_the_field),
		cmocka_unit_test(test_what_goes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
