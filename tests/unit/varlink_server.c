/* supervisor/varlink/server.c: a live server in this process, spoken to over
 * its socket (raw, and with the client of client.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/json.h"
#include "supervisor/varlink/client.h"
#include "supervisor/varlink/server.h"

struct fixture {
	char dir[64];
	char path[128];
	el_loop *loop;
	vl_server *srv;
	int done_calls;
	char last_error[128];
	vl_call *pending;
	int cancelled;
};
static struct fixture *F;

static int m_echo(vl_call *call, yajl_val params, void *ud)
{
	yajl_val v = json_get(params, "word");
	if (!YAJL_IS_STRING(v))
		return vl_call_invalid_parameter(call, "word");
	_cleanup_free_ char *p = vl_json_obj1("word", v->u.string);
	return vl_call_reply(call, p);
}

static int m_count(vl_call *call, yajl_val params, void *ud)
{
	if (!vl_call_wants_more(call))
		return vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	for (int i = 0; i < 3; i++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "{\"n\":%d}", i);
		vl_call_notify(call, buf);
	}
	return vl_call_reply(call, "{\"n\":3}");
}

static void on_cancel(vl_call *call, void *data)
{
	F->cancelled++;
	F->pending = NULL;
}

static int m_hang(vl_call *call, yajl_val params, void *ud)
{
	F->pending = call;
	vl_call_set_cancel(call, on_cancel, NULL);
	return 0;
}

/* A bug: it neither answers its call nor keeps it. */
static int m_forget(vl_call *call, yajl_val params, void *ud)
{
	return 0;
}

static const vl_method test_methods[] = {
	{ "Echo", m_echo }, { "Count", m_count }, { "Hang", m_hang }, { "Forget", m_forget },
};
static const vl_interface test_iface = {
	"org.example.Test", "interface org.example.Test\nmethod Echo(word: string) -> (word: string)\n",
	test_methods, ARRAY_SIZE(test_methods),
};

static void on_done(const vl_call_info *info, void *ud)
{
	F->done_calls++;
	snprintf(F->last_error, sizeof(F->last_error), "%s", info->error ? info->error : "");
}

static int setup(void **state)
{
	F = calloc(1, sizeof(*F));
	strcpy(F->dir, "/tmp/corral-vl-XXXXXX");
	assert_non_null(mkdtemp(F->dir));
	snprintf(F->path, sizeof(F->path), "%s/s.sock", F->dir);
	cerr err = { 0 };
	assert_int_equal(el_new(&F->loop, &err), 0);
	vl_server_config cfg = {
		.vendor = "corral", .product = "test", .version = "1", .url = "u",
		.max_connections = 8, .group = PEER_NO_GROUP, .on_call_done = on_done,
		.max_message = 4096,
	};
	assert_int_equal(vl_server_new(F->loop, &cfg, &F->srv, &err), 0);
	assert_int_equal(vl_server_add_interface(F->srv, &test_iface, &err), 0);
	assert_int_equal(vl_server_listen(F->srv, F->path, 0660, PEER_NO_GROUP, &err), 0);
	*state = F;
	return 0;
}

static int teardown(void **state)
{
	vl_server_free(F->srv);
	el_free(F->loop);
	rmdir(F->dir);
	free(F);
	return 0;
}

static int raw_connect(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, F->path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	el_run_once(F->loop, 0); /* accept */
	return fd;
}

static void raw_send(int fd, const char *s, size_t n)
{
	assert_int_equal(send(fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}
#define SEND(fd, lit) raw_send(fd, lit, sizeof(lit)) /* with the literal's NUL */

/* Run the loop until fd has a full message (returned) or was closed (NULL). */
static char *raw_recv(int fd)
{
	static char buf[65536];
	static size_t have;
	static int buf_fd = -1;
	if (buf_fd != fd) {
		have = 0;
		buf_fd = fd;
	}
	for (int spins = 0; spins < 500; spins++) {
		char *nul = memchr(buf, '\0', have);
		if (nul) {
			size_t n = (size_t)(nul - buf) + 1;
			char *m = strdup(buf);
			memmove(buf, buf + n, have - n);
			have -= n;
			return m;
		}
		el_run_once(F->loop, 5);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 0) == 1) {
			ssize_t r = recv(fd, buf + have, sizeof(buf) - have, MSG_DONTWAIT);
			if (r == 0)
				return NULL;
			if (r > 0)
				have += (size_t)r;
		}
	}
	fail_msg("no reply");
	return NULL;
}

static void expect_reply(int fd, const char *needle)
{
	_cleanup_free_ char *m = raw_recv(fd);
	assert_non_null(m);
	if (!strstr(m, needle))
		fail_msg("reply [%s] lacks [%s]", m, needle);
}

static void test_server_echo_and_errors(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":\"hi\\\"\"}}");
	expect_reply(fd, "{\"parameters\":{\"word\":\"hi\\\"\"}}");
	SEND(fd, "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":3}}");
	expect_reply(fd, "\"error\":\"org.varlink.service.InvalidParameter\",\"parameters\":{\"parameter\":\"word\"}");
	SEND(fd, "{\"method\":\"org.example.Test.Nope\"}");
	expect_reply(fd, "\"error\":\"org.varlink.service.MethodNotFound\",\"parameters\":{\"method\":\"org.example.Test.Nope\"}");
	SEND(fd, "{\"method\":\"org.nowhere.X\"}");
	expect_reply(fd, "\"parameters\":{\"interface\":\"org.nowhere\"}");
	SEND(fd, "{\"method\":\"NoDots\"}");
	expect_reply(fd, "org.varlink.service.InterfaceNotFound");
	assert_int_equal(F->done_calls, 5);
	assert_string_equal(F->last_error, "org.varlink.service.InterfaceNotFound");
}

