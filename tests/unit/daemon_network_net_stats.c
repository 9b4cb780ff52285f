/* supervisor/daemon/network: the /proc/net/dev parser (net_stats.c), the
 * read of a live process's counters, and their Prometheus families
 * (net_metrics.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/daemon/network/net_metrics.h"
#include "supervisor/daemon/containers/record/net_stats.h"

#define HEADER                                                                                                   \
	"Inter-|   Receive                                                |  Transmit\n"                          \
	" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls " \
	"carrier compressed\n"

static const char real[] = HEADER
	"    lo:    1234      12    0    0    0     0          0         0     1234      12    0    0    0     0 "
	"      0          0\n"
	"  eth0: 1048976     731    0    0    0     0          0         0    40210     610    0    0    0     0 "
	"      0          0\n"
	"  net1: 18446744073709551615 5 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n";

static void test_parse_real(void **state)
{
	net_if_stats s[8];
	size_t n = net_dev_parse(real, s, 8);
	assert_int_equal(n, 2); /* lo left out */
	assert_string_equal(s[0].name, "eth0");
	assert_int_equal(s[0].rx_bytes, 1048976);
	assert_int_equal(s[0].rx_packets, 731);
	assert_int_equal(s[0].tx_bytes, 40210);
	assert_int_equal(s[0].tx_packets, 610);
	assert_string_equal(s[1].name, "net1");
	assert_true(s[1].rx_bytes == UINT64_MAX);
	net_if_stats t = net_stats_total(s, n);
	assert_int_equal(t.tx_bytes, 40217);
	assert_int_equal(t.rx_packets, 736);
	assert_int_equal(t.tx_packets, 611);
	/* max bounds what is kept */
	assert_int_equal(net_dev_parse(real, s, 1), 1);
	assert_string_equal(s[0].name, "eth0");
}

static void test_parse_truncated_and_garbage(void **state)
{
	static const char truncated[] = HEADER "  eth0: 1048976     731    0    0    0     0          0         0    402\n"
					       "  eth1: 5 1 0 0 0 0 0 0 6 2 0 0 0 0 0 0\n"
					       "  eth2: 5 1 0 0 0 0 0 0 6 2 0 0";
	net_if_stats s[8];
	assert_int_equal(net_dev_parse(truncated, s, 8), 1);
	assert_string_equal(s[0].name, "eth1");
	assert_int_equal(s[0].tx_bytes, 6);
	static const char *const garbage[] = {
		"",
		"\n\n\n",
		"no colon here 1 2 3\n",
		": 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",                  /* no name */
		"eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n",            /* one too many */
		"eth0: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",              /* a sign */
		"eth0: 1 2 3 4 5 6 7 8 x 10 11 12 13 14 15 16\n",               /* not a number */
		"eth0: 99999999999999999999 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n", /* too large */
		"averyveryverylongname: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n",
		"\xff\xfe:\x01\x02",
	};
	for (size_t i = 0; i < ARRAY_SIZE(garbage); i++)
		assert_int_equal(net_dev_parse(garbage[i], s, 8), 0);
}

static void test_read_own(void **state)
{
	net_if_stats s[NET_STATS_MAX_IFACES];
	size_t n = 99;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(net_stats_read(getpid(), s, NET_STATS_MAX_IFACES, &n, &err), 0);
	assert_true(n <= NET_STATS_MAX_IFACES);
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(s[i].name, "lo");
	assert_true(net_stats_read(0x7ffffff0, s, NET_STATS_MAX_IFACES, &n, &err) < 0); /* no such process */
	assert_non_null(strstr(cerr_msg(&err), "/proc/"));
}

static void test_metrics_families(void **state)
{
	net_metrics_row c[2] = { { .id = "abc", .name = "web", .n = 1 }, { .id = "def", .name = "evil\"\n", .n = 1 } };
	c[0].ifs[0] = (net_if_stats){ .name = "eth0", .rx_bytes = 1048976, .tx_bytes = 40210, .rx_packets = 7,
				      .tx_packets = 6 };
	c[1].ifs[0] = (net_if_stats){ .name = "eth0", .rx_bytes = 1 };
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(net_metrics_render_rows(c, 2, &sb), 0);
	const char *want[] = {
		"# TYPE corral_container_network_receive_bytes_total counter\n"
		"corral_container_network_receive_bytes_total{id=\"abc\",name=\"web\",interface=\"eth0\"} 1048976\n"
		"corral_container_network_receive_bytes_total{id=\"def\",name=\"evil\\\"\\n\",interface=\"eth0\"} 1\n",
		"corral_container_network_transmit_bytes_total{id=\"abc\",name=\"web\",interface=\"eth0\"} 40210\n",
		"corral_container_network_receive_packets_total{id=\"abc\",name=\"web\",interface=\"eth0\"} 7\n",
		"corral_container_network_transmit_packets_total{id=\"abc\",name=\"web\",interface=\"eth0\"} 6\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_non_null(strstr(sb.buf, want[i]));
	/* no container: the families are there, empty */
	_cleanup_strbuf_ strbuf e = STRBUF_INIT;
	assert_int_equal(net_metrics_render_rows(NULL, 0, &e), 0);
	assert_non_null(strstr(e.buf, "# TYPE corral_container_network_transmit_packets_total counter\n"));
	assert_null(strstr(e.buf, "{"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real),
		cmocka_unit_test(test_parse_truncated_and_garbage),
		cmocka_unit_test(test_read_own),
		cmocka_unit_test(test_metrics_families),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
