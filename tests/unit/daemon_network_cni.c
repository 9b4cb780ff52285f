/* supervisor/daemon/network/cni_conf.c, cni_result.c and netconf.c: the
 * config a plugin gets (prevResult, runtimeConfig.portMappings only for a
 * plugin that asks), its environment, a result checked, a plugin's error
 * as one line, VERSION, and the default network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_get.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "supervisor/daemon/network/cni.h"
#include "supervisor/daemon/network/cni_result.h"
#include "supervisor/daemon/network/cni_conf.h"
#include "supervisor/daemon/network/net_announce.h"
#include "supervisor/daemon/network/net_store.h"

#define LIST "{\"cniVersion\":\"1.0.0\",\"name\":\"web\",\"plugins\":[" \
	"{\"type\":\"bridge\",\"bridge\":\"br9\",\"ipam\":{\"type\":\"host-local\"}}," \
	"{\"type\":\"portmap\",\"capabilities\":{\"portMappings\":true}}]}"

static yajl_val parse(const char *text)
{
	yajl_val v = NULL;
	cerr err = { 0 };
	if (json_parse(text, "test", &v, &err) < 0)
		fail_msg("%s: %s", text, cerr_msg(&err));
	return v;
}

static void test_conflist_bad(void **state)
{
	(void)state;
	static const char *const bad[][2] = {
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"x\"}", "plugins: is required" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[]}", "plugins: must not be empty" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"a/b\",\"plugins\":[{\"type\":\"bridge\"}]}", "not a network name" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"bridge\":\"b\"}]}", "plugins[0].type: is required" },
		{ "{\"cniVersion\":\"1.0.0\",\"name\":\"x\",\"plugins\":[{\"type\":\"../sh\"}]}", "not a plugin name" },
		{ "{\"name\":\"x\",\"plugins\":[{\"type\":\"bridge\"}]}", "cniVersion: is required" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		yajl_val v = NULL;
		_cleanup_cerr_ cerr err = { 0 };
		if (cni_conflist_parse(bad[i][0], "x.conflist", &v, &err) == 0)
			fail_msg("%s: taken", bad[i][0]);
		if (!strstr(cerr_msg(&err), bad[i][1]))
			fail_msg("%s: %s", bad[i][0], cerr_msg(&err));
	}
}

static void test_plugin_conf(void **state)
{
	(void)state;
	_cleanup_json_ yajl_val list = NULL;
	cerr err = { 0 };
	assert_int_equal(cni_conflist_parse(LIST, "t", &list, &err), 0);
	assert_int_equal(cni_list_len(list), 2);
	assert_string_equal(cni_list_name(list), "web");
	cni_port p[] = { { .host_ip = "127.0.0.1", .host_port = 18080, .container_port = 80, .protocol = "tcp" } };
	cni_args a = { .container_id = "c1", .netns = "/proc/1/ns/net", .ifname = "eth0", .path = "/usr/lib/cni",
		       .ports = p, .n_ports = 1 };
	/* the bridge: no prevResult, no runtimeConfig (it did not ask) */
	size_t len;
	_cleanup_free_ char *c0 = cni_plugin_conf(list, 0, NULL, &a, &len, &err);
	assert_non_null(c0);
	_cleanup_json_ yajl_val v0 = parse(c0);
	assert_string_equal(YAJL_GET_STRING(json_key(v0, "name")), "web");
	assert_string_equal(YAJL_GET_STRING(json_key(v0, "cniVersion")), "1.0.0");
	assert_string_equal(YAJL_GET_STRING(json_key(v0, "bridge")), "br9");
	assert_null(json_key(v0, "prevResult"));
	assert_null(json_key(v0, "runtimeConfig"));
	/* portmap: the previous result, and the ports as containerd passes them */
	_cleanup_json_ yajl_val prev = parse("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.88.0.2/16\"}]}");
	_cleanup_free_ char *c1 = cni_plugin_conf(list, 1, prev, &a, &len, &err);
	_cleanup_json_ yajl_val v1 = parse(c1);
	yajl_val pm = json_key(json_key(v1, "runtimeConfig"), "portMappings");
	assert_true(YAJL_IS_ARRAY(pm));
	assert_int_equal(pm->u.array.len, 1);
	yajl_val m = pm->u.array.values[0];
	assert_int_equal(YAJL_GET_INTEGER(json_key(m, "hostPort")), 18080);
	assert_int_equal(YAJL_GET_INTEGER(json_key(m, "containerPort")), 80);
	assert_string_equal(YAJL_GET_STRING(json_key(m, "protocol")), "tcp");
	assert_string_equal(YAJL_GET_STRING(json_key(m, "hostIP")), "127.0.0.1");
	assert_non_null(json_key(json_key(v1, "prevResult"), "ips"));
}

