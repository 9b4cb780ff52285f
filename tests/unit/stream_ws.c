/* supervisor/stream/ws.c: kubelet's channel protocols over a WebSocket,
 * the client's frames read (masked, fragmented, bounded) and ours written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "supervisor/api/stream_asks.h"
#include "supervisor/stream/stream_conn.h"
#include "supervisor/stream/ws.h"

static struct seen {
	char data[5][64];
	size_t opened, fins;
} seen;

static void opened(stream_conn *c, sc_stream *s) { seen.opened |= 1u << s->id; }
static void data(stream_conn *c, sc_stream *s, const uint8_t *p, size_t n)
{
	strncat(seen.data[s->id], (const char *)p, n);
}
static void fin(stream_conn *c, sc_stream *s) { seen.fins |= 1u << s->id; }
static void reset(stream_conn *c, sc_stream *s) {}

/* sc_run's: the kind holds the client, and its own fd (readable once)
 * takes the client away */
static struct kind_end {
	bool hold;
	int fd, client_end;
	size_t read_before; /* of stdin, when the client went */
} kend = { .fd = -1, .client_end = -1 };
static size_t fds(stream_conn *c, struct pollfd *p, size_t max)
{
	c->hold_in = kend.hold;
	if (kend.fd < 0)
		return 0;
	p[0] = (struct pollfd){ .fd = kend.fd, .events = POLLIN };
	return 1;
}
static void ready(stream_conn *c, const struct pollfd *p, size_t n)
{
	if (!n || !(p[0].revents & POLLIN))
		return;
	char b;
	assert_int_equal(read(kend.fd, &b, 1), 1);
	kend.read_before = strlen(seen.data[0]);
	close(kend.client_end);
	kend.client_end = -1;
}
static void tick(stream_conn *c, uint64_t now) {}
static const sc_kind kind = { opened, data, fin, reset, fds, ready, tick };

/* a client's frame: masked with a fixed key */
static void client_frame(strbuf *sb, int first, const char *p, size_t n)
{
	static const uint8_t mask[4] = { 0x11, 0x22, 0x33, 0x44 };
	uint8_t h[4] = { (uint8_t)first, (uint8_t)(0x80 | (n < 126 ? n : 126)), (uint8_t)(n >> 8), (uint8_t)n };
	sb_add(sb, h, n < 126 ? 2 : 4);
	sb_add(sb, mask, 4);
	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)p[i] ^ mask[i & 3];
		sb_add(sb, &b, 1);
	}
}

static void conn(stream_conn *c, const char *protocol, unsigned flags)
{
	memset(&seen, 0, sizeof(seen));
	*c = (stream_conn){ .wire = strstr(protocol, "base64") ? SC_WS_BASE64 : SC_WS, .protocol = protocol,
			    .flags = flags, .kind = &kind };
	ws_open_channels(c);
}

static void release(stream_conn *c)
{
	outq_release(&c->out);
	sb_release(&c->in);
	sb_release(&c->ws_msg);
}

static void test_channels_opened_and_announced(void **state)
{
	stream_conn c;
	conn(&c, "v4.channel.k8s.io", STREAM_F_STDIN | STREAM_F_STDOUT | STREAM_F_STDERR);
	/* stdin, stdout, stderr, error, resize */
	assert_int_equal(seen.opened, 0x1f);
	/* an empty binary message on stdout, the first the client reads */
	assert_int_equal(c.out.buf.len, 3);
	assert_memory_equal(c.out.buf.buf, "\x82\x01\x01", 3);
	release(&c);
	conn(&c, "v4.channel.k8s.io", STREAM_F_TTY | STREAM_F_STDOUT | STREAM_F_STDERR);
	assert_int_equal(seen.opened, 0x1a); /* a terminal has no stderr; no stdin asked */
	release(&c);
}

