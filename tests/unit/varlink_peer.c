/* supervisor/varlink/peer.c and peer_group.c: who may call. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>

#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/peer_group.h"

static void test_peer_allowed(void **state)
{
	peer_cred root = { .uid = 0, .gid = 0 };
	peer_cred user = { .uid = 1000, .gid = 1000, .n_groups = 2, .groups = { 27, 999 } };
	assert_true(peer_allowed(&root, PEER_NO_GROUP));
	assert_false(peer_allowed(&user, PEER_NO_GROUP));
	assert_true(peer_allowed(&user, 999));
	assert_true(peer_allowed(&user, 1000));
	assert_false(peer_allowed(&user, 998));
	assert_int_equal(peer_group_lookup("no-such-group-corral-test", &(gid_t){ 0 }), -ENOENT);
	gid_t g;
	assert_int_equal(peer_group_lookup("root", &g), 0);
	assert_int_equal(g, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peer_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
