/* linux.resources → cgroup v2 files, against a fake cgroupfs. */
#include "cgroups_fake.h"
#include "cgroups/apply.h"

/* Apply json to a fresh fake cgroup "ctr"; returns apply's result. */
static int apply_json(const char *json, cerr *err)
{
	fake_cgroup("ctr");
	struct cg_resources *r = parse_ok(json);
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "/ctr", &c, err), 0);
	int rc = cg_resources_apply(c, r, err);
	cg_free(c);
	cg_resources_free(r);
	return rc;
}

static void apply_ok(const char *json)
{
	cerr err = { 0 };
	if (apply_json(json, &err) < 0)
		fail_msg("apply %s: %s", json, cerr_msg(&err));
}

static void assert_file(const char *rel, const char *want)
{
	char p[256];
	snprintf(p, sizeof(p), "ctr/%s", rel);
	_cleanup_free_ char *s = fake_read(p);
	assert_string_equal(s, want);
}

static void t_memory(void **st)
{
	apply_ok("{\"memory\":{\"limit\":1048576,\"reservation\":524288,\"swap\":3145728}}");
	assert_file("memory.max", "1048576");
	assert_file("memory.low", "524288");
	assert_file("memory.swap.max", "2097152"); /* memory+swap minus memory */
	assert_file("memory.high", "");
}

static void t_memory_unlimited(void **st)
{
	apply_ok("{\"memory\":{\"limit\":-1,\"swap\":0}}");
	assert_file("memory.max", "max");
	assert_file("memory.swap.max", "max"); /* runc: unlimited memory, unset swap */
	apply_ok("{\"memory\":{\"limit\":1000000,\"swap\":-1}}");
	assert_file("memory.swap.max", "max");
	apply_ok("{\"memory\":{\"limit\":0,\"reservation\":0}}");
	assert_file("memory.max", ""); /* 0 leaves it unset */
	assert_file("memory.low", "");
}

static void t_memory_errors(void **st)
{
	parse_fails("{\"memory\":{\"limit\":\"1g\"}}", "linux.resources.memory.limit: must be an integer");
	parse_fails("{\"memory\":{\"limit\":1.5}}", "linux.resources.memory.limit: must be an integer");
	parse_fails("{\"memory\":{\"limit\":-2}}", "linux.resources.memory.limit: -2 is out of range");
	parse_fails("{\"memory\":{\"limit\":2000,\"swap\":1000}}", "linux.resources.memory.swap: 1000 must be >= memory.limit");
	parse_fails("{\"memory\":{\"swap\":1000}}", "linux.resources.memory.swap: cannot limit swap without memory.limit");
	parse_fails("{\"memory\":{\"limit\":99999999999999999999999}}", "memory.limit: must be an integer");
	parse_fails("{\"memory\":[]}", "linux.resources.memory: must be an object, not array");
	parse_fails("{\"memory\":{\"disableOOMKiller\":1}}", "memory.disableOOMKiller: must be a boolean");
	parse_fails("[]", "linux.resources: must be an object");
}

static void t_cpu_weight(void **st)
{
	apply_ok("{\"cpu\":{\"shares\":1024}}");
	assert_file("cpu.weight", "39"); /* 1 + (1024-2)*9999/262142 */
	apply_ok("{\"cpu\":{\"shares\":2}}");
	assert_file("cpu.weight", "1");
	apply_ok("{\"cpu\":{\"shares\":262144}}");
	assert_file("cpu.weight", "10000");
	apply_ok("{\"cpu\":{\"shares\":512}}");
	assert_file("cpu.weight", "20");
	parse_fails("{\"cpu\":{\"shares\":1}}", "linux.resources.cpu.shares: 1 is out of range [2, 262144]");
	parse_fails("{\"cpu\":{\"shares\":262145}}", "linux.resources.cpu.shares: 262145 is out of range");
	parse_fails("{\"cpu\":{\"shares\":-5}}", "linux.resources.cpu.shares: must be a non-negative integer");
}