static void test_server_service_interface(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.varlink.service.GetInfo\"}");
	expect_reply(fd, "\"interfaces\":[\"org.varlink.service\",\"org.example.Test\"]");
	SEND(fd, "{\"method\":\"org.varlink.service.GetInterfaceDescription\",\"parameters\":{\"interface\":\"org.example.Test\"}}");
	expect_reply(fd, "\"description\":\"interface org.example.Test\\nmethod Echo");
	SEND(fd, "{\"method\":\"org.varlink.service.GetInterfaceDescription\",\"parameters\":{\"interface\":\"x.Y\"}}");
	expect_reply(fd, "org.varlink.service.InterfaceNotFound");
}

static void test_server_pipelined_in_order(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	const char m[] = "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":\"1\"}}\0"
			 "{\"method\":\"org.example.Test.Count\",\"more\":true}\0"
			 "{\"method\":\"org.example.Test.Echo\",\"oneway\":true,\"parameters\":{\"word\":\"x\"}}\0"
			 "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":\"2\"}}";
	raw_send(fd, m, sizeof(m));
	expect_reply(fd, "\"word\":\"1\"");
	expect_reply(fd, "{\"parameters\":{\"n\":0},\"continues\":true}");
	expect_reply(fd, "{\"n\":1}");
	expect_reply(fd, "{\"n\":2}");
	expect_reply(fd, "{\"parameters\":{\"n\":3}}");
	/* the oneway call got no reply: the next one is the last echo */
	expect_reply(fd, "\"word\":\"2\"");
	assert_int_equal(F->done_calls, 4);
}

static void test_server_expected_more(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.example.Test.Count\"}");
	expect_reply(fd, "org.varlink.service.ExpectedMore");
}

static void test_server_garbage_disconnects(void **state)
{
	_cleanup_close_ int a = raw_connect();
	SEND(a, "this is not json");
	assert_null(raw_recv(a));
	_cleanup_close_ int b = raw_connect();
	SEND(b, "[\"an\",\"array\"]");
	assert_null(raw_recv(b));
	/* no NUL and past the 4096-byte bound */
	_cleanup_close_ int c = raw_connect();
	char big[5000];
	memset(big, ' ', sizeof(big));
	raw_send(c, big, sizeof(big));
	assert_null(raw_recv(c));
	/* the server still serves others */
	_cleanup_close_ int d = raw_connect();
	SEND(d, "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":\"ok\"}}");
	expect_reply(d, "\"ok\"");
	el_run_once(F->loop, 5);
	assert_int_equal(vl_server_n_connections(F->srv), 1);
}

static void test_server_cancel_on_disconnect(void **state)
{
	int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.example.Test.Hang\",\"more\":true}");
	for (int i = 0; i < 10 && !F->pending; i++)
		el_run_once(F->loop, 5);
	assert_non_null(F->pending);
	assert_int_equal(vl_server_n_connections(F->srv), 1);
	close(fd);
	for (int i = 0; i < 10 && vl_server_n_connections(F->srv); i++)
		el_run_once(F->loop, 5);
	assert_int_equal(F->cancelled, 1);
	assert_null(F->pending);
	assert_int_equal(vl_server_n_connections(F->srv), 0);
	assert_string_equal(F->last_error, "disconnected");
}

/* A call its method neither answered nor kept does not hang its client. */
static void test_server_unanswered_call_hangs_up(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.example.Test.Forget\"}");
	assert_null(raw_recv(fd));
	assert_int_equal(F->done_calls, 1);
	assert_string_equal(F->last_error, "not answered");
	_cleanup_close_ int other = raw_connect();
	SEND(other, "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":\"ok\"}}");
	expect_reply(other, "\"ok\"");
}

static void test_server_async_reply_then_pipelined(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	const char m[] = "{\"method\":\"org.example.Test.Hang\"}\0"
			 "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":\"after\"}}";
	raw_send(fd, m, sizeof(m));
	for (int i = 0; i < 10 && !F->pending; i++)
		el_run_once(F->loop, 5);
	assert_non_null(F->pending);
	vl_call_reply(F->pending, "{\"late\":true}");
	F->pending = NULL;
	expect_reply(fd, "\"late\":true");
	expect_reply(fd, "\"after\"");
}

static void test_server_connection_limit(void **state)
{
	int fds[9];
	for (int i = 0; i < 9; i++)
		fds[i] = raw_connect();
	for (int i = 0; i < 5; i++)
		el_run_once(F->loop, 1);
	assert_int_equal(vl_server_n_connections(F->srv), 8);
	/* the ninth was closed at once */
	assert_null(raw_recv(fds[8]));
	for (int i = 0; i < 9; i++)
		close(fds[i]);
}

static void test_server_refuses_live_socket(void **state)
{
	vl_server *other;
	cerr err = { 0 };
	vl_server_config cfg = { .group = PEER_NO_GROUP };
	assert_int_equal(vl_server_new(F->loop, &cfg, &other, &err), 0);
	assert_int_equal(vl_server_listen(other, F->path, 0660, PEER_NO_GROUP, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "another server is listening"));
	cerr_clear(&err);
	vl_server_free(other);
	struct stat st;
	assert_int_equal(stat(F->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_server_echo_and_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_service_interface, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_pipelined_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_expected_more, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_garbage_disconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_cancel_on_disconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_unanswered_call_hangs_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_async_reply_then_pipelined, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_connection_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_refuses_live_socket, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
