/* supervisor/varlink/server.c: a live server in this process, spoken to over
 * its socket (raw, and with the client of client.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
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
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"

struct fixture {
	char dir[64];
	char path[128];
	el_loop *loop;
	vl_server *srv;
	int done_calls;
	char last_error[128];
	vl_call *pending;
	int cancelled;
	int upgraded_fd, upgrade_rc;
	int taken_fd;
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

/* Replies, then the socket is the test's (Streams-like use). */
static int m_up(vl_call *call, yajl_val params, void *ud)
{
	F->upgrade_rc = vl_call_upgrade(call, "{\"ok\":true}", &F->upgraded_fd);
	if (F->upgrade_rc == -EINVAL)
		return vl_call_error(call, "org.example.Test.NotUpgraded", NULL);
	return 0;
}

/* Gives the connection up unanswered, for another server to answer. */
static int m_hand(vl_call *call, yajl_val params, void *ud)
{
	F->upgrade_rc = vl_call_hand_over(call, &F->upgraded_fd);
	return 0;
}

static int m_take_fd(vl_call *call, yajl_val params, void *ud)
{
	F->taken_fd = vl_call_take_fd(call);
	return vl_call_reply(call, F->taken_fd >= 0 ? "{\"fd\":true}" : "{\"fd\":false}");
}

static const vl_method test_methods[] = {
	{ "Echo", m_echo }, { "Count", m_count }, { "Hang", m_hang }, { "Forget", m_forget }, { "Up", m_up },
	{ "Hand", m_hand }, { "TakeFd", m_take_fd },
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
	F->upgraded_fd = F->taken_fd = -1;
	strcpy(F->dir, "/tmp/corral-vl-XXXXXX");
	assert_non_null(mkdtemp(F->dir));
	snprintf(F->path, sizeof(F->path), "%s/s.sock", F->dir);
	cerr err = { 0 };
	assert_int_equal(el_new(&F->loop, &err), 0);
	vl_server_config cfg = {
		.vendor = "corral", .product = "test", .version = "1", .url = "u",
		.max_connections = 8, .group = PEER_NO_GROUP, .on_call_done = on_done,
		.max_message = 4096, .accept_fds = true,
	};
	assert_int_equal(vl_server_new(F->loop, &cfg, &F->srv, &err), 0);
	assert_int_equal(vl_server_add_interface(F->srv, &test_iface, &err), 0);
	assert_int_equal(vl_server_listen(F->srv, F->path, 0660, PEER_NO_GROUP, &err), 0);
	*state = F;
	return 0;
}

static int teardown(void **state)
{
	if (F->upgraded_fd >= 0)
		close(F->upgraded_fd);
	if (F->taken_fd >= 0)
		close(F->taken_fd);
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
	_cleanup_cerr_ cerr err = { 0 };
	vl_server_config cfg = { .group = PEER_NO_GROUP };
	assert_int_equal(vl_server_new(F->loop, &cfg, &other, &err), 0);
	assert_int_equal(vl_server_listen(other, F->path, 0660, PEER_NO_GROUP, &err), -EADDRINUSE);
	assert_non_null(strstr(err.msg, "another server is listening"));
	vl_server_free(other);
	struct stat st;
	assert_int_equal(stat(F->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
}

/* The reply goes out, then the socket is the method's: bytes flow both
 * ways outside the server, which has forgotten the connection. */
static void test_server_upgrade_hands_over_socket(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.example.Test.Up\",\"upgrade\":true}");
	expect_reply(fd, "{\"parameters\":{\"ok\":true}}");
	assert_int_equal(F->upgrade_rc, 0);
	assert_true(F->upgraded_fd >= 0);
	assert_int_equal(fcntl(F->upgraded_fd, F_GETFL) & O_NONBLOCK, 0);
	for (int i = 0; i < 5; i++)
		el_run_once(F->loop, 1);
	assert_int_equal(vl_server_n_connections(F->srv), 0);
	assert_int_equal(F->done_calls, 1);
	assert_string_equal(F->last_error, "");
	/* the socket is still open, and speaks whatever follows */
	raw_send(fd, "\x01raw", 4);
	char buf[8] = { 0 };
	assert_int_equal(recv(F->upgraded_fd, buf, sizeof(buf), 0), 4);
	assert_memory_equal(buf, "\x01raw", 4);
	raw_send(F->upgraded_fd, "back", 4);
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 4);
	assert_memory_equal(buf, "back", 4);
}

