/* common/outq.c: a queue written to a non-blocking fd as far as it takes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/outq.h"

static size_t drain(int fd)
{
	char buf[65536];
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	return got;
}

/* A pipe (write) and a socket in blocking mode (send, never blocking). */
static void check_fd_pair(int w, int r)
{
	fcntl(r, F_SETFL, O_NONBLOCK);
	outq q = { 0 };
	static char big[1 << 20];
	memset(big, 'q', sizeof(big));
	assert_int_equal(outq_add(&q, big, sizeof(big)), 0);
	assert_int_equal(outq_flush(&q, w), 0); /* full: some left, no error */
	assert_true(outq_len(&q) > 0 && outq_len(&q) < sizeof(big));
	size_t got = 0;
	for (int i = 0; i < 1000 && outq_len(&q); i++) {
		got += drain(r);
		assert_int_equal(outq_flush(&q, w), 0);
	}
	got += drain(r);
	assert_int_equal(outq_len(&q), 0);
	assert_int_equal(got, sizeof(big));
	/* the reader gone: the queue says so, without SIGPIPE */
	close(r);
	assert_int_equal(outq_add(&q, "x", 1), 0);
	assert_int_equal(outq_flush(&q, w), -EPIPE);
	outq_release(&q);
	close(w);
}

static void test_outq_pipe_and_socket(void **state)
{
	int sp[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	check_fd_pair(sp[0], sp[1]); /* a SIGPIPE here would end the test */
	signal(SIGPIPE, SIG_IGN);    /* as the monitor does */
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	check_fd_pair(p[1], p[0]);
}

/* outq_flush_within: all of it, while a reader takes it; -ETIMEDOUT when
 * nobody reads; -EPIPE when the reader went */
static void test_outq_flush_within(void **state)
{
	int sp[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	outq q = { 0 };
	assert_int_equal(outq_add(&q, "hello", 5), 0);
	assert_int_equal(outq_flush_within(&q, sp[0], 1000), 0);
	assert_int_equal(outq_len(&q), 0);
	char got[8];
	assert_int_equal(read(sp[1], got, sizeof(got)), 5);
	static char big[4 << 20]; /* past the socket's buffer */
	assert_int_equal(outq_add(&q, big, sizeof(big)), 0);
	assert_int_equal(outq_flush_within(&q, sp[0], 50), -ETIMEDOUT);
	assert_true(outq_len(&q) > 0);
	close(sp[1]);
	assert_int_equal(outq_flush_within(&q, sp[0], 1000), -EPIPE);
	outq_release(&q);
	close(sp[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outq_pipe_and_socket),
		cmocka_unit_test(test_outq_flush_within),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
