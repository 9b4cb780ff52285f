/* supervisor/shape/copy_stat.c: CopyFrom's STAT frame as its clients read
 * it, and frames that are not one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/stat.h>

#include "supervisor/shape/copy_stat.h"

static void test_a_link_and_a_file(void **state)
{
	copy_stat st;
	assert_int_equal(copy_stat_parse("{\"size\":9,\"mode\":41471,\"mtimeNs\":-5,\"linkTarget\":\"/tmp/dir/f\"}", &st), 0);
	assert_int_equal(st.size, 9);
	assert_true(S_ISLNK(st.mode));
	assert_int_equal(st.mode & 07777, 0777);
	assert_int_equal(st.mtime_ns, -5);
	assert_string_equal(st.link, "/tmp/dir/f");
	copy_stat_release(&st);
	assert_int_equal(copy_stat_parse("{\"size\":0,\"mode\":16877,\"mtimeNs\":1,\"linkTarget\":\"\"}", &st), 0);
	assert_true(S_ISDIR(st.mode));
	assert_string_equal(st.link, "");
	copy_stat_release(&st);
}

static void test_frames_that_are_not_one(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"size\":1,\"mode\":1,\"mtimeNs\":1}",			       /* no linkTarget */
		"{\"size\":-1,\"mode\":1,\"mtimeNs\":1,\"linkTarget\":\"\"}",	       /* a negative size */
		"{\"size\":1,\"mode\":4294967296,\"mtimeNs\":1,\"linkTarget\":\"\"}", /* past st_mode's 32 bits */
		"{\"size\":1,\"mode\":\"1\",\"mtimeNs\":1,\"linkTarget\":\"\"}",
		"{\"size\":1,\"mode\":1,\"mtimeNs\":1.5,\"linkTarget\":\"\"}",
		"{\"size\":1,\"mode\":1,\"mtimeNs\":1,\"linkTarget\":7}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		copy_stat st;
		assert_int_equal(copy_stat_parse(bad[i], &st), -EINVAL);
		assert_null(st.link);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_link_and_a_file),
		cmocka_unit_test(test_frames_that_are_not_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
