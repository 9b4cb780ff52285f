/* cgroups/freeze.c: freezing and thawing, with bounded waits, against a fake
 * cgroupfs. */
#include "cgroups_fake.h"

#include <errno.h>

static void t_freeze(void **st)
{
	fake_cgroup("ctr");
	fake_write("ctr/cgroup.events", "populated 1\nfrozen 1\n");
	_cleanup_cerr_ cerr err = { 0 };
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "ctr", &c, &err), 0);
	assert_int_equal(cg_freeze(c, true, 200, &err), 0);
	_cleanup_free_ char *f = fake_read("ctr/cgroup.freeze");
	assert_string_equal(f, "1");
	bool frozen = false;
	assert_int_equal(cg_frozen(c, &frozen), 0);
	assert_true(frozen);
	/* the thaw never completes: a bounded wait, and an error naming it */
	assert_int_equal(cg_freeze(c, false, 60, &err), -ETIMEDOUT);
	assert_non_null(strstr(err.msg, "thaw: not thawed after 60 ms"));
	cerr_clear(&err);
	/* a freeze that never completes is undone */
	fake_write("ctr/cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cg_freeze(c, true, 60, &err), -ETIMEDOUT);
	_cleanup_free_ char *g = fake_read("ctr/cgroup.freeze");
	assert_string_equal(g, "0");
	cg_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		T(t_freeze),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