static void t_cpu_max(void **st)
{
	apply_ok("{\"cpu\":{\"quota\":20000,\"period\":100000}}");
	assert_file("cpu.max", "20000 100000");
	apply_ok("{\"cpu\":{\"quota\":30000}}");
	assert_file("cpu.max", "30000"); /* the kernel keeps the period */
	apply_ok("{\"cpu\":{\"quota\":-1,\"period\":50000}}");
	assert_file("cpu.max", "max 50000");
	apply_ok("{\"cpu\":{\"period\":250000}}");
	assert_file("cpu.max", "max 250000");
	apply_ok("{\"cpu\":{\"quota\":50000,\"burst\":10000,\"idle\":1}}");
	assert_file("cpu.max.burst", "10000");
	assert_file("cpu.idle", "1");
	apply_ok("{\"cpu\":{\"idle\":0}}");
	assert_file("cpu.idle", "0");
	assert_file("cpu.max", "");
	parse_fails("{\"cpu\":{\"quota\":500}}", "linux.resources.cpu.quota: 500 is below the kernel's minimum");
	parse_fails("{\"cpu\":{\"period\":500}}", "linux.resources.cpu.period: 500 is out of range [1000, 1000000]");
	parse_fails("{\"cpu\":{\"period\":2000000}}", "linux.resources.cpu.period: 2000000 is out of range");
	parse_fails("{\"cpu\":{\"idle\":2}}", "linux.resources.cpu.idle: 2 is out of range [0, 1]");
	parse_fails("{\"cpu\":{\"burst\":\"x\"}}", "linux.resources.cpu.burst: must be a non-negative integer");
	parse_fails("{\"cpu\":{\"realtimeRuntime\":950000}}", "cpu.realtimeRuntime: real-time scheduling is not supported");
}

static void t_cpuset(void **st)
{
	apply_ok("{\"cpu\":{\"cpus\":\"0-1,3\",\"mems\":\"0\"}}");
	assert_file("cpuset.cpus", "0-1,3");
	assert_file("cpuset.mems", "0");
	apply_ok("{\"cpu\":{\"cpus\":\"\"}}");
	assert_file("cpuset.cpus", "");
	parse_fails("{\"cpu\":{\"cpus\":\"0-a\"}}", "linux.resources.cpu.cpus: \"0-a\" is not a CPU list");
	parse_fails("{\"cpu\":{\"cpus\":\"3-1\"}}", "linux.resources.cpu.cpus");
	parse_fails("{\"cpu\":{\"mems\":\"0,\"}}", "linux.resources.cpu.mems");
	parse_fails("{\"cpu\":{\"mems\":7}}", "linux.resources.cpu.mems: must be a string");
}

static void t_pids(void **st)
{
	apply_ok("{\"pids\":{\"limit\":10}}");
	assert_file("pids.max", "10");
	apply_ok("{\"pids\":{\"limit\":-1}}");
	assert_file("pids.max", "max");
	apply_ok("{\"pids\":{\"limit\":0}}");
	assert_file("pids.max", "max");
	parse_fails("{\"pids\":{}}", "linux.resources.pids.limit: is required");
	parse_fails("{\"pids\":{\"limit\":true}}", "linux.resources.pids.limit: must be an integer");
}

