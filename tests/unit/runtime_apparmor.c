#include "tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/apparmor.h"
#include "common/cleanup.h"

static void put(const char *rel, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	*strrchr(path, '/') = '\0';
	assert_int_equal(mkdir_p(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644, NULL), 0);
}

/* runc's test: securityfs shows apparmor, and the module parameter says Y */
static void enabled_needs_securityfs_and_the_module(void **state)
{
	assert_false(apparmor_enabled_in(tmpdir));
	put("module/apparmor/parameters/enabled", "Y\n");
	assert_false(apparmor_enabled_in(tmpdir)); /* no securityfs entry */
	char sec[256];
	snprintf(sec, sizeof(sec), "%s/kernel/security/apparmor", tmpdir);
	assert_int_equal(mkdir_p(sec, 0755), 0);
	assert_true(apparmor_enabled_in(tmpdir));
	put("module/apparmor/parameters/enabled", "N\n");
	assert_false(apparmor_enabled_in(tmpdir));
	put("module/apparmor/parameters/enabled", "");
	assert_false(apparmor_enabled_in(tmpdir));
}

/* the kernel's list of loaded profiles: "NAME (MODE)" a line */
static void loaded_reads_the_kernels_list(void **state)
{
	assert_false(apparmor_loaded_in(tmpdir, "corral-test"));
	assert_true(apparmor_loaded_in(tmpdir, "unconfined"));
	put("kernel/security/apparmor/profiles", "corral-default (enforce)\ncorral-test-audit (complain)\n");
	assert_true(apparmor_loaded_in(tmpdir, "corral-default"));
	assert_true(apparmor_loaded_in(tmpdir, "corral-test-audit"));
	assert_false(apparmor_loaded_in(tmpdir, "corral-test")); /* a prefix of one is not it */
	assert_false(apparmor_loaded_in(tmpdir, "corral"));
}

static void check_refuses_what_is_no_name(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(apparmor_check(NULL, "process.apparmorProfile", &err), 0);
	assert_int_equal(apparmor_check("", "process.apparmorProfile", &err), 0);
	assert_int_equal(apparmor_check("foo\nexec unconfined", "--apparmor", &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "--apparmor: \"foo\nexec unconfined\" holds a control character");
	cerr_clear(&err);
	char longname[4100];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(apparmor_check(longname, "process.apparmorProfile", &err), -EINVAL);
	assert_non_null(strstr(cerr_msg(&err), "4099 bytes is longer than 4000"));
}

/* as runc: a profile where AppArmor is off is an error, not ignored */
static void check_refuses_a_profile_where_apparmor_is_off(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	int r = apparmor_check("corral-test", "process.apparmorProfile", &err);
	if (apparmor_enabled()) {
		assert_int_equal(r, 0);
		return;
	}
	assert_int_equal(r, -ENOTSUP);
	assert_string_equal(cerr_msg(&err),
			    "process.apparmorProfile: \"corral-test\": AppArmor is not enabled on this host");
}

/* a container's root can hold a file at thread-self/attr/exec: only procfs counts */
static void exec_attr_must_be_on_procfs(void **state)
{
	put("thread-self/attr/exec", "");
	_cleanup_close_ int fake = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(apparmor_open_exec_attr(fake, 3, &err), -EPERM);
	assert_string_equal(cerr_msg(&err), "AppArmor: /proc/thread-self/attr/exec is not on procfs");
	cerr_clear(&err);
	_cleanup_close_ int empty = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(apparmor_open_exec_attr(empty, 3, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "AppArmor: open /proc/thread-self/attr/exec"));
	cerr_clear(&err);
	_cleanup_close_ int proc = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = apparmor_open_exec_attr(proc, 3, &err);
	assert_true(fd >= 3);
	/* never one of the fds passed on: above them, and closed at exec */
	_cleanup_close_ int high = apparmor_open_exec_attr(proc, 200, &err);
	assert_true(high >= 200);
	assert_true(fcntl(high, F_GETFD) & FD_CLOEXEC);
}

/* aa_change_onexec's command: "exec NAME", in one write */
static void exec_profile_writes_the_command(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(apparmor_exec_profile(p[1], "corral-default", &err), 0);
	char buf[64] = { 0 };
	assert_int_equal(read(p[0], buf, sizeof(buf) - 1), (int)strlen("exec corral-default"));
	assert_string_equal(buf, "exec corral-default");
	assert_int_equal(apparmor_exec_profile(p[0], "x", &err), -EBADF);
	assert_string_equal(cerr_msg(&err), "AppArmor profile \"x\": Bad file descriptor");
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(enabled_needs_securityfs_and_the_module, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(loaded_reads_the_kernels_list, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(check_refuses_what_is_no_name),
		cmocka_unit_test(check_refuses_a_profile_where_apparmor_is_off),
		cmocka_unit_test_setup_teardown(exec_attr_must_be_on_procfs, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(exec_profile_writes_the_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
