/* The WebSocket side (RFC 6455) of an exec or attach (stream_conn.h):
 * kubelet's channel protocols, v1 to v5 and base64. The client's frames
 * are masked; a message is bounded whole (SC_MAX_FRAME); v5's close
 * message (255, channel) ends the client's stdin.
 * a pair with stream_conn.c: this is its other wire, and ends the
 * connection there (sc_fail) */
#include "supervisor/stream/stream_conn.h"
#include "supervisor/stream/ws.h"
#include "supervisor/api/stream_asks.h"
#include "common/base64.h"
#include "common/cleanup.h"

#include <stdlib.h>
#include <string.h>

enum { WS_CONT = 0, WS_TEXT = 1, WS_BINARY = 2, WS_CLOSE = 8, WS_PING = 9, WS_PONG = 10 };
#define V5_CLOSE 255

static int put_frame(stream_conn *c, int opcode, const void *p, size_t n)
{
	uint8_t h[10];
	size_t hl = 2;
	h[0] = (uint8_t)(0x80 | opcode);
	if (n < 126) {
		h[1] = (uint8_t)n;
	} else if (n < 65536) {
		h[1] = 126, h[2] = (uint8_t)(n >> 8), h[3] = (uint8_t)n, hl = 4;
	} else {
		h[1] = 127, hl = 10;
		for (int i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	}
	return sb_add(&c->out.buf, h, hl) < 0 || (n && sb_add(&c->out.buf, p, n) < 0) ? -1 : 0;
}

int ws_send(stream_conn *c, uint32_t channel, const void *p, size_t n)
{
	_cleanup_strbuf_ strbuf msg = STRBUF_INIT;
	if (c->wire == SC_WS_BASE64) {
		_cleanup_free_ char *text = base64_encode(p, n);
		char digit = (char)('0' + channel);
		if (!text || sb_add(&msg, &digit, 1) < 0 || sb_adds(&msg, text) < 0)
			return -1;
		return put_frame(c, WS_TEXT, msg.buf, msg.len);
	}
	uint8_t ch = (uint8_t)channel;
	if (sb_add(&msg, &ch, 1) < 0 || (n && sb_add(&msg, p, n) < 0))
		return -1;
	return put_frame(c, WS_BINARY, msg.buf, msg.len);
}

void ws_close(stream_conn *c, uint16_t code)
{
	if (c->ws_closed)
		return;
	uint8_t p[2] = { (uint8_t)(code >> 8), (uint8_t)code };
	put_frame(c, WS_CLOSE, p, 2);
	c->ws_closed = true;
}

static sc_stream *channel(stream_conn *c, uint32_t ch)
{
	for (size_t i = 0; i < c->n_streams; i++)
		if (c->streams[i].id == ch)
			return &c->streams[i];
	return NULL;
}

void ws_open_channels(stream_conn *c)
{
	static const enum sc_type types[] = { SC_STDIN, SC_STDOUT, SC_STDERR, SC_ERROR, SC_RESIZE };
	bool want[] = { c->flags & STREAM_F_STDIN, c->flags & STREAM_F_STDOUT,
			(c->flags & STREAM_F_STDERR) && !(c->flags & STREAM_F_TTY), true, true };
	for (uint32_t i = 0; i < 5; i++)
		if (want[i])
			c->streams[c->n_streams++] = (sc_stream){ .id = i, .type = types[i], .port = -1 };
	/* the first channel the client reads, empty: the streams are there */
	ws_send(c, want[1] ? 1 : want[2] ? 2 : 3, NULL, 0);
	for (uint32_t i = 0; i < 5 && !c->done; i++) {
		sc_stream *s = channel(c, i);
		if (s)
			c->kind->opened(c, s);
	}
}

/* a whole message of the client's */
static void message(stream_conn *c, int opcode, const uint8_t *p, size_t n)
{
	if (!n)
		return;
	uint32_t ch;
	_cleanup_free_ unsigned char *decoded = NULL;
	if (c->wire == SC_WS_BASE64) {
		if (opcode != WS_TEXT || p[0] < '0' || p[0] > '9')
			return sc_fail(c, "a base64.channel.k8s.io message is text, its channel's digit first");
		ch = (uint32_t)(p[0] - '0');
		decoded = malloc(n + 2);
		long len = decoded ? base64_decode((const char *)p + 1, n - 1, decoded, n) : -1;
		if (len < 0)
			return sc_fail(c, "a message that is not base64");
		p = decoded, n = (size_t)len;
	} else {
		ch = p[0];
		p++, n--;
		if (ch == V5_CLOSE && !strcmp(c->protocol, "v5.channel.k8s.io")) { /* the client closes a channel */
			sc_stream *s = n == 1 ? channel(c, p[0]) : NULL;
			if (s && !s->client_fin) {
				s->client_fin = true;
				c->kind->fin(c, s);
			}
			return;
		}
	}
	sc_stream *s = channel(c, ch);
	if (s && n)
		c->kind->data(c, s, p, n);
}

/* one frame of buf's n bytes: its size, 0 when more are needed, -1 bad */
static ssize_t frame(stream_conn *c, uint8_t *buf, size_t n)
{
	if (n < 2)
		return 0;
	bool fin = buf[0] & 0x80, masked = buf[1] & 0x80;
	int opcode = buf[0] & 0x0f;
	uint64_t len = buf[1] & 0x7f;
	size_t hl = 2;
	if (len == 126) {
		if (n < 4)
			return 0;
		len = (uint64_t)buf[2] << 8 | buf[3], hl = 4;
	} else if (len == 127) {
		if (n < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | buf[2 + i];
		hl = 10;
	}
	if (!masked)
		return sc_fail(c, "a client's WebSocket frame must be masked"), -1;
	if (len > SC_MAX_FRAME || c->ws_msg.len + len > SC_MAX_FRAME)
		return sc_fail(c, "a WebSocket message past its bound"), -1;
	if (n < hl + 4 + len)
		return 0;
	uint8_t *mask = buf + hl, *p = buf + hl + 4;
	for (uint64_t i = 0; i < len; i++)
		p[i] ^= mask[i & 3];
	switch (opcode) {
	case WS_PING:
		put_frame(c, WS_PONG, p, (size_t)len);
		break;
	case WS_PONG:
		break;
	case WS_CLOSE:
		ws_close(c, 1000);
		c->done = true;
		break;
	case WS_TEXT:
	case WS_BINARY:
	case WS_CONT:
		if (opcode != WS_CONT) {
			if (c->ws_msg.len)
				return sc_fail(c, "a new WebSocket message before the last one ended"), -1;
			c->ws_msg.len = 0;
			sb_add(&c->ws_msg, &(uint8_t){ (uint8_t)opcode }, 1); /* its kind, first */
		} else if (!c->ws_msg.len) {
			return sc_fail(c, "a continuation of no WebSocket message"), -1;
		}
		if (sb_add(&c->ws_msg, p, (size_t)len) < 0)
			return sc_fail(c, "out of memory"), -1;
		if (fin) {
			message(c, (uint8_t)c->ws_msg.buf[0], (const uint8_t *)c->ws_msg.buf + 1, c->ws_msg.len - 1);
			c->ws_msg.len = 0;
		}
		break;
	default:
		return sc_fail(c, "a WebSocket frame of no kind"), -1;
	}
	return (ssize_t)(hl + 4 + len);
}

void ws_parse_in(stream_conn *c)
{
	size_t off = 0;
	while (!c->done && off < c->in.len) {
		ssize_t used = frame(c, (uint8_t *)c->in.buf + off, c->in.len - off);
		if (used <= 0)
			break;
		off += (size_t)used;
	}
	memmove(c->in.buf, c->in.buf + off, c->in.len - off);
	c->in.len -= off;
}
