/* supervisor/varlink/server.c: tagged listeners (the socket a peer came in
 * on names it), as many as asked, unlistening one, any_peer, the per-tag
 * bound of conn_admit and conn_gone, and a listening socket whose listener
 * died taken over. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/call.h"

static char dir[64];
static el_loop *loop;
static vl_server *srv;
static int cancelled;
static int tags[12];

static int m_who(vl_call *call, yajl_val params, void *ud)
{
	int *tag = vl_call_listener_tag(call);
	char buf[32];
	snprintf(buf, sizeof(buf), "{\"tag\":%d}", tag ? *tag : -1);
	return vl_call_reply(call, buf);
}

static void on_cancel(vl_call *call, void *data) { cancelled++; }

static int m_hang(vl_call *call, yajl_val params, void *ud)
{
	vl_call_set_cancel(call, on_cancel, NULL);
	return 0;
}

static const vl_method methods[] = { { "Who", m_who }, { "Hang", m_hang } };
static const vl_interface iface = { "org.example.T", "interface org.example.T\n", methods, ARRAY_SIZE(methods) };

static void sock_path(char *p, size_t n, int i) { snprintf(p, n, "%s/%d.sock", dir, i); }

static size_t per_tag[12], refusals;

/* at most 2 connections per tag */
static const char *admit2(void *tag, void *ud)
{
	size_t *n = &per_tag[*(int *)tag];
	if (*n >= 2)
		return "two already";
	++*n;
	return NULL;
}

static void gone(void *tag, void *ud) { per_tag[*(int *)tag]--; }
static void refused(const peer_cred *p, const char *why, void *ud) { refusals++; }
static bool bounded;

static int setup(void **state)
{
	strcpy(dir, "/tmp/corral-vll-XXXXXX");
	assert_non_null(mkdtemp(dir));
	cerr err = { 0 };
	assert_int_equal(el_new(&loop, &err), 0);
	/* root only, but for any_peer: a non-root test still gets in */
	vl_server_config cfg = { .group = PEER_NO_GROUP, .any_peer = true, .max_connections = 64 };
	if (bounded) {
		cfg.conn_admit = admit2, cfg.conn_gone = gone, cfg.on_refused = refused;
		memset(per_tag, 0, sizeof(per_tag));
		refusals = 0;
	}
	assert_int_equal(vl_server_new(loop, &cfg, &srv, &err), 0);
	assert_int_equal(vl_server_add_interface(srv, &iface, &err), 0);
	for (int i = 0; i < 12; i++) {
		char p[128];
		sock_path(p, sizeof(p), i);
		tags[i] = i;
		assert_int_equal(vl_server_listen_tagged(srv, p, 0666, PEER_NO_GROUP, &tags[i], &err), 0);
	}
	cancelled = 0;
	return 0;
}

static int teardown(void **state)
{
	vl_server_free(srv);
	el_free(loop);
	for (int i = 0; i < 12; i++) {
		char p[128];
		sock_path(p, sizeof(p), i);
		unlink(p);
	}
	rmdir(dir);
	return 0;
}

static int connect_to(int i)
{
	char p[128];
	sock_path(p, sizeof(p), i);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, p);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	el_run_once(loop, 0);
	return fd;
}

/* Send a call and run the loop until its answer (returned) or EOF (NULL). */
static char *call(int fd, const char *msg)
{
	if (msg)
		assert_int_equal(send(fd, msg, strlen(msg) + 1, MSG_NOSIGNAL), (ssize_t)strlen(msg) + 1);
	static char buf[4096];
	size_t have = 0;
	for (int spins = 0; spins < 400; spins++) {
		el_run_once(loop, 5);
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 0) != 1)
			continue;
		ssize_t r = recv(fd, buf + have, sizeof(buf) - have - 1, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN)) /* EOF, or ECONNRESET: what was sent was never read */
			return NULL;
		if (r > 0)
			have += (size_t)r;
		if (have && memchr(buf, '\0', have))
			return buf;
	}
	fail_msg("no answer");
	return NULL;
}

static void test_each_listener_names_its_peers(void **state)
{
	for (int i = 0; i < 12; i++) {
		_cleanup_close_ int fd = connect_to(i);
		assert_true(fd >= 0);
		char want[32];
		snprintf(want, sizeof(want), "\"tag\":%d", i);
		char *m = call(fd, "{\"method\":\"org.example.T.Who\"}");
		assert_non_null(m);
		assert_non_null(strstr(m, want));
	}
}

