#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <malloc.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "supervisor/logs/crilog.h"
#include "supervisor/daemon/containers/methods/ctr_logs.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/wire.h"

static el_loop *loop;
static vl_server *srv;
static char dir[64], sock[128], logpath[128];
static logs_stream *stream;

/* What corrald's Logs does with the log: the history in one reply, or a
 * stream that keeps the call. */
static int m_logs(vl_call *call, yajl_val params, void *ud)
{
	yajl_val tail = json_get(params, "tail"), follow = json_get(params, "follow");
	crilog_read_opts o = { .tail = YAJL_IS_INTEGER(tail) ? YAJL_GET_INTEGER(tail) : -1, .keep = 5 };
	_cleanup_cerr_ cerr err = { 0 };
	_cleanup_free_ char *history = NULL;
	if (YAJL_IS_TRUE(follow) && !vl_call_wants_more(call))
		return vl_call_error(call, VL_ERR_EXPECTED_MORE, NULL);
	if (vl_call_wants_more(call) ? logs_stream_start(loop, call, logpath, &o, YAJL_IS_TRUE(follow), &stream, &err)
				     : logs_read_all(logpath, &o, &history, &err))
		return vl_call_error(call, "t.L.Failed", NULL);
	return history ? vl_call_reply(call, history) : 0;
}

static const vl_method methods[] = { { "Logs", m_logs } };
static const vl_interface iface = { "t.L", "interface t.L\n", methods, 1 };

static int setup(void **state)
{
	strcpy(dir, "/tmp/corral-ls-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/s", dir);
	snprintf(logpath, sizeof(logpath), "%s/ctr.log", dir);
	cerr err = { 0 };
	assert_int_equal(el_new(&loop, &err), 0);
	vl_server_config cfg = { .group = PEER_NO_GROUP };
	assert_int_equal(vl_server_new(loop, &cfg, &srv, &err), 0);
	assert_int_equal(vl_server_add_interface(srv, &iface, &err), 0);
	assert_int_equal(vl_server_listen(srv, sock, 0600, PEER_NO_GROUP, &err), 0);
	stream = NULL;
	return 0;
}

static int teardown(void **state)
{
	vl_server_free(srv);
	el_free(loop);
	rm_rf(dir);
	return 0;
}

static int call(const char *params, bool more)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "{\"method\":\"t.L.Logs\"%s,\"parameters\":%s}",
			 more ? ",\"more\":true" : "", params);
	assert_int_equal(send(fd, msg, (size_t)n + 1, 0), n + 1);
	return fd;
}

static char *drain(int fd, int rounds)
{
	static char buf[1 << 16];
	size_t have = 0;
	for (int i = 0; i < rounds; i++) {
		el_run_once(loop, 20);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		while (poll(&p, 1, 0) == 1 && have < sizeof(buf) - 1) {
			ssize_t r = recv(fd, buf + have, sizeof(buf) - 1 - have, MSG_DONTWAIT);
			if (r <= 0)
				break;
			have += (size_t)r;
		}
	}
	for (size_t i = 0; i < have; i++)
		if (!buf[i])
			buf[i] = '\n';
	buf[have] = '\0';
	return buf;
}

static void write_log(crilog *l, const char *s, long long ts)
{
	cerr err = { 0 };
	assert_int_equal(crilog_write(l, CRILOG_STDOUT, s, strlen(s), ts, &err), 0);
}

static void test_history_and_tail(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, logpath, 0, 5, &err), 0);
	write_log(&l, "one\ntwo\nthree\n", 1000000000);
	int fd = call("{\"tail\":2}", false);
	char *out = drain(fd, 5);
	assert_string_equal(out,
		"{\"parameters\":{\"lines\":[{\"time\":\"1970-01-01T00:00:01.000000000Z\",\"stream\":\"stdout\","
		"\"line\":\"two\",\"partial\":false},{\"time\":\"1970-01-01T00:00:01.000000000Z\",\"stream\":\"stdout\","
		"\"line\":\"three\",\"partial\":false}]}}\n");
	close(fd);
	crilog_close(&l);
}

static void test_missing_log_is_empty(void **state)
{
	int fd = call("{}", false);
	assert_string_equal(drain(fd, 5), "{\"parameters\":{\"lines\":[]}}\n");
	close(fd);
}

static void test_follow_until_end(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, logpath, 150, 5, &err), 0);
	write_log(&l, "a\n", 1);
	int fd = call("{\"follow\":true}", true);
	char *out = drain(fd, 3);
	assert_non_null(strstr(out, "\"line\":\"a\""));
	assert_non_null(strstr(out, "\"continues\":true"));
	assert_non_null(stream);
	/* new lines arrive, across a rotation */
	write_log(&l, "b\nc\nd\n", 2);
	write_log(&l, "e\npartial", 3);
	out = drain(fd, 10);
	assert_non_null(strstr(out, "\"line\":\"b\""));
	assert_non_null(strstr(out, "\"line\":\"e\""));
	assert_null(strstr(out, "\"line\":\"partial\""));
	/* the container ends: the unfinished line goes out, and the call ends */
	logs_stream_end(stream);
	out = drain(fd, 3);
	assert_string_equal(out, "{\"parameters\":{\"lines\":[{\"time\":\"1970-01-01T00:00:00.000000003Z\","
				 "\"stream\":\"stdout\",\"line\":\"partial\",\"partial\":true}]}}\n");
	close(fd);
	crilog_close(&l);
}

