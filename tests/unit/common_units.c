/* common/units.c: sizes as people write them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include "common/units.h"

static void test_sizes(void **state)
{
	size_t n;
	assert_int_equal(parse_size("4096", &n), 0);
	assert_int_equal(n, 4096);
	assert_int_equal(parse_size("10M", &n), 0);
	assert_int_equal(n, 10u << 20);
	assert_int_equal(parse_size("2KiB", &n), 0);
	assert_int_equal(n, 2048);
	assert_int_equal(parse_size("1G", &n), 0);
	assert_int_equal(parse_size("-1", &n), -EINVAL);
	assert_int_equal(parse_size("5X", &n), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999G", &n), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