static void test_env(void **state)
{
	(void)state;
	cni_args a = { .container_id = "c1", .netns = "", .ifname = "eth0", .path = "/a:/b" };
	_cleanup_strv_ char **e = NULL;
	assert_int_equal(cni_env("DEL", &a, &e), 0);
	assert_string_equal(e[0], "CNI_COMMAND=DEL");
	assert_string_equal(e[1], "CNI_CONTAINERID=c1");
	assert_string_equal(e[2], "CNI_NETNS=");
	assert_string_equal(e[3], "CNI_IFNAME=eth0");
	assert_string_equal(e[4], "CNI_PATH=/a:/b");
	assert_true(!strncmp(e[5], "PATH=", 5));
	assert_null(e[6]);
	/* an address wished for goes to ADD only, as host-local reads it */
	cni_args w = a;
	w.ip = "10.88.0.7";
	_cleanup_strv_ char **add = NULL, **del = NULL;
	assert_int_equal(cni_env("ADD", &w, &add), 0);
	assert_string_equal(add[0], "CNI_ARGS=IgnoreUnknown=1;IP=10.88.0.7");
	assert_string_equal(add[1], "CNI_COMMAND=ADD");
	assert_int_equal(cni_env("DEL", &w, &del), 0);
	assert_string_equal(del[0], "CNI_COMMAND=DEL");
	/* and the MAC made from it, for the bridge plugin */
	char mac[32];
	assert_int_equal(net_mac_of_ip(w.ip, mac, sizeof(mac)), 0);
	assert_string_equal(mac, "02:42:0a:58:00:07");
	w.mac = mac;
	_cleanup_strv_ char **both = NULL, **v6 = NULL;
	assert_int_equal(cni_env("ADD", &w, &both), 0);
	assert_string_equal(both[0], "CNI_ARGS=IgnoreUnknown=1;IP=10.88.0.7;MAC=02:42:0a:58:00:07");
	assert_int_equal(net_mac_of_ip("fd00::1:0:a0b", mac, sizeof(mac)), 0);
	assert_string_equal(mac, "02:01:00:00:0a:0b"); /* 02 and the last five bytes */
	assert_int_equal(net_mac_of_ip("10.88.0", mac, sizeof(mac)), -EINVAL);
	/* portmap alone runs with the PATH it is given */
	w.portmap_env_path = "/state/networks/check-path/ipv4";
	assert_int_equal(cni_env("CHECK", &w, &v6), 0);
	assert_string_equal(v6[5], "PATH=/state/networks/check-path/ipv4");
}

static void test_plugin_error(void **state)
{
	(void)state;
	strbuf out = { 0 }, errout = { 0 };
	sb_adds(&out, "{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"failed to allocate\",\"details\":\"range full\\nmore\"}");
	_cleanup_cerr_ cerr err = { 0 };
	assert_true(cni_plugin_error("host-local", 1, &out, &errout, &err) < 0);
	assert_string_equal(cerr_msg(&err), "CNI plugin host-local: error 7: failed to allocate (range full)");
	cerr_clear(&err);
	/* no JSON: the exit code and stderr's first line */
	sb_reset(&out);
	sb_adds(&errout, "panic: boom\nstack");
	assert_true(cni_plugin_error("bridge", 2, &out, &errout, &err) < 0);
	assert_string_equal(cerr_msg(&err), "CNI plugin bridge: exit 2: panic: boom");
	sb_release(&out);
	sb_release(&errout);
}

