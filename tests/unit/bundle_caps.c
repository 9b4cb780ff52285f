#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <linux/capability.h>
#include <string.h>

#include "bundle/caps.h"

static void test_names(void **state)
{
	assert_int_equal(caps_parse_name("NET_RAW"), CAP_NET_RAW);
	assert_int_equal(caps_parse_name("cap_net_raw"), CAP_NET_RAW);
	assert_int_equal(caps_parse_name("Cap_Sys_Admin"), CAP_SYS_ADMIN);
	assert_true(caps_parse_name("ALL") < 0);
	assert_true(caps_parse_name("12") < 0);
	assert_true(caps_parse_name("CAP_") < 0);
	assert_true(caps_parse_name("NOPE") < 0);
	char buf[32];
	assert_string_equal(caps_name(CAP_NET_RAW, buf), "CAP_NET_RAW");
}

static void test_compose(void **state)
{
	uint64_t m;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(caps_compose(NULL, NULL, &m, &err), 0);
	assert_int_equal(m, 0x800405fbull); /* podman's default 11 */
	char *drop_all[] = { "all", NULL }, *raw[] = { "NET_RAW", NULL };
	assert_int_equal(caps_compose(raw, drop_all, &m, &err), 0);
	assert_int_equal(m, 1ull << CAP_NET_RAW); /* drops first */
	/* ALL is what this process may hand on: the bounding set, not every
	 * capability the kernel knows (this host's lacks CAP_SYS_RESOURCE) */
	char *all[] = { "ALL", NULL };
	assert_int_equal(caps_compose(all, NULL, &m, &err), 0);
	assert_int_equal(m, caps_bounding());
	char *bad[] = { "CHOWN", "BOGUS", NULL };
	assert_true(caps_compose(NULL, bad, &m, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "capDrop[1]: unknown capability \"BOGUS\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_compose),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