static void t_blockio(void **st)
{
	apply_ok("{\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":10}]}}");
	/* without BFQ, io.weight on its 1..10000 scale; the last write is the device's */
	assert_file("io.weight", "4950""8:0 1");
	fake_write("ctr/io.bfq.weight", "");
	cerr err = { 0 };
	struct cg_resources *r = parse_ok("{\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":16,\"weight\":200}]}}");
	cg *c = NULL;
	assert_int_equal(cg_open(NULL, "ctr", &c, &err), 0);
	fake_write("ctr/io.weight", "");
	assert_int_equal(cg_resources_apply(c, r, &err), 0);
	cg_free(c);
	cg_resources_free(r);
	_cleanup_free_ char *bfq = fake_read("ctr/io.bfq.weight");
	assert_string_equal(bfq, "500""8:16 200"); /* BFQ takes blkio's scale as is */
	assert_file("io.weight", "");
	assert_int_equal(unlink(strcat(strcpy((char[512]){ 0 }, fake_root), "/ctr/io.bfq.weight")), 0);

	apply_ok("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
		 "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":0,\"rate\":100},{\"major\":253,\"minor\":1,\"rate\":0}]}}");
	/* one write per device line, each with every limit for that device */
	assert_file("io.max", "8:0 rbps=1048576 wiops=100""253:1 wiops=max");
	parse_fails("{\"blockIO\":{\"weight\":5}}", "linux.resources.blockIO.weight: 5 is out of range [10, 1000]");
	parse_fails("{\"blockIO\":{\"weight\":1001}}", "linux.resources.blockIO.weight: 1001 is out of range");
	parse_fails("{\"blockIO\":{\"weightDevice\":[{\"minor\":0,\"weight\":100}]}}",
		    "linux.resources.blockIO.weightDevice[0].major: is required");
	parse_fails("{\"blockIO\":{\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0}]}}",
		    "linux.resources.blockIO.throttleReadBpsDevice[0].rate: is required");
	parse_fails("{\"blockIO\":{\"throttleWriteBpsDevice\":{}}}",
		    "linux.resources.blockIO.throttleWriteBpsDevice: must be an array");
	parse_fails("{\"blockIO\":{\"throttleReadIOPSDevice\":[7]}}",
		    "linux.resources.blockIO.throttleReadIOPSDevice[0]: must be an object");
}

static void t_hugetlb_rdma(void **st)
{
	apply_ok("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304},{\"pageSize\":\"1GB\",\"limit\":0}]}");
	assert_file("hugetlb.2MB.max", "4194304");
	assert_file("hugetlb.1GB.max", "0");
	parse_fails("{\"hugepageLimits\":[{\"pageSize\":\"2XB\",\"limit\":1}]}",
		    "linux.resources.hugepageLimits[0].pageSize: must be a size");
	parse_fails("{\"hugepageLimits\":[{\"pageSize\":\"../2MB\",\"limit\":1}]}", "hugepageLimits[0].pageSize");
	parse_fails("{\"hugepageLimits\":[{\"pageSize\":\"2MB\"}]}", "linux.resources.hugepageLimits[0].limit: is required");
	/* a page size the kernel lacks is refused at apply, naming the entry */
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(apply_json("{\"hugepageLimits\":[{\"pageSize\":\"16KB\",\"limit\":1}]}", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "linux.resources.hugepageLimits[0]: cgroup /ctr: hugetlb.16KB.max"));

	apply_ok("{\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3,\"hcaObjects\":10000}}}");
	assert_file("rdma.max", "mlx5_1 hca_handle=3 hca_object=10000");
	parse_fails("{\"rdma\":{\"a b\":{\"hcaHandles\":1}}}", "linux.resources.rdma.a b: not a valid RDMA device name");
}

static void t_unified(void **st)
{
	apply_ok("{\"memory\":{\"limit\":456},\"unified\":{\"memory.high\":\"65536\",\"memory.max\":\"123\"}}");
	assert_file("memory.high", "65536");
	assert_file("memory.max", "123"); /* unified wins, as in runc */
	parse_fails("{\"unified\":{\"../memory.max\":\"1\"}}", "linux.resources.unified: \"../memory.max\" is not a cgroup file name");
	parse_fails("{\"unified\":{\"memory\":\"1\"}}", "is not a cgroup file name");
	parse_fails("{\"unified\":{\"memory..max\":\"1\"}}", "is not a cgroup file name");
	parse_fails("{\"unified\":{\"Memory.max\":\"1\"}}", "is not a cgroup file name");
	parse_fails("{\"unified\":{\"cgroup.procs\":\"1\"}}", "linux.resources.unified.cgroup.procs: this file is managed by corral");
	parse_fails("{\"unified\":{\"cgroup.kill\":\"1\"}}", "managed by corral");
	parse_fails("{\"unified\":{\"memory.high\":65536}}", "linux.resources.unified.memory.high: must be a string");
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(apply_json("{\"unified\":{\"memory.nosuch\":\"1\"}}", &err), -ENOENT);
	assert_non_null(strstr(err.msg, "linux.resources.unified.memory.nosuch: cgroup /ctr has no such file"));
}