static void test_follow_needs_more_and_hangup_frees(void **state)
{
	int fd = call("{\"follow\":true}", false);
	assert_non_null(strstr(drain(fd, 3), "org.varlink.service.ExpectedMore"));
	close(fd);
	fd = call("{\"follow\":true}", true);
	drain(fd, 3);
	assert_non_null(stream);
	close(fd);
	drain(fd, 3);
	assert_int_equal(vl_server_n_connections(srv), 0); /* and ASan sees no leak */
}

static size_t heap_in_use(void)
{
	struct mallinfo2 m = mallinfo2();
	return m.uordblks + m.hblkhd;
}

/* What the server sends, until its final reply (a message that does not
 * continue: "}}" then NUL), want LogLines in all, or rounds of the loop run
 * out; *lines counts the LogLines. */
static void drain_all(int fd, int rounds, size_t want, size_t *lines, bool *ended)
{
	char buf[(1 << 16) + 8];
	size_t keep = 0; /* the end of what came before: a token may be cut */
	*ended = false;
	for (int i = 0; i < rounds && !*ended && *lines < want; i++) {
		el_run_once(loop, 20);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		while (poll(&p, 1, 0) == 1) {
			ssize_t r = recv(fd, buf + keep, sizeof(buf) - keep, MSG_DONTWAIT);
			if (r <= 0)
				break;
			size_t n = keep + (size_t)r;
			for (size_t j = 0; j < n; j++) {
				if (j >= keep && j >= 6 && !memcmp(buf + j - 6, "\"line\":", 7))
					++*lines;
				if (j >= keep && j >= 2 && buf[j] == '\0' && !memcmp(buf + j - 2, "}}", 2))
					*ended = true;
			}
			keep = n < 8 ? n : 8;
			memmove(buf, buf + n - keep, keep);
		}
	}
}

/* 8 MB of history to a caller that does not read: what corrald holds for it
 * stays small, and it all comes once the caller reads */
static void test_stream_history_bounded(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, logpath, 0, 5, &err), 0);
	static char line[1002];
	memset(line, 'a', 1000);
	line[1000] = '\n';
	for (int i = 0; i < 8000; i++) {
		memcpy(line, "0000000", 7);
		snprintf(line, 8, "%07d", i);
		line[7] = ':';
		write_log(&l, line, 1000000000);
	}
	crilog_close(&l);
	size_t before = heap_in_use();
	int fd = call("{}", true);
	for (int i = 0; i < 50; i++)
		el_run_once(loop, 5);
	size_t held = heap_in_use() - before;
	print_message("held for a caller that reads nothing: %zu kB\n", held >> 10);
#ifndef __SANITIZE_ADDRESS__ /* its allocator keeps freed memory */
	assert_true(held < (4u << 20));
#endif
	size_t lines = 0;
	bool ended;
	drain_all(fd, 2000, SIZE_MAX, &lines, &ended);
	assert_true(ended);
	assert_int_equal(lines, 8000);
	close(fd);
}

/* A burst of 3 MB while following, more than the socket holds: it all
 * reaches the caller (sent from the poll timer, the rest waits for the
 * socket to take it) */
static void test_follow_burst_reaches_the_caller(void **state)
{
	crilog l;
	cerr err = { 0 };
	assert_int_equal(crilog_open(&l, logpath, 0, 5, &err), 0);
	write_log(&l, "first\n", 1);
	int fd = call("{\"follow\":true}", true);
	size_t lines = 0;
	bool ended;
	drain_all(fd, 3, 1, &lines, &ended);
	assert_int_equal(lines, 1);
	assert_non_null(stream);
	static char line[1002];
	memset(line, 'b', 1000);
	line[1000] = '\n';
	for (int i = 0; i < 3000; i++)
		write_log(&l, line, 2);
	for (int i = 0; i < 10; i++) /* polls while the caller is away */
		el_run_once(loop, LOGS_POLL_USEC / 1000 + 20);
	drain_all(fd, 500, 3001, &lines, &ended);
	assert_false(ended);
	assert_int_equal(lines, 3001);
	logs_stream_end(stream);
	drain_all(fd, 10, SIZE_MAX, &lines, &ended);
	assert_true(ended);
	assert_int_equal(lines, 3001);
	close(fd);
	crilog_close(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history_and_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_log_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_until_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_needs_more_and_hangup_frees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_history_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_burst_reaches_the_caller, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