static void test_unlisten_closes_one_listener_and_its_connections(void **state)
{
	_cleanup_close_ int a = connect_to(3);
	_cleanup_close_ int b = connect_to(4);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(send(a, "{\"method\":\"org.example.T.Hang\"}", 32, MSG_NOSIGNAL), 32);
	el_run_once(loop, 5);
	el_run_once(loop, 5);
	vl_server_unlisten(srv, &tags[3]);
	assert_int_equal(cancelled, 1);         /* the kept call's hook ran */
	assert_null(call(a, NULL));             /* its connection is closed */
	char p[128];
	struct stat st;
	sock_path(p, sizeof(p), 3);
	assert_int_equal(lstat(p, &st), -1); /* its socket file is gone */
	assert_int_equal(connect_to(3), -1);
	char *m = call(b, "{\"method\":\"org.example.T.Who\"}"); /* the other lives on */
	assert_non_null(m);
	assert_non_null(strstr(m, "\"tag\":4"));
}

static int setup_bounded(void **state)
{
	bounded = true;
	return setup(state);
}

/* a third connection on one socket is closed as it comes; the others, and
 * other sockets, are served; one that goes makes room; unlisten counts its
 * connections gone */
static void test_per_tag_bound(void **state)
{
	int a[3];
	for (int i = 0; i < 3; i++)
		a[i] = connect_to(5);
	assert_true(a[0] >= 0 && a[1] >= 0 && a[2] >= 0); /* the kernel took it */
	assert_null(call(a[2], NULL)); /* the server closed it */
	assert_int_equal(refusals, 1);
	assert_int_equal(per_tag[5], 2);
	assert_non_null(call(a[0], "{\"method\":\"org.example.T.Who\"}"));
	_cleanup_close_ int other = connect_to(6);
	assert_non_null(call(other, "{\"method\":\"org.example.T.Who\"}"));
	close(a[0]);
	close(a[2]);
	for (int i = 0; i < 5; i++)
		el_run_once(loop, 5);
	assert_int_equal(per_tag[5], 1);
	_cleanup_close_ int again = connect_to(5);
	assert_non_null(call(again, "{\"method\":\"org.example.T.Who\"}"));
	assert_int_equal(per_tag[5], 2);
	vl_server_unlisten(srv, &tags[5]);
	assert_int_equal(per_tag[5], 0);
	close(a[1]);
	bounded = false;
}

/* A daemon killed while a child it had just forked still held its
 * listening socket: the socket answers connect() for a moment, but its
 * listener is dead, and the next daemon takes the path over. */
static void test_server_takes_over_from_a_dead_listener(void **state)
{
	(void)state;
	char tmp[] = "/tmp/corral-vl-XXXXXX", path[64];
	assert_non_null(mkdtemp(tmp));
	snprintf(path, sizeof(path), "%s/s", tmp);
	int hold[2];
	assert_int_equal(pipe(hold), 0);
	pid_t listener = fork();
	assert_true(listener >= 0);
	if (listener == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
			_exit(1);
		if (fork() == 0) { /* the child that outlives it, holding fd */
			char c;
			close(hold[1]);
			(void)!read(hold[0], &c, 1);
			_exit(0);
		}
		_exit(0);
	}
	close(hold[0]);
	int st;
	assert_int_equal(waitpid(listener, &st, 0), listener);
	assert_int_equal(WEXITSTATUS(st), 0);
	int fd = -1;
	_cleanup_cerr_ cerr err = { 0 };
	assert_int_equal(vl_listen_socket(path, 0600, PEER_NO_GROUP, &fd, &err), 0);
	close(hold[1]); /* the holder goes */
	/* the path is ours now: a client reaches this socket */
	_cleanup_close_ int c = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
	int a = accept(fd, NULL, NULL);
	assert_true(a >= 0);
	close(a);
	close(fd);
	unlink(path);
	rmdir(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_listener_names_its_peers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlisten_closes_one_listener_and_its_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_tag_bound, setup_bounded, teardown),
		cmocka_unit_test(test_server_takes_over_from_a_dead_listener),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
