/* supervisor/daemon/network/net_record.c: a record names its network and
 * interface (eth0 for network.json, ethN for a further network's), and
 * one written before there were further networks loads as eth0's; a cut
 * ADD's record (no result) is written into a pending directory not yet
 * made, and reads back with no result. */
#include "tmpdir.h"

#include <stdio.h>

#include "common/cleanup.h"
#include "supervisor/daemon/network/net_attach.h"
#include "supervisor/daemon/network/net_record.h"

#define CONF "{\"cniVersion\":\"1.0.0\",\"name\":\"net2\",\"plugins\":[{\"type\":\"bridge\"}]}"
#define RESULT                                                                                            \
	"{\"cniVersion\":\"1.0.0\",\"interfaces\":[{\"name\":\"eth2\",\"mac\":\"02:42:0a:59:00:05\",\"sandbox\":\"/x\"}]," \
	"\"ips\":[{\"address\":\"10.89.0.5/24\",\"gateway\":\"10.89.0.1\",\"interface\":0}]}"

static void test_further_interface(void **state)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/network-eth2.json", tmpdir);
	_cleanup_cerr_ cerr err = { 0 };
	net_record_of of = { .network = "net2", .netns = "/pin", .ifname = "eth2", .conf = CONF, .result = RESULT };
	assert_int_equal(net_record_write(path, &of, &err), 0);
	net_record rec;
	assert_int_equal(net_record_read(path, &rec, &err), 0);
	assert_string_equal(rec.network, "net2");
	assert_string_equal(rec.ifname, "eth2");
	assert_string_equal(rec.sum.ip, "10.89.0.5");
	net_record_release(&rec);
}

static void test_old_record_is_eth0s(void **state)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/network.json", tmpdir);
	const char *old = "{\"netns\":\"/pin\",\"config\":" CONF ",\"result\":" RESULT "}";
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(write_file_atomic(path, old, strlen(old), 0600, &err), 0);
	net_record rec;
	assert_int_equal(net_record_read(path, &rec, &err), 0);
	assert_string_equal(rec.network, "");
	assert_string_equal(rec.ifname, "eth0");
	net_record_release(&rec);
}

static void test_cut_adds_record_has_no_result(void **state)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/networks/pending/c1.eth1.json", tmpdir);
	_cleanup_cerr_ cerr err = { 0 };
	net_record_of of = { .network = "net2", .netns = "/pin", .ifname = "eth1", .conf = CONF };
	assert_int_equal(net_record_write_pending(path, &of, &err), 0);
	_cleanup_free_ char *text = NULL;
	size_t n;
	assert_int_equal(read_file(path, 65536, &text, &n, &err), 0);
	assert_non_null(strstr(text, "\"result\": null"));
	net_record rec;
	assert_int_equal(net_record_read(path, &rec, &err), 0);
	assert_null(rec.result);
	assert_non_null(strstr(rec.conf, "\"net2\""));
	assert_string_equal(rec.ifname, "eth1");
	assert_string_equal(rec.netns, "/pin");
	assert_string_equal(rec.sum.ip, "");
	net_record_release(&rec);
}

static void test_ifname_ok(void **state)
{
	const char *good[] = { "eth0", "eth1", "eth9", "eth15" };
	const char *bad[] = { "eth", "eth16", "eth01", "eth-1", "eth1x", "lo", "../eth1", "eth99999999999999999999" };
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_true(net_ifname_ok(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_false(net_ifname_ok(bad[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_further_interface, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_old_record_is_eth0s, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test_setup_teardown(test_cut_adds_record_has_no_result, tmpdir_setup, tmpdir_teardown),
		cmocka_unit_test(test_ifname_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
