/* cgroups/cg_stats.c: memory, cpu, pids and io figures and their JSON, against a
 * fake cgroupfs. */
#include "cgroups_fake.h"
#include "cgroups/stats.h"
#include "cgroups/cg_stats.h"

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

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		T(t_stats), T(t_stats_partial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