static void test_fragments_and_v5_close(void **state)
{
	stream_conn c;
	conn(&c, "v5.channel.k8s.io", STREAM_F_STDIN | STREAM_F_STDOUT);
	client_frame(&c.in, 0x02, "\x00he", 3); /* binary, not the last fragment */
	client_frame(&c.in, 0x89, "hi", 2);     /* a ping between fragments */
	client_frame(&c.in, 0x80, "llo", 3);    /* the last */
	client_frame(&c.in, 0x82, "\xff\x00", 2); /* v5: stdin closed */
	ws_parse_in(&c);
	assert_false(c.done);
	assert_string_equal(seen.data[0], "hello");
	assert_int_equal(seen.fins, 1);
	assert_int_equal(c.in.len, 0);
	/* the pong, after the announcement */
	assert_memory_equal(c.out.buf.buf + 3, "\x8a\x02hi", 4);
	release(&c);
}

static void test_base64(void **state)
{
	stream_conn c;
	conn(&c, "base64.channel.k8s.io", STREAM_F_STDIN | STREAM_F_STDOUT);
	client_frame(&c.in, 0x81, "0aGVsbG8=", 9);
	ws_parse_in(&c);
	assert_string_equal(seen.data[0], "hello");
	size_t before = c.out.buf.len;
	assert_int_equal(ws_send(&c, 1, "hi", 2), 0);
	assert_memory_equal(c.out.buf.buf + before, "\x81\x05" "1aGk=", 7);
	release(&c);
}

static void test_refused(void **state)
{
	stream_conn c;
	conn(&c, "v4.channel.k8s.io", STREAM_F_STDIN | STREAM_F_STDOUT);
	sb_add(&c.in, "\x82\x03\x00hi", 5); /* not masked */
	ws_parse_in(&c);
	assert_true(c.done);
	assert_true(c.ws_closed);
	release(&c);
	conn(&c, "v4.channel.k8s.io", STREAM_F_STDIN | STREAM_F_STDOUT);
	/* 2 MiB announced: refused before a byte of it comes */
	sb_add(&c.in, "\x82\xff\x00\x00\x00\x00\x00\x20\x00\x00mask", 14);
	ws_parse_in(&c);
	assert_true(c.done);
	release(&c);
	conn(&c, "v4.channel.k8s.io", STREAM_F_STDIN | STREAM_F_STDOUT);
	client_frame(&c.in, 0x80, "\x00x", 2); /* a continuation of nothing */
	ws_parse_in(&c);
	assert_true(c.done);
	release(&c);
}

/* a connection to sc_run: the client's end in *client, its stdin's
 * message "hello" sent */
static void run_conn(stream_conn *c, int *client)
{
	memset(&seen, 0, sizeof(seen));
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	*c = (stream_conn){ .client = sv[0], .wire = SC_WS, .protocol = "v4.channel.k8s.io",
			    .flags = STREAM_F_STDIN | STREAM_F_STDOUT, .kind = &kind };
	_cleanup_strbuf_ strbuf msg = STRBUF_INIT;
	client_frame(&msg, 0x82, "\x00hello", 6);
	assert_int_equal(write(sv[1], msg.buf, msg.len), (ssize_t)msg.len);
	*client = sv[1];
}

/* a client that sent its input and went while output waited for it (a
 * send to it fails): its input is still read */
static void test_input_of_a_client_that_went(void **state)
{
	stream_conn c;
	int client;
	run_conn(&c, &client);
	close(client); /* before it read the announcement sc_run queues */
	assert_int_equal(sc_run(&c), 0);
	assert_true(c.done);
	assert_string_equal(seen.data[0], "hello");
	close(c.client);
	release(&c);
}

/* a kind that holds the client: its input waits unread, and once it goes,
 * what it sent is read and the run ends (not a poll that spins on the
 * hang-up) */
static void test_held_input(void **state)
{
	stream_conn c;
	int wake[2];
	assert_int_equal(pipe(wake), 0);
	assert_int_equal(write(wake[1], "w", 1), 1);
	run_conn(&c, &kend.client_end);
	kend.hold = true, kend.fd = wake[0];
	assert_int_equal(sc_run(&c), 0);
	assert_int_equal(kend.read_before, 0); /* held: not read while the client was there */
	assert_string_equal(seen.data[0], "hello");
	assert_true(c.done);
	kend = (struct kind_end){ .fd = -1, .client_end = -1 };
	close(wake[0]), close(wake[1]), close(c.client);
	release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channels_opened_and_announced),
		cmocka_unit_test(test_fragments_and_v5_close),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_input_of_a_client_that_went),
		cmocka_unit_test(test_held_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