/* Without "upgrade": true the method is told so and answers as usual. */
static void test_server_upgrade_needs_the_flag(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.example.Test.Up\"}");
	expect_reply(fd, "\"error\":\"org.example.Test.NotUpgraded\"");
	assert_int_equal(F->upgrade_rc, -EINVAL);
	assert_int_equal(F->upgraded_fd, -1);
	SEND(fd, "{\"method\":\"org.example.Test.Echo\",\"parameters\":{\"word\":\"still\"}}");
	expect_reply(fd, "\"still\"");
}

/* A peer that streams before the reply has broken the protocol: the bytes
 * were read by the server, so the stream could not be whole. Hang up. */
static void test_server_upgrade_refuses_early_stream(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	const char m[] = "{\"method\":\"org.example.Test.Up\",\"upgrade\":true}\0early bytes";
	raw_send(fd, m, sizeof(m) - 1);
	assert_null(raw_recv(fd));
	assert_int_equal(F->upgrade_rc, -EPROTO);
	assert_int_equal(F->upgraded_fd, -1);
	assert_int_equal(vl_server_n_connections(F->srv), 0);
}

/* vl_client_call_upgrade reads the reply and no byte more: what the server
 * sent after it is the stream's, left in the socket. */
static void test_client_upgrade_leaves_stream_bytes(void **state)
{
	char path[160];
	snprintf(path, sizeof(path), "%s/raw.sock", F->dir);
	_cleanup_close_ int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	_cleanup_vl_client_ vl_client *c = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(vl_client_connect(path, &c, &err), 0);
	_cleanup_close_ int srv = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	/* an error reply first: no upgrade, the connection stays varlink */
	const char refusal[] = "{\"error\":\"org.example.No\",\"parameters\":{}}";
	raw_send(srv, refusal, sizeof(refusal));
	vl_reply rep;
	int fd = -2;
	assert_int_equal(vl_client_call_upgrade(c, "org.example.Test.Up", NULL, &rep, &fd, &err), 0);
	assert_string_equal(rep.error, "org.example.No");
	assert_int_equal(fd, -1);
	vl_reply_release(&rep);
	/* then the reply with stream bytes right behind it, in one write */
	const char both[] = "{\"parameters\":{\"ok\":true}}\0\x01\x00\x00\x00\x02hi";
	raw_send(srv, both, sizeof(both) - 1);
	assert_int_equal(vl_client_call_upgrade(c, "org.example.Test.Up", "{\"x\":1}", &rep, &fd, &err), 0);
	assert_null(rep.error);
	assert_true(YAJL_IS_TRUE(json_get(rep.params, "ok")));
	vl_reply_release(&rep);
	assert_true(fd >= 0);
	char buf[16];
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 7);
	assert_memory_equal(buf, "\x01\x00\x00\x00\x02hi", 7);
	/* both calls went out flagged */
	char calls[512] = { 0 };
	assert_true(recv(srv, calls, sizeof(calls) - 1, 0) > 0);
	assert_non_null(strstr(calls, "\"upgrade\":true"));
	/* the client has given the socket up */
	assert_int_equal(vl_client_call(c, "org.example.Test.Echo", NULL, &rep, &err), -ENOTCONN);
	assert_non_null(strstr(err.msg, "upgraded"));
	close(fd);
	unlink(path);
}

/* An fd sent along with a call reaches its method; a server that takes no
 * fds drops them. */
static void test_server_fd_with_call(void **state)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	cerr err = { 0 };
	assert_int_equal(vl_client_connect(F->path, &c, &err), 0);
	el_run_once(F->loop, 0);
	_cleanup_close_pair_ int sp[2] = { -1, -1 };
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(vl_client_send_fd(c, "org.example.Test.TakeFd", NULL, 0, sp[0], &err), 0);
	expect_reply(vl_client_fd(c), "{\"fd\":true}");
	assert_true(F->taken_fd >= 0);
	assert_int_equal(write(F->taken_fd, "z", 1), 1);
	char b;
	assert_int_equal(read(sp[1], &b, 1), 1);
	assert_int_equal(b, 'z');
	/* no second fd came: none to take */
	close(F->taken_fd);
	F->taken_fd = -1;
	assert_int_equal(vl_client_send(c, "org.example.Test.TakeFd", NULL, false, false, &err), 0);
	expect_reply(vl_client_fd(c), "{\"fd\":false}");
}

