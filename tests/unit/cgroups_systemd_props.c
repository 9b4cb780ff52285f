/* linux.resources → systemd unit properties (runc's conversions), and the
 * scope's unit and slice names. */
#include "cgroups_fake.h"
#include "cgroups/systemd.h"
#include "cgroups/systemd_props.h"

static uint64_t prop(const struct cg_unit_props *p, const char *name)
{
	for (size_t i = 0; i < p->n_num; i++)
		if (streq(p->num[i].name, name))
			return p->num[i].v;
	fail_msg("no property %s", name);
	return 0;
}

static void props_of(const char *json, struct cg_unit_props *p)
{
	struct cg_resources *r = parse_ok(json);
	_cleanup_cerr_ cerr err = { 0 };
	if (cg_unit_props(r, p, &err) < 0)
		fail_msg("%s: %s", json, cerr_msg(&err));
	cg_resources_free(r);
}

static void t_numbers(void **st)
{
	struct cg_unit_props p;
	props_of("{\"memory\":{\"limit\":16777216,\"reservation\":8388608,\"swap\":33554432},"
		 "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000},\"pids\":{\"limit\":64},"
		 "\"blockIO\":{\"weight\":500}}",
		 &p);
	assert_int_equal(p.n_num, 8);
	assert_int_equal(prop(&p, "MemoryMax"), 16777216);
	assert_int_equal(prop(&p, "MemoryLow"), 8388608);
	assert_int_equal(prop(&p, "MemorySwapMax"), 16777216); /* memory+swap less memory */
	assert_int_equal(prop(&p, "CPUWeight"), 20);           /* 1 + (510 * 9999) / 262142 */
	assert_int_equal(prop(&p, "CPUQuotaPerSecUSec"), 500000);
	assert_int_equal(prop(&p, "CPUQuotaPeriodUSec"), 100000);
	assert_int_equal(prop(&p, "TasksMax"), 64);
	assert_int_equal(prop(&p, "IOWeight"), 4950); /* 1 + (490 * 9999) / 990 */
	assert_int_equal(p.n_cpus, 0);
}

static void t_rounding_and_infinity(void **st)
{
	struct cg_unit_props p;
	/* 12345 us per 50 ms is 246900 us/s: systemd keeps whole percents */
	props_of("{\"cpu\":{\"quota\":12345,\"period\":50000}}", &p);
	assert_int_equal(prop(&p, "CPUQuotaPerSecUSec"), 250000);
	props_of("{\"memory\":{\"limit\":-1,\"swap\":0},\"cpu\":{\"quota\":-1},\"pids\":{\"limit\":-1}}", &p);
	assert_true(prop(&p, "MemoryMax") == UINT64_MAX);
	assert_true(prop(&p, "MemorySwapMax") == UINT64_MAX);
	assert_true(prop(&p, "CPUQuotaPerSecUSec") == UINT64_MAX);
	assert_true(prop(&p, "TasksMax") == UINT64_MAX);
	props_of("{}", &p);
	assert_int_equal(p.n_num, 0);
}

static void t_masks(void **st)
{
	struct cg_unit_props p;
	props_of("{\"cpu\":{\"cpus\":\"0-2,9\",\"mems\":\"0\"}}", &p);
	assert_int_equal(p.n_cpus, 2);
	assert_int_equal(p.cpus[0], 0x07);
	assert_int_equal(p.cpus[1], 0x02);
	assert_int_equal(p.n_mems, 1);
	assert_int_equal(p.mems[0], 0x01);
	struct cg_resources *r = parse_ok("{\"cpu\":{\"cpus\":\"0-5000\"}}");
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(cg_unit_props(r, &p, &err), -ERANGE);
	assert_non_null(strstr(cerr_msg(&err), "linux.resources.cpu.cpus"));
	cg_resources_free(r);
}

static void t_names(void **st)
{
	char slice[NAME_MAX + 1], unit[NAME_MAX + 1];
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(cg_scope_names("machine.slice:libpod:abc", slice, unit, &err), 0);
	assert_string_equal(slice, "machine.slice");
	assert_string_equal(unit, "libpod-abc.scope");
	assert_int_equal(cg_scope_names(":crio:x1", slice, unit, &err), 0);
	assert_string_equal(slice, "system.slice");
	assert_string_equal(unit, "crio-x1.scope");
	assert_int_equal(cg_scope_names("/corral/x", slice, unit, &err), -EINVAL);
	assert_non_null(strstr(cerr_msg(&err), "is not slice:prefix:name"));
	assert_int_equal(cg_scope_names(NULL, slice, unit, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_numbers),
		cmocka_unit_test(t_rounding_and_infinity),
		cmocka_unit_test(t_masks),
		cmocka_unit_test(t_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
