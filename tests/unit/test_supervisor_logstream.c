#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "supervisor/crilog.h"
#include "supervisor/logs.h"
#include "supervisor/varlink_server.h"

static el_loop *loop;
static vl_server *srv;
static char dir[64], sock[128], logpath[128];
static logs_stream *stream;

static void m_logs(vl_call *call, yajl_val params, void *ud)
{
	yajl_val tail = json_get(params, "tail"), follow = json_get(params, "follow");
	crilog_read_opts o = { .tail = YAJL_IS_INTEGER(tail) ? YAJL_GET_INTEGER(tail) : -1, .keep = 5 };
	logs_serve(loop, call, logpath, &o, YAJL_IS_TRUE(follow), &stream);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history_and_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_log_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_until_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_follow_needs_more_and_hangup_frees, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
