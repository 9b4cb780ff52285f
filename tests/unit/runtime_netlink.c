/* runtime/netlink.c without root: the requests it builds, and the errors it
 * gives before touching anything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "runtime/netlink.h"

struct attrs {
	const struct nlattr *tb[IFLA_MAX + 1];
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *t = data;
	int type = mnl_attr_get_type(a);
	if (type <= IFLA_MAX)
		t->tb[type] = a;
	return MNL_CB_OK;
}

static const struct ifinfomsg *check_header(const struct nlmsghdr *nlh, uint32_t seq, struct attrs *t)
{
	assert_int_equal(nlh->nlmsg_type, RTM_NEWLINK);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nlh->nlmsg_seq, seq);
	assert_true(mnl_nlmsg_ok(nlh, (int)nlh->nlmsg_len));
	memset(t, 0, sizeof(*t));
	assert_int_equal(mnl_attr_parse(nlh, sizeof(struct ifinfomsg), attr_cb, t), MNL_CB_OK);
	return mnl_nlmsg_get_payload(nlh);
}

static void test_link_up_msg(void **state)
{
	char buf[NET_MSG_BUF];
	struct attrs t;
	const struct nlmsghdr *nlh = net_msg_link_up(buf, 1, 77);
	const struct ifinfomsg *ifm = check_header(nlh, 77, &t);
	assert_int_equal(ifm->ifi_index, 1);
	assert_int_equal(ifm->ifi_family, AF_UNSPEC);
	assert_int_equal(ifm->ifi_flags, IFF_UP);
	assert_int_equal(ifm->ifi_change, IFF_UP);
	/* Only flags change: no attributes at all. */
	assert_int_equal(nlh->nlmsg_len, NLMSG_LENGTH(sizeof(struct ifinfomsg)));
}

static void test_move_by_pid_msg(void **state)
{
	char buf[NET_MSG_BUF];
	struct attrs t;
	const struct nlmsghdr *nlh = net_msg_link_move(buf, 42, "eth0", 1234, -1, 5);
	const struct ifinfomsg *ifm = check_header(nlh, 5, &t);
	assert_int_equal(ifm->ifi_index, 42);
	/* Moving must not change flags. */
	assert_int_equal(ifm->ifi_change, 0);
	assert_non_null(t.tb[IFLA_NET_NS_PID]);
	assert_int_equal(mnl_attr_get_u32(t.tb[IFLA_NET_NS_PID]), 1234);
	assert_null(t.tb[IFLA_NET_NS_FD]);
	assert_non_null(t.tb[IFLA_IFNAME]);
	assert_int_equal(mnl_attr_validate(t.tb[IFLA_IFNAME], MNL_TYPE_NUL_STRING), 0);
	assert_string_equal(mnl_attr_get_str(t.tb[IFLA_IFNAME]), "eth0");
}

static void test_move_by_fd_msg(void **state)
{
	char buf[NET_MSG_BUF];
	struct attrs t;
	const struct nlmsghdr *nlh = net_msg_link_move(buf, 3, NULL, 0, 9, 6);
	check_header(nlh, 6, &t);
	assert_null(t.tb[IFLA_NET_NS_PID]);
	assert_non_null(t.tb[IFLA_NET_NS_FD]);
	assert_int_equal(mnl_attr_get_u32(t.tb[IFLA_NET_NS_FD]), 9);
	/* No name: the device keeps its own. */
	assert_null(t.tb[IFLA_IFNAME]);
}

static void test_missing_device(void **state)
{
	struct oci_kv devs[] = { { "eth9", "eth0" } };
	struct oci_linux l = { .net_devices = devs, .n_net_devices = 1 };
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(net_move_devices(&l, 1, &err), -ENODEV);
	assert_string_equal(cerr_msg(&err), "linux.netDevices.eth9: no such network interface on the host");
	assert_int_equal(net_move_devices(&l, 0, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "linux.netDevices: no container process to move devices to");
}

static void test_nothing_to_do(void **state)
{
	struct oci_linux l = { 0 };
	cerr err = { 0 };
	assert_int_equal(net_move_devices(&l, 1, &err), 0);
	assert_int_equal(net_move_devices(NULL, 1, &err), 0);
	assert_int_equal(net_return_devices(&l, -1, &err), 0);
	assert_null(err.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_up_msg),
		cmocka_unit_test(test_move_by_pid_msg),
		cmocka_unit_test(test_move_by_fd_msg),
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_nothing_to_do),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
