/* cgroups/procs.c: a cgroup's processes, emptiness, kill and removal, against
 * a fake cgroupfs. */
#include "cgroups_fake.h"

#include <errno.h>
#include <signal.h>

static void t_pids_tree(void **st)
{
	fake_cgroup("ctr");
	fake_cgroup("ctr/sub");
	fake_write("ctr/cgroup.procs", "12\n34\n");
	fake_write("ctr/sub/cgroup.procs", "56\n");
	cerr err = { 0 };
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "ctr", &c, &err), 0);
	pid_t *p = NULL;
	size_t n = 0;
	assert_int_equal(cg_pids(c, &p, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(p[0] + p[1] + p[2], 12 + 34 + 56);
	free(p);
	fake_write("ctr/cgroup.events", "populated 1\n");
	assert_false(cg_is_empty(c));
	assert_int_equal(cg_wait_empty(c, 30), -ETIMEDOUT);
	fake_write("ctr/cgroup.events", "populated 0\n");
	assert_true(cg_is_empty(c));
	cg_free(c);
}

static void t_signal_kill_file(void **st)
{
	fake_cgroup("ctr");
	cerr err = { 0 };
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "ctr", &c, &err), 0);
	assert_int_equal(cg_signal_all(c, SIGKILL, &err), 0);
	_cleanup_free_ char *k = fake_read("ctr/cgroup.kill");
	assert_string_equal(k, "1");
	cg_free(c);
}

static void t_destroy(void **st)
{
	fake_mkdir("ctr/sub/subsub");
	_cleanup_cerr_ cerr err = { 0 };
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "ctr", &c, &err), 0);
	/* directories holding no files: plain rmdir, depth first */
	assert_int_equal(cg_destroy(c, false, &err), 0);
	assert_false(fake_exists("ctr"));
	assert_int_equal(cg_destroy(c, false, &err), 0); /* already gone is fine */
	cg_free(c);
	/* a non-empty directory stands for a busy cgroup: a clear error */
	fake_cgroup("busy");
	assert_int_equal(cg_open(NULL, "busy", &c, &err), 0);
	assert_true(cg_destroy(c, false, &err) < 0);
	assert_non_null(strstr(err.msg, "cgroup /busy: remove"));
	cg_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		T(t_pids_tree), T(t_signal_kill_file), T(t_destroy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
