/* supervisor/daemon/core/owner.h: who may see or change an object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "supervisor/daemon/core/owner.h"

static void test_root_reaches_all_a_member_its_own(void **state)
{
	peer_cred root = { .uid = 0 }, member = { .uid = 4242 };
	assert_true(owner_may(NULL, 4242)); /* corrald itself */
	assert_true(owner_may(&root, 4242));
	assert_true(owner_may(&member, 4242));
	assert_false(owner_may(&member, 4343));
	assert_false(owner_may(&member, 0));
	assert_true(owner_may_use(&member, 0)); /* root's images, shared */
	assert_false(owner_may_use(&member, 4343));
}

/* Root through the CRI socket: kubelet's view is root's objects alone */
static void test_own_only_root_reaches_its_own(void **state)
{
	peer_cred kubelet = { .uid = 0, .own_only = true }, member = { .uid = 4242, .own_only = true };
	assert_true(owner_may(&kubelet, 0));
	assert_false(owner_may(&kubelet, 4242));
	assert_true(owner_may_use(&kubelet, 0));
	assert_false(owner_may_use(&kubelet, 4242));
	assert_true(owner_may(&member, 4242));
	assert_false(owner_may(&member, 0));
	assert_true(owner_may_use(&member, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_reaches_all_a_member_its_own),
		cmocka_unit_test(test_own_only_root_reaches_its_own),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