static void test_server_without_accept_fds_drops_them(void **state)
{
	vl_server *other;
	cerr err = { 0 };
	char path[160];
	snprintf(path, sizeof(path), "%s/nofd.sock", F->dir);
	vl_server_config cfg = { .group = PEER_NO_GROUP };
	assert_int_equal(vl_server_new(F->loop, &cfg, &other, &err), 0);
	assert_int_equal(vl_server_add_interface(other, &test_iface, &err), 0);
	assert_int_equal(vl_server_listen(other, path, 0600, PEER_NO_GROUP, &err), 0);
	_cleanup_vl_client_ vl_client *c = NULL;
	assert_int_equal(vl_client_connect(path, &c, &err), 0);
	el_run_once(F->loop, 0);
	_cleanup_close_pair_ int sp[2] = { -1, -1 };
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	assert_int_equal(vl_client_send_fd(c, "org.example.Test.TakeFd", NULL, 0, sp[0], &err), 0);
	expect_reply(vl_client_fd(c), "{\"fd\":false}");
	vl_server_free(other);
}

/* A call handed over unanswered is answered by another server, on the same
 * connection, streaming; the connection ends after it. */
static void test_server_hand_over_and_adopt(void **state)
{
	_cleanup_close_ int fd = raw_connect();
	SEND(fd, "{\"method\":\"org.example.Test.Hand\",\"more\":true}");
	for (int i = 0; i < 10 && F->upgraded_fd < 0; i++)
		el_run_once(F->loop, 5);
	assert_int_equal(F->upgrade_rc, 0);
	assert_true(F->upgraded_fd >= 0);
	for (int i = 0; i < 5; i++)
		el_run_once(F->loop, 1);
	assert_int_equal(vl_server_n_connections(F->srv), 0);
	/* the new owner: here a second server in the same loop */
	vl_server *other;
	cerr err = { 0 };
	vl_server_config cfg = { .group = PEER_NO_GROUP };
	assert_int_equal(vl_server_new(F->loop, &cfg, &other, &err), 0);
	vl_call *call = NULL;
	assert_int_equal(vl_server_adopt_call(other, F->upgraded_fd, NULL, "org.example.Test.Count", "{\"n\":1}", VL_CALL_MORE,
					      &call, &err), 0);
	F->upgraded_fd = -1;
	assert_true(vl_call_wants_more(call));
	assert_int_equal(vl_server_n_connections(other), 1);
	assert_int_equal(vl_call_notify(call, "{\"n\":0}"), 0);
	assert_int_equal(vl_call_reply(call, "{\"n\":1}"), 0);
	expect_reply(fd, "{\"parameters\":{\"n\":0},\"continues\":true}");
	expect_reply(fd, "{\"parameters\":{\"n\":1}}");
	/* one call only: then it closes */
	assert_null(raw_recv(fd));
	assert_int_equal(vl_server_n_connections(other), 0);
	vl_server_free(other);
}

/* The adopted call's peer hanging up cancels it, as for any kept call. */
static void test_server_adopted_call_cancelled_on_hang_up(void **state)
{
	int sp[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	vl_call *call = NULL;
	cerr err = { 0 };
	assert_int_equal(vl_server_adopt_call(F->srv, sp[1], NULL, "org.example.Test.Hang", NULL, 0, &call, &err), 0);
	F->pending = call;
	vl_call_set_cancel(call, on_cancel, NULL);
	close(sp[0]);
	for (int i = 0; i < 10 && vl_server_n_connections(F->srv); i++)
		el_run_once(F->loop, 5);
	assert_int_equal(F->cancelled, 1);
	assert_int_equal(vl_server_n_connections(F->srv), 0);
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
		cmocka_unit_test_setup_teardown(test_server_upgrade_hands_over_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_upgrade_needs_the_flag, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_upgrade_refuses_early_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_client_upgrade_leaves_stream_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_fd_with_call, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_without_accept_fds_drops_them, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_hand_over_and_adopt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_server_adopted_call_cancelled_on_hang_up, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
