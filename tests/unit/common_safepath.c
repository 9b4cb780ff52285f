#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/safepath.h"

static void test_clean_absolute_paths(void **state)
{
	static const char *const good[] = { "/", "/data", "/data/", "/a/b/c", "/proc/self/fd/4", "/.hidden", "/a..b" };
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(path_is_clean_absolute(good[i]));
	static const char *const bad[] = { "", "data", "./data", "/data/..", "/data/../../..", "/../etc",
					   "/a//b", "//a", "/a/./b", "/.", "/a/.." };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_false(path_is_clean_absolute(bad[i]));
	}
	assert_false(path_is_clean_absolute(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_absolute_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
