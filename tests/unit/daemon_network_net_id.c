/* supervisor/daemon/network/net_id.c: a network's id is the SHA-256 of
 * corral's prefix and its name, the same at every call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "supervisor/daemon/network/net_id.h"

static void test_the_id_of_a_name(void **state)
{
	(void)state;
	char a[NET_ID_LEN + 1], b[NET_ID_LEN + 1], other[NET_ID_LEN + 1];
	cerr err = { 0 };
	assert_int_equal(net_id("corral", a, &err), 0);
	/* sha256sum of "corral network\ncorral" */
	assert_string_equal(a, "9d2f450b055e1e5810ae26849513fdec1c7175d457f8b1c1956ebb00542716a7");
	assert_int_equal(net_id("corral", b, &err), 0);
	assert_string_equal(a, b);
	assert_int_equal(net_id("corral2", other, &err), 0);
	assert_int_equal((int)strlen(other), NET_ID_LEN);
	assert_string_not_equal(a, other);
	/* the modes' ids, which corral-docker writes out (docker_networks.c) */
	assert_int_equal(net_id("host", a, &err), 0);
	assert_string_equal(a, "9f78db89eeb6361e6f097b18129866bd025ea2c7916cb0029a0e6967613d236d");
	assert_int_equal(net_id("none", a, &err), 0);
	assert_string_equal(a, "6f84bb1f1c4ca96f7d977f2558976d7ddc04e5a3374cd7acb6f47cac6dd258c7");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_id_of_a_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
