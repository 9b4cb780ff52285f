/* cgroups/cg_create.c: creation, controller delegation and rollback, against
 * a fake cgroupfs. */
#include "cgroups_fake.h"
#include "cgroups/cg_create.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>

static void t_create_plain(void **st)
{
	fake_write("cgroup.controllers", "cpuset cpu io memory pids\n");
	fake_write("cgroup.subtree_control", "");
	cerr err = { 0 };
	cg *c = NULL;
	/* no resources: the stats controllers are enabled where the host has them */
	assert_int_equal(cg_create("/corral//web/", NULL, &c, &err), 0);
	assert_non_null(c);
	assert_string_equal(c->path, "/corral/web");
	assert_true(c->dirfd >= 0);
	assert_true(fake_exists("corral/web"));
	_cleanup_free_ char *sc = fake_read("cgroup.subtree_control");
	assert_string_equal(sc, "+cpu +io +memory +pids");
	cg_free(c);
}

static void t_create_skips_enabled(void **st)
{
	fake_write("cgroup.controllers", "cpu memory pids\n");
	fake_write("cgroup.subtree_control", "cpu memory\n");
	cerr err = { 0 };
	cg *c = NULL;
	struct cg_resources *r = parse_ok("{\"pids\":{\"limit\":-1}}");
	/* pre-create the cgroup's files, as the kernel would */
	fake_cgroup("ctr");
	assert_int_equal(cg_create("ctr", r, &c, &err), 0);
	_cleanup_free_ char *sc = fake_read("cgroup.subtree_control");
	assert_string_equal(sc, "+pids"); /* only what is not yet delegated */
	_cleanup_free_ char *pm = fake_read("ctr/pids.max");
	assert_string_equal(pm, "max");
	cg_free(c);
	cg_resources_free(r);
}

static void t_create_missing_controller(void **st)
{
	fake_write("cgroup.controllers", "cpu memory\n");
	fake_write("cgroup.subtree_control", "");
	_cleanup_cerr_ cerr err = { 0 };
	cg *c = NULL;
	struct cg_resources *r = parse_ok("{\"pids\":{\"limit\":10},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],\"memory\":{\"limit\":100000}}");
	assert_int_equal(cg_create("/a/b", r, &c, &err), -ENOTSUP);
	assert_null(c);
	assert_non_null(strstr(err.msg, "lacks the pids hugetlb controllers"));
	assert_false(fake_exists("a")); /* nothing was created */
	cg_resources_free(r);
}

static void t_create_rollback(void **st)
{
	fake_write("cgroup.controllers", "memory\n");
	fake_write("cgroup.subtree_control", "");
	fake_cgroup("keep");
	_cleanup_cerr_ cerr err = { 0 };
	cg *c = NULL;
	struct cg_resources *r = parse_ok("{\"memory\":{\"limit\":100000}}");
	/* the fresh directories of a fake root have no files: delegating fails */
	assert_true(cg_create("/keep/x/y", r, &c, &err) < 0);
	assert_null(c);
	if (!strstr(err.msg, "cgroup /keep/x: enable controllers \"+memory\""))
		fail_msg("%s", err.msg);
	assert_false(fake_exists("keep/x")); /* what it made is gone */
	assert_true(fake_exists("keep"));   /* what it found stays */
	_cleanup_free_ char *sc = fake_read("keep/cgroup.subtree_control");
	assert_string_equal(sc, "+memory");
	/* and in the leaf itself: apply fails on the missing memory.max */
	fake_cgroup("keep/x");
	assert_true(cg_create("/keep/x/y", r, &c, &err) < 0);
	if (!strstr(err.msg, "linux.resources.memory.limit: cgroup /keep/x/y: memory.max"))
		fail_msg("%s", err.msg);
	assert_false(fake_exists("keep/x/y"));
	assert_true(fake_exists("keep/x"));
	cg_resources_free(r);
}

static void t_create_bad_paths(void **st)
{
	fake_write("cgroup.controllers", "");
	cerr err = { 0 };
	cg *c = NULL;
	assert_int_equal(cg_create("/a/../../etc", NULL, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "linux.cgroupsPath"));
	cerr_clear(&err);
	assert_int_equal(cg_create("/", NULL, &c, &err), -EINVAL);
	cerr_clear(&err);
	assert_int_equal(cg_create("", NULL, &c, &err), -EINVAL);
	cerr_clear(&err);
	/* a cgroup that already holds processes is not shared */
	fake_cgroup("busy");
	fake_write("busy/cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cg_create("busy", NULL, &c, &err), -EEXIST);
	cerr_clear(&err);
	fake_write("busy/cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(cg_create("busy", NULL, &c, &err), 0);
	cg_free(c);
}

/* a supervisor's default limits (optional) go where the host lacks their
 * controller, and only those: asked-for limits still fail the create */
static void t_optional_limits_dropped_where_absent(void **st)
{
	fake_write("cgroup.controllers", "cpu pids\n");
	fake_write("cgroup.subtree_control", "");
	cerr err = { 0 };
	cg *c = NULL;
	char dropped[32];
	struct cg_resources *r = parse_ok("{\"pids\":{\"limit\":1024},\"memory\":{\"limit\":1073741824}}");
	cg_resources_drop_absent(r, NULL, dropped, sizeof(dropped));
	assert_string_equal(dropped, "");
	cg_resources_drop_absent(r, "pids", dropped, sizeof(dropped)); /* pids is here */
	assert_string_equal(dropped, "");
	assert_int_equal(cg_create("/x", r, &c, &err), -ENOTSUP); /* memory was asked for */
	cerr_clear(&err);
	cg_resources_drop_absent(r, "memory pids", dropped, sizeof(dropped));
	assert_string_equal(dropped, "memory");
	fake_cgroup("x"); /* its files, as the kernel would make them */
	assert_int_equal(cg_create("/x", r, &c, &err), 0);
	_cleanup_free_ char *pm = fake_read("x/pids.max"), *mm = fake_read("x/memory.max");
	assert_string_equal(pm, "1024");
	assert_string_equal(mm, ""); /* never written */
	cg_free(c);
	cg_resources_free(r);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		T(t_create_plain), T(t_create_skips_enabled), T(t_create_missing_controller),
		T(t_create_rollback), T(t_create_bad_paths), T(t_optional_limits_dropped_where_absent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
