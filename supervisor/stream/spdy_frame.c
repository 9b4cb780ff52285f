/* SPDY/3.1's frames (spdy.h): an 8-byte head (a control frame: its bit,
 * version 3 and type; a data frame: its stream id), flags and a 24-bit
 * length, then the payload. */
#include "supervisor/stream/spdy.h"
#include "supervisor/stream/spdy_frame.h"

#include <errno.h>
#include <string.h>

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

ssize_t spdy_frame_parse(const uint8_t *buf, size_t n, size_t max, spdy_frame *f, cerr *err)
{
	if (n < SPDY_HEADER_LEN)
		return 0;
	*f = (spdy_frame){ .control = (buf[0] & 0x80) != 0, .flags = buf[4] };
	f->len = (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
	if (f->control) {
		f->version = (uint16_t)((buf[0] & 0x7f) << 8 | buf[1]);
		f->type = (uint16_t)(buf[2] << 8 | buf[3]);
		if (f->version != SPDY_VERSION)
			return cerr_set(err, EPROTO, "SPDY: a control frame of version %u, not 3", f->version), -1;
	} else {
		f->stream_id = be32(buf) & 0x7fffffff;
	}
	if (f->len > max)
		return cerr_set(err, EMSGSIZE, "SPDY: a %s frame of %u bytes, past the %zu taken", f->control ? "control" : "data",
				f->len, max),
		       -1;
	if (n - SPDY_HEADER_LEN < f->len)
		return 0;
	f->payload = buf + SPDY_HEADER_LEN;
	return (ssize_t)(SPDY_HEADER_LEN + f->len);
}

static int put_head(strbuf *out, const uint8_t head[4], uint8_t flags, size_t n)
{
	if (n > 0xffffff)
		return -1;
	uint8_t h[SPDY_HEADER_LEN];
	memcpy(h, head, 4);
	h[4] = flags, h[5] = (uint8_t)(n >> 16), h[6] = (uint8_t)(n >> 8), h[7] = (uint8_t)n;
	return sb_add(out, h, sizeof(h));
}

int spdy_put_data(strbuf *out, uint32_t stream_id, uint8_t flags, const void *p, size_t n)
{
	uint8_t head[4];
	put32(head, stream_id & 0x7fffffff);
	return put_head(out, head, flags, n) < 0 || (n && sb_add(out, p, n) < 0) ? -1 : 0;
}

int spdy_put_control(strbuf *out, uint16_t type, uint8_t flags, const void *p, size_t n)
{
	uint8_t head[4] = { 0x80, SPDY_VERSION, (uint8_t)(type >> 8), (uint8_t)type };
	return put_head(out, head, flags, n) < 0 || (n && sb_add(out, p, n) < 0) ? -1 : 0;
}

static int put_words(strbuf *out, uint16_t type, const uint32_t *w, size_t n)
{
	uint8_t p[12];
	for (size_t i = 0; i < n; i++)
		put32(p + 4 * i, w[i]);
	return spdy_put_control(out, type, 0, p, 4 * n);
}

int spdy_put_rst(strbuf *out, uint32_t stream_id, enum spdy_rst status)
{
	return put_words(out, SPDY_RST_STREAM, (uint32_t[]){ stream_id & 0x7fffffff, status }, 2);
}

int spdy_put_ping(strbuf *out, uint32_t id) { return put_words(out, SPDY_PING, &id, 1); }

int spdy_put_goaway(strbuf *out, uint32_t last_stream_id, uint32_t status)
{
	return put_words(out, SPDY_GOAWAY, (uint32_t[]){ last_stream_id & 0x7fffffff, status }, 2);
}

int spdy_put_window_update(strbuf *out, uint32_t stream_id, uint32_t delta)
{
	return put_words(out, SPDY_WINDOW_UPDATE, (uint32_t[]){ stream_id & 0x7fffffff, delta & 0x7fffffff }, 2);
}

int spdy_put_settings(strbuf *out, uint32_t id, uint32_t value)
{
	/* one entry: its count, then flags (0) and a 24-bit id, the value */
	return put_words(out, SPDY_SETTINGS, (uint32_t[]){ 1, id & 0xffffff, value }, 3);
}
