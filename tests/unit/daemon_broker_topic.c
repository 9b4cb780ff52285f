/* supervisor/daemon/broker/topic.c: topics, patterns, and a pattern within another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>
#include "supervisor/daemon/broker/topic.h"

static void test_topics(void **state)
{
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[299] = '\0';
	assert_true(topic_valid("jobs/new"));
	assert_true(topic_valid("a.b:c_d-e/f"));
	assert_false(topic_valid(""));
	assert_false(topic_valid("jobs/*"));
	assert_false(topic_valid("with space"));
	assert_false(topic_valid("é"));
	assert_false(topic_valid(big));
	big[255] = '\0';
	assert_true(topic_valid(big));
	assert_true(topic_pattern_valid("jobs/*"));
	assert_true(topic_pattern_valid("*"));
	assert_false(topic_pattern_valid("jo*bs"));
	assert_false(topic_pattern_valid("**"));
}

static void test_match(void **state)
{
	assert_true(topic_match("jobs/*", "jobs/new"));
	assert_true(topic_match("jobs/*", "jobs/"));
	assert_false(topic_match("jobs/*", "job"));
	assert_true(topic_match("*", "anything"));
	assert_true(topic_match("exact", "exact"));
	assert_false(topic_match("exact", "exactly"));
	char *pats[] = { "a", "b/*", NULL };
	assert_true(topic_match_any(pats, "b/c"));
	assert_false(topic_match_any(pats, "c"));
	assert_false(topic_match_any(NULL, "a"));
}

static void test_within(void **state)
{
	assert_true(topic_pattern_within("jobs/*", "jobs/a*"));
	assert_true(topic_pattern_within("jobs/*", "jobs/a"));
	assert_true(topic_pattern_within("jobs/*", "jobs/*"));
	assert_false(topic_pattern_within("jobs/a*", "jobs/*"));
	assert_false(topic_pattern_within("jobs/a", "jobs/*"));
	assert_true(topic_pattern_within("*", "*"));
	assert_false(topic_pattern_within("jobs/*", "*"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_topics),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_within),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
