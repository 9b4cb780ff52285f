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
#include "supervisor/varlink/wire.h"

/* ---- framing and parsing ---- */

static void test_framer_split_and_joined(void **state)
{
	vl_framer f;
	vl_framer_init(&f, 0);
	const char in[] = "{\"method\":\"a.B\"}\0{\"method\":\"a.C\"}";
	char *m;
	size_t len;
	/* byte by byte: nothing until the first NUL */
	for (size_t i = 0; i < 16; i++) {
		assert_int_equal(vl_framer_feed(&f, in + i, 1), 0);
		assert_int_equal(vl_framer_next(&f, &m, &len), 0);
	}
	assert_int_equal(vl_framer_feed(&f, in + 16, sizeof(in) - 16), 0); /* incl. final NUL */
	assert_int_equal(vl_framer_next(&f, &m, &len), 1);
	assert_string_equal(m, "{\"method\":\"a.B\"}");
	assert_int_equal(vl_framer_next(&f, &m, &len), 1);
	assert_string_equal(m, "{\"method\":\"a.C\"}");
	assert_int_equal(len, 16);
	assert_int_equal(vl_framer_next(&f, &m, &len), 0);
	assert_int_equal(vl_framer_pending(&f), 0);
	vl_framer_release(&f);
}

static void test_framer_bound(void **state)
{
	vl_framer f;
	vl_framer_init(&f, 100);
	char big[101];
	memset(big, 'x', sizeof(big));
	char *m;
	size_t len;
	assert_int_equal(vl_framer_feed(&f, big, 100), 0);
	assert_int_equal(vl_framer_next(&f, &m, &len), 0); /* exactly the bound: may still end */
	assert_int_equal(vl_framer_feed(&f, big, 1), 0);
	assert_int_equal(vl_framer_next(&f, &m, &len), -EMSGSIZE);
	vl_framer_release(&f);

	vl_framer_init(&f, 100);
	assert_int_equal(vl_framer_feed(&f, big, 100), 0);
	assert_int_equal(vl_framer_feed(&f, "", 1), 0);
	assert_int_equal(vl_framer_next(&f, &m, &len), 1);
	assert_int_equal(len, 100);
	vl_framer_release(&f);
}

/* a deeply nested message (or reply) is refused before yajl builds, and
 * recursively frees, it: json_parse's bound */
static void test_depth_guard(void **state)
{
	const char head[] = "{\"method\":\"a.B\",\"parameters\":{\"x\":";
	size_t n = 2000000, h = sizeof(head) - 1;
	_cleanup_free_ char *msg = malloc(h + 2 * n + 3);
	assert_non_null(msg);
	memcpy(msg, head, h);
	memset(msg + h, '[', n);
	memset(msg + h + n, ']', n);
	memcpy(msg + h + 2 * n, "}}", 3);
	size_t len = strlen(msg);
	vl_message vm;
	cerr err = { 0 };
	assert_int_equal(vl_message_parse(msg, len, &vm, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "message: nested deeper than 64 levels");
	cerr_clear(&err);
	vl_reply rep;
	assert_int_equal(vl_reply_parse(msg, len, &rep, &err), -EINVAL);
	assert_string_equal(cerr_msg(&err), "reply: nested deeper than 64 levels");
	cerr_clear(&err);
}

static void expect_bad(const char *text, const char *needle)
{
	vl_message m;
	cerr err = { 0 };
	assert_true(vl_message_parse(text, strlen(text), &m, &err) < 0);
	if (!strstr(err.msg, needle))
		fail_msg("error [%s] lacks [%s]", err.msg, needle);
	cerr_clear(&err);
}

static void test_message_parse(void **state)
{
	vl_message m;
	cerr err = { 0 };
	const char *ok = "{\"method\":\"io.corral.Supervisor.Ping\",\"more\":true}";
	assert_int_equal(vl_message_parse(ok, strlen(ok), &m, &err), 0);
	assert_string_equal(m.method, "io.corral.Supervisor.Ping");
	assert_true(m.more);
	assert_false(m.oneway);
	assert_true(YAJL_IS_OBJECT(m.params));
	vl_message_release(&m);
	expect_bad("[1]", "not a JSON object");
	expect_bad("{\"method\":1}", "method: must be a non-empty string");
	expect_bad("{\"method\":\"\"}", "method");
	expect_bad("{\"method\":\"a.B\",\"parameters\":[]}", "parameters: must be an object");
	expect_bad("{\"method\":\"a.B\",\"more\":\"yes\"}", "more: must be a boolean");
	expect_bad("{\"method\":\"a.B\",\"more\":true,\"oneway\":true}", "exclude");
	expect_bad("{\"method\":", "invalid JSON");
	expect_bad("{\"method\":\"a\xff\"}", "invalid JSON");
}

static void test_encode(void **state)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	assert_int_equal(vl_encode_error(&sb, "a.B\"", "{\"x\":1}"), 0);
	assert_int_equal(sb.len, strlen(sb.buf) + 1);
	assert_string_equal(sb.buf, "{\"error\":\"a.B\\\"\",\"parameters\":{\"x\":1}}");
	vl_reply rep;
	cerr err = { 0 };
	assert_int_equal(vl_reply_parse(sb.buf, sb.len - 1, &rep, &err), 0);
	assert_string_equal(rep.error, "a.B\"");
	vl_reply_release(&rep);
}

/* ---- a live server in this process ---- */

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
		cmocka_unit_test(test_framer_split_and_joined),
		cmocka_unit_test(test_framer_bound),
		cmocka_unit_test(test_depth_guard),
		cmocka_unit_test(test_message_parse),
		cmocka_unit_test(test_encode),
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
		cmocka_unit_test(test_peer_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
