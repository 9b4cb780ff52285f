#include "supervisor/varlink/streams.h"
#include "common/cleanup.h"
#include "common/strbuf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void stream_reader_init(stream_reader *r, enum stream_side side)
{
	r->side = side;
	vl_framer_init(&r->in, STREAM_HEADER + STREAM_MAX_PAYLOAD);
}

void stream_reader_release(stream_reader *r) { vl_framer_release(&r->in); }

int stream_reader_reserve(stream_reader *r, size_t want, char **p, size_t *room)
{
	return vl_framer_reserve(&r->in, want, p, room);
}

void stream_reader_commit(stream_reader *r, size_t n) { vl_framer_commit(&r->in, n); }

ssize_t stream_reader_fill(stream_reader *r, int fd)
{
	char *p;
	size_t room;
	if (stream_reader_reserve(r, 65536, &p, &room) < 0)
		return -ENOMEM;
	ssize_t n = read(fd, p, room);
	if (n < 0)
		return -errno;
	stream_reader_commit(r, (size_t)n);
	return n;
}
size_t stream_reader_pending(const stream_reader *r) { return vl_framer_pending(&r->in); }

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The payload size a kind must have on this side: -1 any (up to the bound),
 * -2 a kind this side never takes. */
static long expected_len(enum stream_side side, unsigned kind)
{
	if (side == STREAM_AT_CONTAINER) {
		switch (kind) {
		case STREAM_STDIN: return -1;
		case STREAM_RESIZE: return 4;
		case STREAM_CLOSE_STDIN: return 0;
		case STREAM_SIGNAL: return 4;
		default: return -2;
		}
	}
	switch (kind) {
	case STREAM_STDOUT:
	case STREAM_STDERR:
	case STREAM_STAT: return -1;
	case STREAM_EXIT: return 4;
	default: return -2;
	}
}

int stream_reader_next(stream_reader *r, stream_frame *f)
{
	vl_framer *in = &r->in;
	size_t avail = in->len - in->start;
	const unsigned char *h = (const unsigned char *)in->buf + in->start;
	if (avail < 1)
		return 0;
	/* judge the kind as soon as it is there: garbage goes at its first byte */
	long want = expected_len(r->side, h[0]);
	if (want == -2)
		return -EPROTO;
	if (avail < STREAM_HEADER)
		return 0;
	uint32_t len = be32(h + 1);
	if ((want >= 0 && len != (uint32_t)want) || len > STREAM_MAX_PAYLOAD)
		return -EPROTO;
	if (avail < STREAM_HEADER + (size_t)len)
		return 0;
	*f = (stream_frame){ .kind = h[0], .len = len, .data = (const char *)h + STREAM_HEADER };
	in->start += STREAM_HEADER + len;
	return 1;
}

int stream_put(strbuf *out, enum stream_kind kind, const void *data, size_t len)
{
	if (len > STREAM_MAX_PAYLOAD)
		return -EMSGSIZE;
	unsigned char h[STREAM_HEADER] = { (unsigned char)kind, (unsigned char)(len >> 24), (unsigned char)(len >> 16),
					   (unsigned char)(len >> 8), (unsigned char)len };
	int r = sb_add(out, h, sizeof(h));
	return r < 0 || !len ? r : sb_add(out, data, len);
}

int stream_put_u32(strbuf *out, enum stream_kind kind, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
			       (unsigned char)v };
	return stream_put(out, kind, p, sizeof(p));
}

int stream_put_resize(strbuf *out, unsigned rows, unsigned cols)
{
	return stream_put_u32(out, STREAM_RESIZE, (rows & 0xffffu) << 16 | (cols & 0xffffu));
}

uint32_t stream_frame_u32(const stream_frame *f) { return be32((const unsigned char *)f->data); }

void stream_frame_size(const stream_frame *f, unsigned *rows, unsigned *cols)
{
	uint32_t v = stream_frame_u32(f);
	*rows = v >> 16;
	*cols = v & 0xffffu;
}

int stream_send(int sock, enum stream_kind kind, const void *data, size_t len)
{
	_cleanup_strbuf_ strbuf f = STRBUF_INIT;
	if (stream_put(&f, kind, data, len) < 0)
		return -ENOMEM;
	for (size_t at = 0; at < f.len;) {
		ssize_t w = send(sock, f.buf + at, f.len - at, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		at += (size_t)w;
	}
	return 0;
}

int stream_send_all(int sock, enum stream_kind kind, const void *data, size_t len)
{
	for (size_t at = 0; at < len;) {
		size_t n = len - at < STREAM_MAX_PAYLOAD ? len - at : STREAM_MAX_PAYLOAD;
		int r = stream_send(sock, kind, (const char *)data + at, n);
		if (r < 0)
			return r;
		at += n;
	}
	return 0;
}

int stream_end(int sock, int code, const char *why)
{
	if (why) {
		char line[2048];
		int n = snprintf(line, sizeof(line), "%s\n", why);
		stream_send(sock, STREAM_STDERR, line, n < (int)sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	uint32_t be = htonl((uint32_t)code);
	return stream_send(sock, STREAM_EXIT, &be, sizeof(be));
}