static void test_result(void **state)
{
	(void)state;
	const char *good = "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"corral0\",\"mac\":\"aa\"},"
			   "{\"name\":\"veth1\",\"mac\":\"bb\"},{\"name\":\"eth0\",\"mac\":\"0a:58:0a:58:00:02\","
			   "\"sandbox\":\"/proc/9/ns/net\"}],\"ips\":[{\"interface\":2,\"address\":\"10.88.0.2/16\","
			   "\"gateway\":\"10.88.0.1\"}]}";
	_cleanup_json_ yajl_val v = NULL;
	cerr err = { 0 };
	assert_int_equal(cni_result_parse(good, "bridge", &v, &err), 0);
	cni_summary s;
	cni_result_summary(v, &s);
	assert_string_equal(s.ifname, "eth0");
	assert_string_equal(s.mac, "0a:58:0a:58:00:02");
	assert_string_equal(s.ip, "10.88.0.2");
	assert_int_equal(s.prefix_len, 16);
	assert_string_equal(s.gateway, "10.88.0.1");
	static const char *const bad[][2] = {
		{ "[]", "must be an object" },
		{ "{\"interfaces\":[]}", "cniVersion: is required" },
		{ "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.88.0.2\"}]}", "not an address/prefix" },
		{ "{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.88.0.2/33\"}]}", "not an address/prefix" },
		{ "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"e\"}],\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":3}]}",
		  "ips[0].interface" },
		{ "{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"mac\":\"e\"}]}", "interfaces[0].name: is required" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		yajl_val b = NULL;
		assert_true(cni_result_parse(bad[i][0], "bridge", &b, &err) < 0);
		if (!strstr(cerr_msg(&err), bad[i][1]) || strncmp(cerr_msg(&err), "CNI plugin bridge: result", 25))
			fail_msg("%s: %s", bad[i][0], cerr_msg(&err));
		cerr_clear(&err);
	}
}

static void test_version(void **state)
{
	(void)state;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(cni_version_check("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}",
					   "bridge", "1.0.0", &err), 0);
	assert_true(cni_version_check("{\"cniVersion\":\"0.4.0\",\"supportedVersions\":[\"0.3.1\",\"0.4.0\"]}",
				      "old", "1.0.0", &err) < 0);
	assert_string_equal(cerr_msg(&err), "CNI plugin old: VERSION: it does not speak CNI 1.0.0");
}

static void test_default_network(void **state)
{
	(void)state;
	char dir[] = "/tmp/corral-netconf-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char conf[300], st[300];
	snprintf(conf, sizeof(conf), "%s/net.d", dir);
	snprintf(st, sizeof(st), "%s/state", dir);
	_cleanup_free_ char *text = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	/* another name is not made up */
	char ipam[320];
	snprintf(ipam, sizeof(ipam), "%s/networks/ipam", st);
	assert_int_equal(net_store_text(conf, "other", &text, &err), -ENOENT);
	assert_non_null(strstr(cerr_msg(&err), "network other: no such network"));
	cerr_clear(&err);
	const netconf_req req = { .name = NET_DEFAULT_NAME, .subnet = "10.88.0.0/16", .bridge = NET_DEFAULT_BRIDGE };
	netconf nc;
	const char *field;
	assert_int_equal(net_store_create(conf, ipam, &req, &nc, &field, &err), 0);
	assert_int_equal(net_store_text(conf, "corral", &text, &err), 0);
	_cleanup_json_ yajl_val v = NULL;
	assert_int_equal(cni_conflist_parse(text, "t", &v, &err), 0);
	assert_int_equal(cni_list_len(v), 4);
	const char *types[] = { "bridge", "portmap", "firewall", "tuning" };
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(cni_plugin_type(cni_list_plugin(v, i)), types[i]);
	yajl_val br = cni_list_plugin(v, 0);
	assert_string_equal(YAJL_GET_STRING(json_key(br, "bridge")), "corral0");
	assert_string_equal(YAJL_GET_STRING(json_key(json_key(br, "ipam"), "dataDir")), ipam);
	assert_int_equal(access(ipam, F_OK), 0);
	/* a file whose name field is not its own name is refused */
	char p[320];
	snprintf(p, sizeof(p), "%s/x.conflist", conf);
	const char *y = "{\"cniVersion\":\"1.0.0\",\"name\":\"y\",\"plugins\":[{\"type\":\"bridge\"}]}";
	assert_int_equal(write_file_atomic(p, y, strlen(y), 0644, &err), 0);
	_cleanup_free_ char *t2 = NULL;
	assert_true(net_store_text(conf, "x", &t2, &err) < 0);
	assert_non_null(strstr(cerr_msg(&err), "not \"x\" as its file is named"));
	cerr_clear(&err);
	assert_true(net_store_text(conf, "../x", &t2, &err) < 0);
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conflist_bad), cmocka_unit_test(test_plugin_conf),
		cmocka_unit_test(test_env),          cmocka_unit_test(test_plugin_error),
		cmocka_unit_test(test_result),       cmocka_unit_test(test_version),
		cmocka_unit_test(test_default_network),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
