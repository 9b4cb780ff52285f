#include "common/outq.h"
#include "common/monotonic.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int outq_add(outq *q, const void *data, size_t n) { return sb_add(&q->buf, data, n); }

void outq_release(outq *q)
{
	sb_release(&q->buf);
	q->off = 0;
}

static ssize_t write_some(int fd, const char *p, size_t n)
{
	ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (w < 0 && errno == ENOTSOCK)
		w = write(fd, p, n);
	return w;
}

int outq_flush(outq *q, int fd)
{
	int r = 0;
	while (outq_len(q)) {
		ssize_t w = write_some(fd, q->buf.buf + q->off, outq_len(q));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = errno == EAGAIN ? 0 : -errno;
			break;
		}
		q->off += (size_t)w;
	}
	if (!outq_len(q)) {
		sb_reset(&q->buf);
		q->off = 0;
	} else if (q->off > q->buf.len / 2) { /* keep the buffer from creeping forward */
		memmove(q->buf.buf, q->buf.buf + q->off, outq_len(q));
		q->buf.len -= q->off;
		q->buf.buf[q->buf.len] = '\0';
		q->off = 0;
	}
	return r;
}

int outq_flush_within(outq *q, int fd, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	for (;;) {
		int r = outq_flush(q, fd);
		if (r < 0 || !outq_len(q))
			return r;
		int64_t left = deadline - mono_ms();
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
	}
}
