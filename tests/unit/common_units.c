/* common/units.c: sizes and durations as people write them. */
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
	/* docker's and podman's spellings */
	assert_int_equal(parse_size("16mb", &n), 0);
	assert_int_equal(n, 16u << 20);
	assert_int_equal(parse_size("16MiB", &n), 0);
	assert_int_equal(n, 16u << 20);
	/* trailing garbage and what is not a size at all */
	const char *bad[] = { "", "16m:80", "16 m", "16mm", "1.5g", "0x10", "16m ", " 16m", "m", "16kiB!" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_size(bad[i], &n), -EINVAL);
}

static void test_durations(void **state)
{
	long long ns;
	const struct {
		const char *s;
		long long ns;
	} good[] = {
		{ "10m", 600000000000ll }, { "1h", 3600000000000ll }, { "1h30m", 5400000000000ll },
		{ "90s", 90000000000ll }, { "1.5s", 1500000000ll }, { "500ms", 500000000ll },
		{ "2us", 2000 }, { "10ns", 10 }, { "2d", 172800000000000ll }, { "0", 0 },
		{ "30", 30000000000ll }, { "0.25", 250000000ll }, { ".5s", 500000000ll },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(parse_duration(good[i].s, &ns), 0);
		assert_int_equal(ns, good[i].ns);
	}
	const char *bad[] = { "", "-1s", "+1s", "1e3s", "10x", "10m:", "1h30", "m", ".", "1..5s", "10 m",
			      "10m ", "inf", "nan", "0x10s", "1hh" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_duration(bad[i], &ns), -EINVAL);
	assert_int_equal(parse_duration("999999999h", &ns), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_durations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
