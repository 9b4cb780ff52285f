/* Times and names as Docker says them: supervisor/shape/words.c, and
 * corral-docker's dk_ctr_name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "supervisor/docker/dk.h"
#include "supervisor/shape/words.h"
#include "supervisor/docker/docker_call.h"

static void test_human_duration(void **state)
{
	char b[48];
	static const struct {
		long long secs;
		const char *says;
	} cases[] = {
		{ 0, "Less than a second" }, { 1, "1 second" },	  { 45, "45 seconds" },
		{ 90, "About a minute" },    { 120, "2 minutes" },	  { 3600, "About an hour" },
		{ 5 * 3600, "5 hours" },     { 3 * 86400, "3 days" },	  { 21 * 86400, "3 weeks" },
		{ 90 * 86400, "3 months" },  { 3 * 365 * 86400LL, "3 years" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		dk_human_duration(cases[i].secs, b, sizeof(b));
		assert_string_equal(b, cases[i].says);
	}
}

static void test_familiar(void **state)
{
	assert_string_equal(dk_familiar("docker.io/library/busybox:1"), "busybox:1");
	assert_string_equal(dk_familiar("docker.io/team/web:2"), "team/web:2");
	assert_string_equal(dk_familiar("localhost/web:1"), "localhost/web:1");
	assert_string_equal(dk_familiar("quay.io/x/y"), "quay.io/x/y");
}

static void test_unix(void **state)
{
	assert_int_equal(dk_unix("1970-01-01T00:01:40Z"), 100);
	assert_int_equal(dk_unix("2001-09-09T01:46:40.5+00:00"), 1000000000);
	assert_int_equal(dk_unix(""), 0);
	assert_int_equal(dk_unix("yesterday"), 0);
	assert_string_equal(dk_ctr_name("/web"), "web");
	assert_string_equal(dk_ctr_name("web"), "web");
	assert_string_equal(dk_ctr_name("/"), "/");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_human_duration),
		cmocka_unit_test(test_familiar),
		cmocka_unit_test(test_unix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
