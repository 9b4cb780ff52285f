/* supervisor/monitor/stream_peer.c: a Streams client of the monitor over a
 * socketpair: frames in, a bounded queue out that drops (and counts) for a
 * client that does not read, garbage that ends the client, and EXIT last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/monitor/stream_peer.h"
#include "common/monotonic.h"

struct seen {
	int frames, stdin_bytes, drained, gone;
	unsigned rows, cols;
	stream_peer *peer;
};

static void on_frame(stream_peer *p, const stream_frame *f, void *data)
{
	struct seen *s = data;
	s->frames++;
	if (f->kind == STREAM_STDIN)
		s->stdin_bytes += (int)f->len;
	if (f->kind == STREAM_RESIZE)
		stream_frame_size(f, &s->rows, &s->cols);
}

static void on_drained(stream_peer *p, void *data) { ((struct seen *)data)->drained++; }

static void on_gone(stream_peer *p, void *data)
{
	struct seen *s = data;
	s->gone++;
	s->peer = NULL;
}

static const stream_peer_ops ops = { .frame = on_frame, .drained = on_drained, .gone = on_gone };

struct fixture {
	el_loop *loop;
	int client; /* our end: the client's */
	struct seen seen;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	cerr err = { 0 };
	int sp[2];
	assert_int_equal(el_new(&f->loop, &err), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	/* a small socket buffer, so that a client that reads nothing fills it */
	int small = 4096;
	setsockopt(sp[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	setsockopt(sp[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	f->client = sp[0];
	assert_int_equal(stream_peer_new(f->loop, sp[1], 64 << 10, &ops, &f->seen, &f->seen.peer, &err), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	stream_peer_free(f->seen.peer);
	close(f->client);
	el_free(f->loop);
	free(f);
	return 0;
}

static void spin(struct fixture *f, int n)
{
	for (int i = 0; i < n; i++)
		el_run_once(f->loop, 2);
}

static void test_frames_reach_the_owner(void **state)
{
	struct fixture *f = *state;
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	stream_put(&sb, STREAM_STDIN, "hello", 5);
	stream_put_resize(&sb, 50, 120);
	assert_int_equal(write(f->client, sb.buf, 3), 3); /* in pieces */
	spin(f, 2);
	assert_int_equal(f->seen.frames, 0);
	assert_int_equal(write(f->client, sb.buf + 3, sb.len - 3), (ssize_t)(sb.len - 3));
	spin(f, 2);
	assert_int_equal(f->seen.frames, 2);
	assert_int_equal(f->seen.stdin_bytes, 5);
	assert_int_equal(f->seen.rows, 50);
	assert_int_equal(f->seen.cols, 120);
	/* paused: frames wait in the socket, then come */
	stream_peer_pause_input(f->seen.peer, true);
	assert_int_equal(write(f->client, sb.buf, sb.len), (ssize_t)sb.len);
	spin(f, 3);
	assert_int_equal(f->seen.frames, 2);
	stream_peer_pause_input(f->seen.peer, false);
	spin(f, 2);
	assert_int_equal(f->seen.frames, 4);
}

/* A client that reads nothing: the queue stops at its bound, and what does
 * not fit is dropped and counted; nothing blocks. Once it reads, the queue
 * drains and the owner hears so. */
static void test_slow_client_drops_never_blocks(void **state)
{
	struct fixture *f = *state;
	char chunk[16384];
	memset(chunk, 'x', sizeof(chunk));
	int sent = 0, dropped = 0;
	for (int i = 0; i < 32; i++)
		stream_peer_send(f->seen.peer, STREAM_STDOUT, chunk, sizeof(chunk)) ? sent++ : dropped++;
	assert_true(dropped > 0);
	assert_true(stream_peer_queued(f->seen.peer) <= 64 << 10);
	assert_int_equal(stream_peer_dropped(f->seen.peer), (uint64_t)dropped * sizeof(chunk));
	/* now it reads everything */
	fcntl(f->client, F_SETFL, O_NONBLOCK);
	size_t got = 0;
	char buf[65536];
	for (int i = 0; i < 500 && stream_peer_queued(f->seen.peer); i++) {
		ssize_t n;
		while ((n = read(f->client, buf, sizeof(buf))) > 0)
			got += (size_t)n;
		spin(f, 1);
	}
	ssize_t n;
	while ((n = read(f->client, buf, sizeof(buf))) > 0)
		got += (size_t)n;
	assert_int_equal(got, (size_t)sent * (sizeof(chunk) + STREAM_HEADER));
	assert_true(f->seen.drained >= 1);
	assert_int_equal(f->seen.gone, 0);
}

static void test_garbage_ends_the_client(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(write(f->client, "GET / HTTP/1.0\r\n", 16), 16);
	spin(f, 3);
	assert_int_equal(f->seen.gone, 1);
	assert_null(f->seen.peer);
	/* and its socket is closed */
	char b;
	assert_int_equal(read(f->client, &b, 1), 0);
}

static void test_hang_up_ends_the_client(void **state)
{
	struct fixture *f = *state;
	close(f->client);
	f->client = -1;
	spin(f, 3);
	assert_int_equal(f->seen.gone, 1);
}

/* The client sends STDIN text (and, with close_stdin, CLOSE_STDIN) and
 * hangs up */
static void send_and_hang_up(struct fixture *f, const char *text, bool close_stdin)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	stream_put(&sb, STREAM_STDIN, text, strlen(text));
	if (close_stdin)
		stream_put(&sb, STREAM_CLOSE_STDIN, NULL, 0);
	assert_int_equal(write(f->client, sb.buf, sb.len), (ssize_t)sb.len);
	close(f->client);
	f->client = -1;
}

/* A client that sends its input and hangs up at once, before the monitor
 * has read it: output sent to it meanwhile fails, and its input is still
 * read, to its end (a docker attach whose stdin ended lost its last line). */
static void test_input_outlives_a_failed_send(void **state)
{
	struct fixture *f = *state;
	send_and_hang_up(f, "second\n", false);
	stream_peer_send(f->seen.peer, STREAM_STDOUT, "got first\n", 10);
	assert_false(stream_peer_send(f->seen.peer, STREAM_STDOUT, "more\n", 5));
	spin(f, 3);
	assert_int_equal(f->seen.stdin_bytes, 7);
	assert_int_equal(f->seen.gone, 1);
}

/* A client that sent its input and hung up while its input was paused
 * (the container's stdin full): what it sent is served once the pause
 * lifts, and then it ends. */
static void test_input_outlives_a_paused_hang_up(void **state)
{
	struct fixture *f = *state;
	stream_peer_pause_input(f->seen.peer, true);
	send_and_hang_up(f, "held\n", true);
	spin(f, 3);
	assert_int_equal(f->seen.frames, 0);
	assert_int_equal(f->seen.gone, 0);
	stream_peer_pause_input(f->seen.peer, false);
	assert_int_equal(f->seen.stdin_bytes, 5);
	assert_int_equal(f->seen.frames, 2);
	assert_int_equal(f->seen.gone, 0); /* not under its owner's feet */
	spin(f, 3);
	assert_int_equal(f->seen.gone, 1);
}

/* ... and should the pause last, it ends after the linger all the same:
 * an exec's command is not kept running by a client that went. */
static void test_paused_hang_up_ends_after_the_linger(void **state)
{
	struct fixture *f = *state;
	stream_peer_pause_input(f->seen.peer, true);
	send_and_hang_up(f, "never\n", false);
	spin(f, 3);
	assert_int_equal(f->seen.gone, 0);
	uint64_t end = mono_usec() + (STREAM_PEER_LINGER_MS + 2000) * 1000ull;
	while (!f->seen.gone && mono_usec() < end)
		el_run_once(f->loop, 100);
	assert_int_equal(f->seen.gone, 1);
	assert_int_equal(f->seen.frames, 0);
}

static void resume_on_io(el_source *s, int fd, uint32_t events, void *data)
{
	struct fixture *f = data;
	char b;
	assert_int_equal(read(fd, &b, 1), 1);
	if (f->seen.peer)
		stream_peer_pause_input(f->seen.peer, false);
}

/* The hang-up was seen while input was paused, and in the same turn of
 * the loop (before the client's event) the pause lifted: its input is
 * still read to its end. */
static void test_hang_up_seen_paused_served_resumed(void **state)
{
	struct fixture *f = *state;
	stream_peer_pause_input(f->seen.peer, true);
	int wake[2];
	cerr err = { 0 };
	el_source *src;
	assert_int_equal(pipe(wake), 0);
	assert_int_equal(el_add_io(f->loop, wake[0], EPOLLIN, resume_on_io, f, &src, &err), 0);
	assert_int_equal(write(wake[1], "w", 1), 1); /* ready first */
	send_and_hang_up(f, "late\n", false);
	spin(f, 3);
	assert_int_equal(f->seen.stdin_bytes, 5);
	assert_int_equal(f->seen.gone, 1);
	el_remove(src);
	close(wake[0]), close(wake[1]);
}

/* EXIT is the last frame, past the bound if need be; then the end. */
static void test_finish_sends_exit_last(void **state)
{
	struct fixture *f = *state;
	stream_peer_send(f->seen.peer, STREAM_STDOUT, "bye", 3);
	stream_peer_finish(f->seen.peer, 130);
	assert_false(stream_peer_send(f->seen.peer, STREAM_STDOUT, "late", 4));
	spin(f, 5);
	assert_int_equal(f->seen.gone, 1);
	char buf[64];
	ssize_t n = read(f->client, buf, sizeof(buf));
	assert_int_equal(n, 8 + 9);
	assert_memory_equal(buf, "\x01\x00\x00\x00\x03" "bye" "\x05\x00\x00\x00\x04\x00\x00\x00\x82", 17);
	assert_int_equal(read(f->client, buf, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frames_reach_the_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_client_drops_never_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage_ends_the_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_up_ends_the_client, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_outlives_a_failed_send, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_outlives_a_paused_hang_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hang_up_seen_paused_served_resumed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paused_hang_up_ends_after_the_linger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_finish_sends_exit_last, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
