/* supervisor/stream/upgrade.c: the streaming server's HTTP/1.1 head, the
 * subprotocol chosen, and the answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <string.h>

#include "common/cleanup.h"
#include "supervisor/stream/upgrade.h"

#define SPDY_HEAD(path, protos)                                                                                        \
	"POST " path " HTTP/1.1\r\nHost: 127.0.0.1:1234\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n" protos "\r\n"

static int parse(const char *req, upgrade_req *r, int *status)
{
	char why[256];
	return upgrade_parse(req, strlen(req), r, status, why, sizeof(why));
}

static void test_spdy_exec_chooses_the_clients_first(void **state)
{
	upgrade_req r;
	int status = 0;
	const char *req = SPDY_HEAD("/exec/0123abcd", "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"
						     "X-Stream-Protocol-Version: v3.channel.k8s.io\r\n");
	assert_int_equal(parse(req, &r, &status), 1);
	assert_int_equal(r.kind, SERVE_EXEC);
	assert_int_equal(r.to, UPGRADE_SPDY);
	assert_string_equal(r.token, "0123abcd");
	assert_int_equal(r.n_offers, 2);
	assert_string_equal(upgrade_choose(&r), "v4.channel.k8s.io");
	assert_int_equal(r.head_len, strlen(req));
	_cleanup_strbuf_ strbuf out = STRBUF_INIT;
	assert_int_equal(upgrade_accept(&out, &r, upgrade_choose(&r)), 0);
	assert_string_equal(out.buf, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n"
				     "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n");
}

static void test_offers_in_one_header_and_none_spoken(void **state)
{
	upgrade_req r;
	int status = 0;
	assert_int_equal(parse(SPDY_HEAD("/attach/ab", "X-Stream-Protocol-Version: v9.channel.k8s.io, v2.channel.k8s.io\r\n"), &r,
			       &status),
			 1);
	assert_int_equal(r.kind, SERVE_ATTACH);
	assert_string_equal(upgrade_choose(&r), "v2.channel.k8s.io");
	assert_int_equal(parse(SPDY_HEAD("/portforward/ab", "X-Stream-Protocol-Version: v4.channel.k8s.io\r\n"), &r, &status), 1);
	assert_null(upgrade_choose(&r));
	char why[256];
	upgrade_no_protocol(&r, why, sizeof(why));
	assert_string_equal(why, "unable to upgrade: unable to negotiate protocol: client supports [v4.channel.k8s.io], "
				 "server accepts [portforward.k8s.io]");
	/* none offered: the protocol's first version */
	assert_int_equal(parse(SPDY_HEAD("/exec/ab", ""), &r, &status), 1);
	assert_string_equal(upgrade_choose(&r), "");
}

static void test_websocket_accept_key(void **state)
{
	upgrade_req r;
	int status = 0;
	const char *req = "GET /exec/ab HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
			  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
			  "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n";
	assert_int_equal(parse(req, &r, &status), 1);
	assert_int_equal(r.to, UPGRADE_WEBSOCKET);
	_cleanup_strbuf_ strbuf out = STRBUF_INIT;
	assert_int_equal(upgrade_accept(&out, &r, upgrade_choose(&r)), 0);
	/* RFC 6455's own example */
	assert_non_null(strstr(out.buf, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
	assert_non_null(strstr(out.buf, "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n"));
}

static void expect_status(const char *req, int want)
{
	upgrade_req r;
	int status = 0;
	assert_int_equal(parse(req, &r, &status), -1);
	assert_int_equal(status, want);
}

static void test_bad_heads(void **state)
{
	upgrade_req r;
	int status = 0;
	/* not ended yet */
	assert_int_equal(parse("POST /exec/ab HTTP/1.1\r\nConnection: Upgrade\r\n", &r, &status), 0);
	expect_status(SPDY_HEAD("/exec/", ""), 404);
	expect_status(SPDY_HEAD("/exec/../../etc", ""), 404);
	expect_status(SPDY_HEAD("/logs/ab", ""), 404);
	expect_status("PUT /exec/ab HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n\r\n", 405);
	expect_status("POST /exec/ab HTTP/1.1\r\nHost: x\r\n\r\n", 426);
	expect_status("POST /exec/ab HTTP/1.1\r\nno colon here\r\n\r\n", 400);
	expect_status("garbage\r\n\r\n", 400);
	expect_status("GET /exec/ab HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n", 400);
	/* past the bound, without an end */
	char big[UPGRADE_MAX_HEAD + 10];
	memset(big, 'a', sizeof(big));
	char why[64];
	assert_int_equal(upgrade_parse(big, sizeof(big), &r, &status, why, sizeof(why)), -1);
	assert_int_equal(status, 431);
	_cleanup_strbuf_ strbuf out = STRBUF_INIT;
	assert_int_equal(upgrade_refuse(&out, 404, "no such stream"), 0);
	assert_string_equal(out.buf, "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 15\r\n"
				     "Connection: close\r\n\r\nno such stream\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spdy_exec_chooses_the_clients_first),
		cmocka_unit_test(test_offers_in_one_header_and_none_spoken),
		cmocka_unit_test(test_websocket_accept_key),
		cmocka_unit_test(test_bad_heads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
