/* supervisor/daemon/network/netconf*.c: a network's plan (CIDR, gateway,
 * overlaps, bridge names) and its conflist, written and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/daemon/network/netconf.h"
#include "supervisor/daemon/network/netconf_json.h"

static const netconf have[] = {
	{ .name = "corral", .bridge = "corral0", .subnet = "10.88.0.0/16", .gateway = "10.88.0.1" },
	{ .name = "front", .bridge = "corral1", .subnet = "10.89.0.0/24", .gateway = "10.89.0.1" },
};

static void test_defaults(void **state)
{
	netconf nc;
	const char *field;
	cerr err = { 0 };
	netconf_req req = { .name = "back" };
	assert_int_equal(netconf_plan(&req, have, 2, &nc, &field, &err), 0);
	assert_string_equal(nc.subnet, "10.89.1.0/24"); /* 10.89.0.0/24 is front's */
	assert_string_equal(nc.gateway, "10.89.1.1");
	assert_string_equal(nc.bridge, "corral2");
	assert_false(nc.internal);
	req = (netconf_req){ .name = NET_DEFAULT_NAME, .wide = true, .bridge = NET_DEFAULT_BRIDGE };
	assert_int_equal(netconf_plan(&req, NULL, 0, &nc, &field, &err), 0);
	assert_string_equal(nc.subnet, "10.88.0.0/16");
	assert_string_equal(nc.gateway, "10.88.0.1");
	assert_string_equal(nc.bridge, "corral0");
	req = (netconf_req){ .name = "v6", .subnet = "fd00:1::/64" };
	assert_int_equal(netconf_plan(&req, have, 2, &nc, &field, &err), 0);
	assert_string_equal(nc.gateway, "fd00:1::1");
}

/* A device a crash left (corral2, corral3) is no free bridge name */
static bool left_behind(const char *name) { return !strcmp(name, "corral2") || !strcmp(name, "corral3"); }

static void test_bridge_names_clear_of_devices(void **state)
{
	netconf nc;
	const char *field;
	cerr err = { 0 };
	netconf_req req = { .name = "back", .bridge_taken = left_behind };
	assert_int_equal(netconf_plan(&req, have, 2, &nc, &field, &err), 0);
	assert_string_equal(nc.bridge, "corral4");
}

static net_cidr cidr(const char *s)
{
	net_cidr c;
	cerr err = { 0 };
	assert_int_equal(net_cidr_parse(s, &c, &err), 0);
	return c;
}

/* A picked subnet keeps clear of what the host routes, as of networks. */
static void test_picks_avoid_the_hosts_routes(void **state)
{
	const net_cidr host[] = { cidr("10.88.7.0/24"), cidr("10.90.0.0/15"), cidr("10.89.0.0/23"), cidr("192.168.1.0/24") };
	netconf nc;
	const char *field;
	cerr err = { 0 };
	netconf_req req = { .name = NET_DEFAULT_NAME, .wide = true, .avoid = host, .n_avoid = 4 };
	assert_int_equal(netconf_plan(&req, NULL, 0, &nc, &field, &err), 0);
	assert_string_equal(nc.subnet, "10.92.0.0/16"); /* 10.88 in part, 10.90 and 10.91 the host's */
	assert_string_equal(nc.gateway, "10.92.0.1");
	req = (netconf_req){ .name = "back", .avoid = host, .n_avoid = 4 };
	assert_int_equal(netconf_plan(&req, NULL, 0, &nc, &field, &err), 0);
	assert_string_equal(nc.subnet, "10.89.2.0/24");
	/* a subnet given is the user's choice */
	req = (netconf_req){ .name = "mine", .subnet = "10.90.1.0/24", .avoid = host, .n_avoid = 4 };
	assert_int_equal(netconf_plan(&req, NULL, 0, &nc, &field, &err), 0);
	/* all of 10/8 routed: nothing to pick, and it says so */
	const net_cidr all = cidr("10.0.0.0/8");
	req = (netconf_req){ .name = "none", .avoid = &all, .n_avoid = 1 };
	assert_int_equal(netconf_plan(&req, NULL, 0, &nc, &field, &err), -ENOSPC);
	assert_string_equal(field, "subnet");
	assert_non_null(strstr(cerr_msg(&err), "give --subnet"));
	cerr_clear(&err);
	req.wide = true;
	assert_int_equal(netconf_plan(&req, NULL, 0, &nc, &field, &err), -ENOSPC);
	cerr_clear(&err);
}

