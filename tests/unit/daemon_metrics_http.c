/* supervisor/daemon/host/metrics_http.c: the /metrics endpoint (libmicrohttpd) on the event loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/strbuf.h"
#include "supervisor/daemon/host/metrics_http.h"
#include "supervisor/loop/eventloop.h"

static int render_fixed(strbuf *out, void *data) { return sb_adds(out, "corral_up 1\n"); }

static char *http_get(el_loop *l, int port, const char *req)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	for (int i = 0; i < 20; i++)
		el_run_once(l, 2);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < 200; i++) {
		el_run_once(l, 2);
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0)
			break;
		if (n > 0)
			sb_add(&sb, buf, (size_t)n);
	}
	close(fd);
	return sb_detach(&sb);
}

static void test_metrics_http(void **state)
{
	el_loop *l;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	metrics_http *h;
	assert_int_equal(metrics_http_listen(l, "127.0.0.1:0", render_fixed, NULL, &h, &err), 0);
	int port = metrics_http_port(h);
	assert_true(port > 0);
	_cleanup_free_ char *ok = http_get(l, port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
	assert_non_null(strstr(ok, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(ok, "Content-Type: text/plain; version=0.0.4"));
	assert_non_null(strstr(ok, "Content-Length: 12\r\n"));
	assert_non_null(strstr(ok, "\r\n\r\ncorral_up 1\n"));
	_cleanup_free_ char *nf = http_get(l, port, "GET / HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(nf, "HTTP/1.1 404"));
	_cleanup_free_ char *na = http_get(l, port, "POST /metrics HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(na, "HTTP/1.1 405"));
	/* libmicrohttpd closes on a request line it cannot read */
	_cleanup_free_ char *bad = http_get(l, port, "garbage\r\n\r\n");
	assert_true(!bad || !*bad || strstr(bad, "HTTP/1.1 400"));
	metrics_http_free(h);
	el_free(l);
	assert_true(metrics_http_listen(NULL, "nonsense", render_fixed, NULL, &h, &err) < 0);
	assert_non_null(strstr(err.msg, "metrics-listen nonsense"));
}

static int ready_flag;
static int ready(strbuf *why, void *data)
{
	if (ready_flag)
		return 0;
	sb_adds(why, "store: read-only\n");
	return -11;
}

/* /healthz answers while it answers at all; /readyz follows the probe */
static void test_probes(void **state)
{
	el_loop *l;
	cerr err = { 0 };
	assert_int_equal(el_new(&l, &err), 0);
	metrics_http *h;
	assert_int_equal(metrics_http_listen(l, "127.0.0.1:0", render_fixed, NULL, &h, &err), 0);
	int port = metrics_http_port(h);
	_cleanup_free_ char *hz = http_get(l, port, "GET /healthz HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(hz, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(hz, "\r\n\r\nok\n"));
	metrics_http_set_ready(h, ready);
	ready_flag = 0;
	_cleanup_free_ char *no = http_get(l, port, "GET /readyz HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(no, "HTTP/1.1 503"));
	assert_non_null(strstr(no, "\r\n\r\nstore: read-only\n"));
	ready_flag = 1;
	_cleanup_free_ char *yes = http_get(l, port, "GET /readyz?verbose HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(yes, "HTTP/1.1 200 OK\r\n"));
	_cleanup_free_ char *head = http_get(l, port, "HEAD /healthz HTTP/1.1\r\n\r\n");
	assert_non_null(strstr(head, "Content-Length: 3\r\n"));
	assert_null(strstr(head, "\r\n\r\nok"));
	metrics_http_free(h);
	el_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_http),
		cmocka_unit_test(test_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
