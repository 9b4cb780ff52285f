#include "runtime/rootless.h"
#include "common/cleanup.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <cmocka.h>

static void assert_path(const char *proc, const char *want)
{
	cerr err = { 0 };
	_cleanup_free_ char *p = NULL;
	assert_int_equal(rootless_cgroup_path_in(proc, "c1", &p, &err), 0);
	assert_string_equal(p, want);
}

/* runc's place: beside a scope that holds the caller, else below its cgroup */
static void test_cgroup_beside_the_callers(void **state)
{
	(void)state;
	assert_path("0::/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope\n",
		    "/user.slice/user-1000.slice/user@1000.service/app.slice/c1");
	assert_path("0::/deleg/shell\n", "/deleg/shell/c1");
	assert_path("0::/\n", "/c1");
	assert_path("0::/x.scope\n", "/c1");
	/* a hybrid host: the v1 lines first; "10::/" is not the v2 line */
	assert_path("12:pids:/a\n10::/not\n1:name=systemd:/b\n0::/own\n", "/own/c1");
}

static void test_no_v2_line(void **state)
{
	(void)state;
	cerr err = { 0 };
	char *p = NULL;
	assert_int_equal(rootless_cgroup_path_in("1:cpu:/x\n", "c1", &p, &err), -ENOENT);
	assert_non_null(strstr(cerr_msg(&err), "no cgroup v2 line"));
	cerr_clear(&err);
}

static void test_state_root(void **state)
{
	(void)state;
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	setenv("USER", "someone", 1);
	const char *want = geteuid() != 0 || rootless_in_userns() ? "/run/user/1000/corral" : "/run/corral/runtime";
	assert_string_equal(rootless_state_root(), want);
	setenv("XDG_RUNTIME_DIR", "relative", 1);
	assert_string_equal(rootless_state_root(), "/run/corral/runtime");
	unsetenv("XDG_RUNTIME_DIR");
	assert_string_equal(rootless_state_root(), "/run/corral/runtime");
}

static void test_parse(void **state)
{
	(void)state;
	bool b = true;
	assert_int_equal(rootless_parse("false", &b), 0);
	assert_false(b);
	assert_int_equal(rootless_parse("true", &b), 0);
	assert_true(b);
	assert_int_equal(rootless_parse("auto", &b), 0);
	assert_int_equal(b, rootless_detect());
	assert_int_equal(rootless_parse("yes", &b), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cgroup_beside_the_callers),
		cmocka_unit_test(test_no_v2_line),
		cmocka_unit_test(test_state_root),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