static void t_devices_parse(void **st)
{
	struct cg_resources *r = parse_ok("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rw\"}]}");
	assert_non_null(r);
	assert_true(cg_resources_empty(r)); /* devices need no controller */
	cg_resources_free(r);
	parse_fails("{\"devices\":[{\"type\":\"c\"}]}", "linux.resources.devices[0].allow: is required");
	parse_fails("{\"devices\":[{\"allow\":true,\"type\":\"x\"}]}", "linux.resources.devices[0].type: must be");
	parse_fails("{\"devices\":[{\"allow\":true,\"access\":\"rwx\"}]}", "linux.resources.devices[0].access: must be made of");
	parse_fails("{\"devices\":[{\"allow\":true,\"access\":\"rr\"}]}", "devices[0].access");
	parse_fails("{\"devices\":[{\"allow\":true},{\"allow\":true,\"major\":-2}]}", "linux.resources.devices[1].major: -2 is out of range");
}

static void t_controllers(void **st)
{
	char buf[256];
	struct cg_resources *r = parse_ok("{\"memory\":{\"limit\":1000000},\"pids\":{\"limit\":5},\"cpu\":{\"shares\":100,\"cpus\":\"0\"},"
					  "\"blockIO\":{\"weight\":100},\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":0}],"
					  "\"unified\":{\"misc.max\":\"x\",\"memory.high\":\"5\",\"cgroup.freeze\":\"0\"}}");
	assert_string_equal(cg_resources_controllers(r, buf, sizeof(buf)), "cpu cpuset io memory pids hugetlb misc");
	assert_false(cg_resources_empty(r));
	cg_resources_free(r);
	r = parse_ok("{\"memory\":{},\"cpu\":{\"shares\":0},\"network\":{\"classID\":1},\"devices\":[]}");
	assert_string_equal(cg_resources_controllers(r, buf, sizeof(buf)), "");
	assert_true(cg_resources_empty(r));
	cg_resources_free(r);
	/* ctr's cpu.shares of 1024 (v1's default) needs no cpu controller */
	r = parse_ok("{\"cpu\":{\"shares\":1024}}");
	assert_string_equal(cg_resources_controllers(r, buf, sizeof(buf)), "");
	cg_resources_free(r);
	/* nor a pids limit of none (podman's --pids-limit 0 or -1) a pids one */
	r = parse_ok("{\"pids\":{\"limit\":0}}");
	assert_string_equal(cg_resources_controllers(r, buf, sizeof(buf)), "");
	cg_resources_free(r);
	r = parse_ok("{\"pids\":{\"limit\":-1}}");
	assert_string_equal(cg_resources_controllers(r, buf, sizeof(buf)), "");
	cg_resources_free(r);
	r = parse_ok("{\"cpu\":{\"shares\":1023}}");
	assert_string_equal(cg_resources_controllers(r, buf, sizeof(buf)), "cpu");
	cg_resources_free(r);
	assert_null(parse_ok("null"));
	assert_true(cg_resources_empty(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(t_memory, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(t_memory_unlimited, fake_setup, fake_teardown),
		cmocka_unit_test(t_memory_errors),
		cmocka_unit_test_setup_teardown(t_cpu_weight, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(t_cpu_max, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(t_cpuset, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(t_pids, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(t_blockio, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(t_hugetlb_rdma, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(t_unified, fake_setup, fake_teardown),
		cmocka_unit_test(t_devices_parse),
		cmocka_unit_test(t_controllers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