static void test_refusals_name_the_parameter(void **state)
{
	static const struct { netconf_req req; const char *field, *says; } bad[] = {
		{ { .name = "bad name" }, "name", "letters" },
		{ { .name = "front" }, "name", "network front exists" },
		{ { .name = "x", .subnet = "10.90.0.0" }, "subnet", "not a CIDR" },
		{ { .name = "x", .subnet = "10.90.0.0/33" }, "subnet", "not a CIDR" },
		{ { .name = "x", .subnet = "10.300.0.0/16" }, "subnet", "not a CIDR" },
		{ { .name = "x", .subnet = "10.90.0.0/-1" }, "subnet", "not a CIDR" },
		{ { .name = "x", .subnet = "10.90.0.1/24" }, "subnet", "bits set past /24" },
		{ { .name = "x", .subnet = "10.90.0.0/31" }, "subnet", "no room" },
		{ { .name = "x", .subnet = "10.88.5.0/24" }, "subnet", "overlaps 10.88.0.0/16 of network corral" },
		{ { .name = "x", .subnet = "10.0.0.0/8" }, "subnet", "overlaps 10.88.0.0/16 of network corral" },
		{ { .name = "x", .subnet = "10.90.0.0/24", .gateway = "10.91.0.1" }, "gateway", "outside the subnet" },
		{ { .name = "x", .subnet = "10.90.0.0/24", .gateway = "10.90.0.0" }, "gateway", "network address" },
		{ { .name = "x", .subnet = "10.90.0.0/24", .gateway = "10.90.0.255" }, "gateway", "broadcast" },
		{ { .name = "x", .subnet = "10.90.0.0/24", .gateway = "fd00::1" }, "gateway", "not an IPv4" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		netconf nc;
		const char *field;
		_cleanup_cerr_ cerr err = { 0 };
		assert_true(netconf_plan(&bad[i].req, have, 2, &nc, &field, &err) < 0);
		assert_non_null(field);
		assert_string_equal(field, bad[i].field);
		if (!strstr(cerr_msg(&err), bad[i].says))
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, cerr_msg(&err), bad[i].says);
	}
}

static void test_conflist_round_trip(void **state)
{
	_cleanup_cerr_ cerr err = { 0 };
	for (int internal = 0; internal < 2; internal++) {
		netconf nc = { .name = "back", .bridge = "corral2", .subnet = "10.89.1.0/24", .gateway = "10.89.1.1",
			       .internal = internal };
		strbuf sb = STRBUF_INIT;
		assert_int_equal(netconf_render(&nc, NULL, &sb), 0);
		_cleanup_json_ yajl_val v = NULL;
		assert_int_equal(json_parse(sb.buf, "conflist", &v, &err), 0);
		assert_string_equal(json_get(v, "cniVersion")->u.string, "1.0.0");
		yajl_val plugins = json_get(v, "plugins");
		assert_int_equal(plugins->u.array.len, 4);
		const char *types[] = { "bridge", "portmap", "firewall", "tuning" };
		for (size_t i = 0; i < 4; i++)
			assert_string_equal(json_get(plugins->u.array.values[i], "type")->u.string, types[i]);
		yajl_val br = plugins->u.array.values[0];
		assert_true(internal ? YAJL_IS_FALSE(json_get(br, "isGateway")) : YAJL_IS_TRUE(json_get(br, "isGateway")));
		assert_true(internal ? YAJL_IS_FALSE(json_get(br, "ipMasq")) : YAJL_IS_TRUE(json_get(br, "ipMasq")));
		yajl_val ipam = json_get(br, "ipam");
		assert_string_equal(json_get(ipam, "type")->u.string, "host-local");
		if (internal)
			assert_null(json_get(ipam, "routes"));
		else
			assert_string_equal(json_get(json_get(ipam, "routes")->u.array.values[0], "dst")->u.string,
					    "0.0.0.0/0");
		assert_true(YAJL_IS_TRUE(json_get(json_get(plugins->u.array.values[1], "capabilities"), "portMappings")));
		netconf back;
		assert_int_equal(netconf_parse(sb.buf, &back, &err), 0);
		assert_memory_equal(&back, &nc, sizeof(nc));
		sb_release(&sb);
	}
	netconf back;
	assert_true(netconf_parse("{\"name\":\"x\",\"plugins\":[{\"type\":\"macvlan\"}]}", &back, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "no bridge plugin"));
	cerr_clear(&err);
	assert_true(netconf_parse("{\"plugins\":[]}", &back, &err) < 0);
	cerr_clear(&err);
	assert_true(netconf_parse("not json", &back, &err) < 0);
}

/* a fixed address: a host's of the subnet, not the subnet's own, nor
 * IPv4's broadcast, nor of the other family */
static void test_cidr_holds(void **state)
{
	net_cidr c, c6;
	assert_int_equal(net_cidr_parse("172.28.0.0/16", &c, NULL), 0);
	assert_true(net_cidr_holds(&c, "172.28.0.10"));
	assert_true(net_cidr_holds(&c, "172.28.255.254"));
	assert_false(net_cidr_holds(&c, "172.28.0.0"));
	assert_false(net_cidr_holds(&c, "172.28.255.255"));
	assert_false(net_cidr_holds(&c, "172.29.0.1"));
	assert_false(net_cidr_holds(&c, "fd00::1"));
	assert_int_equal(net_cidr_parse("fd00:1::/64", &c6, NULL), 0);
	assert_true(net_cidr_holds(&c6, "fd00:1::ffff:ffff:ffff:ffff"));
	assert_false(net_cidr_holds(&c6, "fd00:1::"));
	assert_false(net_cidr_holds(&c6, "fd00:2::1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bridge_names_clear_of_devices),
		cmocka_unit_test(test_picks_avoid_the_hosts_routes),
		cmocka_unit_test(test_refusals_name_the_parameter),
		cmocka_unit_test(test_conflist_round_trip),
		cmocka_unit_test(test_cidr_holds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
