/* Cgroup creation, controller delegation, processes, stats and freezing,
 * against a fake cgroupfs. */
#include "cgroups_fake.h"
#include "cgroups/stats.h"

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
	cerr err = { 0 };
	cg *c = NULL;
	struct cg_resources *r = parse_ok("{\"pids\":{\"limit\":10},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],\"memory\":{\"limit\":100000}}");
	assert_int_equal(cg_create("/a/b", r, &c, &err), -ENOTSUP);
	assert_null(c);
	assert_non_null(strstr(err.msg, "lacks the pids hugetlb controllers"));
	assert_false(fake_exists("a")); /* nothing was created */
	cerr_clear(&err);
	cg_resources_free(r);
}

static void t_create_rollback(void **st)
{
	fake_write("cgroup.controllers", "memory\n");
	fake_write("cgroup.subtree_control", "");
	fake_cgroup("keep");
	cerr err = { 0 };
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
	cerr_clear(&err);
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

static void t_stats(void **st)
{
	fake_cgroup("ctr");
	fake_write("ctr/memory.current", "1234\n");
	fake_write("ctr/memory.peak", "4096\n");
	fake_write("ctr/memory.max", "max\n");
	fake_write("ctr/memory.events", "low 0\nhigh 0\nmax 7\noom 2\noom_kill 1\noom_group_kill 0\n");
	fake_write("ctr/memory.stat", "anon 100\nfile 200\n");
	fake_write("ctr/cpu.stat", "usage_usec 5000\nuser_usec 3000\nsystem_usec 2000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 900\n");
	fake_write("ctr/pids.current", "3\n");
	fake_write("ctr/pids.max", "max\n");
	fake_write("ctr/io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n");
	cerr err = { 0 };
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "ctr", &c, &err), 0);
	struct cg_stats s;
	assert_int_equal(cg_stats_read(c, &s, &err), 0);
	assert_true(s.has_memory && s.has_cpu && s.has_pids && s.has_io);
	assert_int_equal(s.mem_current, 1234);
	assert_int_equal(s.mem_peak, 4096);
	assert_true(s.mem_max == CG_UNLIMITED);
	assert_int_equal(s.ev_oom, 2);
	assert_int_equal(s.ev_oom_kill, 1);
	assert_int_equal(s.nr_throttled, 4);
	assert_int_equal(s.pids_current, 3);
	assert_int_equal(s.n_io, 1);
	assert_int_equal(s.io[0].wbytes, 8192);
	assert_int_equal(s.n_mem_stat, 2);
	yajl_gen g = json_gen_new(false);
	assert_int_equal(cg_stats_json(&s, g), 0);
	_cleanup_free_ char *j = jg_finish(g, NULL);
	yajl_gen_free(g);
	assert_non_null(strstr(j, "\"usage\":{\"total\":5000000,\"kernel\":2000000,\"user\":3000000}"));
	assert_non_null(strstr(j, "\"throttled_periods\":4"));
	assert_non_null(strstr(j, "\"oom_kill\":1"));
	assert_non_null(strstr(j, "\"raw\":{\"anon\":100,\"file\":200}"));
	assert_non_null(strstr(j, "\"pids\":{\"current\":3,\"limit\":0}"));
	assert_non_null(strstr(j, "{\"major\":8,\"minor\":0,\"op\":\"Write\",\"value\":8192}"));
	/* and it is valid JSON */
	yajl_val v = NULL;
	assert_int_equal(json_parse(j, "stats", &v, &err), 0);
	yajl_tree_free(v);
	cg_stats_release(&s);
	uint64_t k = 0;
	assert_int_equal(cg_oom_kills(c, &k), 0);
	assert_int_equal(k, 1);
	cg_free(c);
}

static void t_stats_partial(void **st)
{
	/* the host's controller-less unified hierarchy: cpu.stat only */
	fake_mkdir("bare");
	fake_write("bare/cpu.stat", "usage_usec 7\nuser_usec 4\nsystem_usec 3\n");
	cerr err = { 0 };
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "bare", &c, &err), 0);
	struct cg_stats s;
	assert_int_equal(cg_stats_read(c, &s, &err), 0);
	assert_true(s.has_cpu);
	assert_false(s.has_memory || s.has_pids || s.has_io);
	uint64_t k;
	assert_true(cg_oom_kills(c, &k) < 0);
	cg_stats_release(&s);
	cg_free(c);
}

static void t_freeze(void **st)
{
	fake_cgroup("ctr");
	fake_write("ctr/cgroup.events", "populated 1\nfrozen 1\n");
	cerr err = { 0 };
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
	cerr_clear(&err);
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
	cerr err = { 0 };
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
	cerr_clear(&err);
	cg_free(c);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		T(t_create_plain), T(t_create_skips_enabled), T(t_create_missing_controller),
		T(t_create_rollback), T(t_create_bad_paths), T(t_pids_tree), T(t_stats),
		T(t_stats_partial), T(t_freeze), T(t_signal_kill_file), T(t_destroy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
