/* libFuzzer target: what a client sends the streaming server after its
 * upgrade (supervisor/stream/stream_conn.c, spdy_frame.c, spdy_headers.c,
 * ws.c): SPDY/3.1 frames with their zlib header blocks, or WebSocket frames
 * of the channel protocols. The first byte picks the wire, the protocol and
 * what the token granted; the rest comes down a socket pair, whose end is
 * then shut, and sc_run serves it to its end with a kind that echoes each
 * stream's data back, while a thread reads what it answers. It must end,
 * and keep its bounds. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervisor/stream/stream_conn.h"
#include "supervisor/stream/spdy_headers.h"
#include "supervisor/api/stream_asks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t echoed;

static void opened(stream_conn *c, sc_stream *s)
{
	(void)s;
	if (c->n_streams > SC_MAX_STREAMS)
		abort();
}
static void data(stream_conn *c, sc_stream *s, const uint8_t *p, size_t n)
{
	if (n > SC_MAX_FRAME)
		abort();
	if (echoed < 65536) { /* back, bounded: the other end reads nothing */
		echoed += n;
		sc_send(c, s, p, n, false);
	}
}
static void fin(stream_conn *c, sc_stream *s) { sc_send(c, s, NULL, 0, true); }
static void reset(stream_conn *c, sc_stream *s) { (void)c, (void)s; }
static size_t fds(stream_conn *c, struct pollfd *p, size_t max) { return (void)c, (void)p, (void)max, 0; }
static void ready(stream_conn *c, const struct pollfd *p, size_t n) { (void)c, (void)p, (void)n; }
static void tick(stream_conn *c, uint64_t now) { (void)c, (void)now; }

static const sc_kind echo = { opened, data, fin, reset, fds, ready, tick };

/* what the server answers, read and dropped until it shuts its end */
static void *drain(void *arg)
{
	int fd = *(int *)arg;
	char buf[65536];
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, -1) < 0)
			return NULL;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return NULL;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data_in, size_t size)
{
	if (size < 1 || size > 64 * 1024)
		return 0;
	signal(SIGPIPE, SIG_IGN);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	static const char *const protocols[] = { "v4.channel.k8s.io", "v5.channel.k8s.io", "base64.channel.k8s.io" };
	uint8_t pick = data_in[0];
	stream_conn c = { .client = sv[1], .asks = -1, .kind = &echo };
	c.wire = pick % 3 == 0 ? SC_SPDY : pick % 3 == 1 ? SC_WS : SC_WS_BASE64;
	c.protocol = c.wire == SC_SPDY ? "v4.channel.k8s.io" : c.wire == SC_WS_BASE64 ? protocols[2] : protocols[(pick >> 2) & 1];
	c.flags = (unsigned)(pick >> 4) & 0xf;
	pthread_t reader;
	if (pthread_create(&reader, NULL, drain, &sv[0]) != 0) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	for (size_t off = 1; off < size;) {
		struct pollfd p = { .fd = sv[0], .events = POLLOUT };
		poll(&p, 1, -1);
		ssize_t w = send(sv[0], data_in + off, size - off, MSG_NOSIGNAL);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (w > 0)
			off += (size_t)w;
	}
	shutdown(sv[0], SHUT_WR);
	echoed = 0;
	sc_run(&c);
	shutdown(sv[1], SHUT_WR);
	pthread_join(reader, NULL);
	if (c.n_streams > SC_MAX_STREAMS || c.in.len > c.in.cap)
		abort();
	outq_release(&c.out);
	sb_release(&c.in);
	spdy_zlib_release(&c.z);
	sb_release(&c.ws_msg);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
