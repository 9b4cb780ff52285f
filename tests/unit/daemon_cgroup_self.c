/* supervisor/daemon/cgroup_self.c: corrald's own cgroup, delegation and the leaf it moves into. */
#include "tmpdir.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/cleanup.h"
#include "supervisor/daemon/host/cgroup_self.h"
#include "supervisor/daemon/core/config.h"

static void test_cgroup_self(void **state)
{
	cerr err = { 0 };
	char *p = NULL;
	assert_int_equal(cgself_parse("12:pids:/x\n0::/system.slice/corrald.service\n", &p, &err), 0);
	assert_string_equal(p, "/system.slice/corrald.service");
	free(p);
	assert_int_equal(cgself_parse("4:memory:/\n", &p, &err), -ENOENT);
	cerr_clear(&err);
	/* auto: not even as systemd's service (it could not be restarted) */
	setenv("INVOCATION_ID", "abc", 1);
	assert_false(cgself_should_delegate(CG_DELEGATE_AUTO, "/system.slice/corrald.service"));
	assert_false(cgself_should_delegate(CG_DELEGATE_AUTO, "/user.slice/session-1.scope"));
	assert_false(cgself_should_delegate(CG_DELEGATE_YES, "/"));
	assert_false(cgself_should_delegate(CG_DELEGATE_NO, "/system.slice/corrald.service"));
	unsetenv("INVOCATION_ID");
	assert_true(cgself_should_delegate(CG_DELEGATE_YES, "/system.slice/corrald.service"));
	assert_true(cgself_should_delegate(CG_DELEGATE_YES, "/x"));

	/* a fake cgroupfs: the service cgroup offers cpu, memory, pids */
	char svc[160], f[200];
	snprintf(svc, sizeof(svc), "%s/system.slice/corrald.service", tmpdir);
	assert_int_equal(mkdir_p(svc, 0755), 0);
	snprintf(f, sizeof(f), "%s/cgroup.procs", svc);
	assert_int_equal(write_file_atomic(f, "", 0, 0644, &err), 0);
	snprintf(f, sizeof(f), "%s/cgroup.controllers", svc);
	assert_int_equal(write_file_atomic(f, "cpu memory pids\n", 16, 0644, &err), 0);
	snprintf(f, sizeof(f), "%s/cgroup.subtree_control", svc);
	assert_int_equal(write_file_atomic(f, "", 0, 0644, &err), 0);
	assert_int_equal(cgself_enter_leaf(tmpdir, "/system.slice/corrald.service", CGSELF_LEAF, &err), 0);
	_cleanup_free_ char *sub = NULL;
	assert_int_equal(read_file(f, 4096, &sub, NULL, &err), 0);
	assert_string_equal(sub, "+cpu +memory +pids");
	snprintf(f, sizeof(f), "%s/supervisor", svc);
	struct stat st;
	assert_int_equal(stat(f, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	_cleanup_free_ char *a = cgself_containers_parent("", "/system.slice/corrald.service", true);
	_cleanup_free_ char *b = cgself_containers_parent("/machine.slice", "/x", true);
	_cleanup_free_ char *c = cgself_containers_parent(NULL, "/", false);
	assert_string_equal(a, "/system.slice/corrald.service");
	assert_string_equal(b, "/machine.slice");
	assert_string_equal(c, "/corral");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cgroup_self, tmpdir_setup, tmpdir_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
