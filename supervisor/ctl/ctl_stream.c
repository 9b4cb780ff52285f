/* The client's end of an upgraded call's Streams frames (ctl_stream.h). */
#include "supervisor/ctl/ctl_stream.h"
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void ctl_stream_init(ctl_stream *s, const char *what)
{
	*s = (ctl_stream){ .what = what, .out = -1 };
	stream_client_init(&s->sc, -1);
}

void ctl_stream_release(ctl_stream *s)
{
	stream_client_release(&s->sc);
}

int ctl_send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read what the socket has, and handle each whole frame it holds: STDOUT
 * to out (or head), STDERR and EXIT into s. 0, or -errno on a broken
 * stream. */
/* head's whole lines to on_line, when it is set */
static void hand_lines(ctl_stream *s)
{
	if (!s->on_line)
		return;
	size_t at = 0;
	for (char *nl; (nl = memchr(s->sc.head.buf + at, '\n', s->sc.head.len - at));) {
		s->on_line(s->sc.head.buf + at, (size_t)(nl - (s->sc.head.buf + at)), s->ctx);
		at = (size_t)(nl - s->sc.head.buf) + 1;
	}
	memmove(s->sc.head.buf, s->sc.head.buf + at, s->sc.head.len - at);
	s->sc.head.len -= at;
}

int ctl_stream_take(ctl_stream *s)
{
	ssize_t n = stream_reader_fill(&s->sc.in, s->sc.fd);
	if (n == -EINTR)
		return 0;
	if (n == 0)
		return -ECONNRESET; /* closed before its EXIT */
	if (n < 0)
		return (int)n;
	stream_frame f;
	int k;
	while ((k = stream_reader_next(&s->sc.in, &f)) > 0) {
		k = stream_client_keep(&s->sc, &f); /* 1: STDOUT, ours */
		if (k == 1 && s->out < 0)
			k = sb_add(&s->sc.head, f.data, f.len) < 0 ? -ENOMEM : (hand_lines(s), 0);
		else if (k == 1)
			k = ctl_send_all(s->out, f.data, f.len);
		if (k < 0)
			return k;
	}
	return k;
}

/* Until EXIT, or until head holds `want` bytes; 0, or EXIT_CTL after
 * saying why. */
int ctl_stream_pump(ctl_stream *s, size_t want)
{
	int k = 0;
	while (!k && s->sc.code < 0 && (s->out >= 0 || s->sc.head.len < want))
		k = ctl_stream_take(s);
	return k < 0 ? ctl_failf("%s: the stream broke: %s", s->what, strerror(-k)) : 0;
}

/* The head kept so far goes to out, and what follows too. */
int ctl_stream_output(ctl_stream *s, int out)
{
	s->out = out;
	int k = s->sc.head.len ? ctl_send_all(out, s->sc.head.buf, s->sc.head.len) : 0;
	sb_reset(&s->sc.head);
	return k < 0 ? ctl_failf("%s: %s", s->what, strerror(-k)) : 0;
}

/* tar's stdout into STDIN frames, then CLOSE_STDIN, until EXIT. */
int ctl_stream_send(ctl_stream *s, int from)
{
	_cleanup_strbuf_ strbuf frame = STRBUF_INIT;
	static char buf[65536];
	int k = 0;
	bool input = true;
	while (!k && s->sc.code < 0) {
		struct pollfd p[2] = { { s->sc.fd, POLLIN, 0 }, { input ? from : -1, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			k = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (p[0].revents) { /* the other side speaks only to end it */
			k = ctl_stream_take(s);
			continue;
		}
		if (!p[1].revents)
			continue;
		ssize_t n = read(from, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		sb_reset(&frame);
		if (n < 0 || stream_put(&frame, n > 0 ? STREAM_STDIN : STREAM_CLOSE_STDIN, buf, n > 0 ? (size_t)n : 0) < 0)
			k = n < 0 ? -errno : -ENOMEM;
		else
			k = ctl_send_all(s->sc.fd, frame.buf, frame.len);
		/* it ended first (a target that is not there): its EXIT, and
		 * why, are still to be read */
		if (k == -EPIPE || k == -ECONNRESET)
			while (s->sc.code < 0 && ctl_stream_take(s) == 0)
				;
		if (s->sc.code >= 0)
			k = 0;
		input = n > 0;
	}
	return k < 0 ? ctl_failf("%s: the stream broke: %s", s->what, strerror(-k)) : 0;
}
