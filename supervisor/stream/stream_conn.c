/* The streaming connection's SPDY side and its loop (stream_conn.h).
 * a pair with ws.c: the connection's other wire, which ends it here */
#include "supervisor/stream/stream_conn.h"
#include "supervisor/stream/ws.h"
#include "supervisor/stream/spdy_headers.h"
#include "supervisor/stream/spdy_frame.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

void sc_fail(stream_conn *c, const char *why)
{
	if (c->done)
		return;
	if (c->wire == SC_SPDY)
		spdy_put_goaway(&c->out.buf, c->last_id, 1 /* PROTOCOL_ERROR */);
	else
		ws_close(c, 1002 /* protocol error */);
	c->why = why;
	c->done = true;
}

sc_stream *sc_find(stream_conn *c, enum sc_type type)
{
	for (size_t i = 0; i < c->n_streams; i++)
		if (c->streams[i].type == type)
			return &c->streams[i];
	return NULL;
}

static sc_stream *by_id(stream_conn *c, uint32_t id)
{
	for (size_t i = 0; i < c->n_streams; i++)
		if (c->streams[i].id == id)
			return &c->streams[i];
	return NULL;
}

void sc_forget(stream_conn *c, sc_stream *s)
{
	size_t i = (size_t)(s - c->streams);
	if (i >= c->n_streams)
		return;
	c->streams[i] = c->streams[--c->n_streams];
}

int sc_send(stream_conn *c, sc_stream *s, const void *p, size_t n, bool fin)
{
	if (s->our_fin)
		return 0;
	const uint8_t *b = p ? p : (const uint8_t *)""; /* NULL + 0 is undefined */
	do { /* frames of at most 64 KiB, as clients read them */
		size_t chunk = n > 65536 ? 65536 : n;
		bool last = chunk == n;
		if (c->wire != SC_SPDY ? chunk && ws_send(c, s->id, b, chunk) < 0 /* a channel has no end of its own */
				       : spdy_put_data(&c->out.buf, s->id, last && fin ? SPDY_FLAG_FIN : 0, b, chunk) < 0)
			return -1;
		b += chunk, n -= chunk;
	} while (n);
	s->our_fin = fin;
	return 0;
}

void sc_reset(stream_conn *c, sc_stream *s, enum spdy_rst status)
{
	if (c->wire == SC_SPDY)
		spdy_put_rst(&c->out.buf, s->id, status);
	sc_forget(c, s);
}

/* a new stream of the client's: its headers say what it is */
static void syn_stream(stream_conn *c, const spdy_frame *f)
{
	if (f->len < 10)
		return sc_fail(c, "a SYN_STREAM shorter than its head");
	uint32_t id = be32(f->payload) & 0x7fffffff;
	_cleanup_(spdy_headers_release) spdy_headers hs = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	/* inflated whatever comes of the stream: the zlib stream goes on */
	if (spdy_headers_decode(&c->z, f->payload + 10, f->len - 10, SC_MAX_HEADERS, SC_MAX_PAIRS, &hs, &err) < 0) {
		log_warn("%s", cerr_msg(&err));
		return sc_fail(c, "a header block that does not inflate, or inflates past its bound");
	}
	if (!(id & 1) || id <= c->last_id)
		return sc_fail(c, "a client's stream id must be odd and grow");
	c->last_id = id;
	if (c->n_streams == SC_MAX_STREAMS || c->done) {
		spdy_put_rst(&c->out.buf, id, SPDY_REFUSED_STREAM);
		return;
	}
	sc_stream *s = &c->streams[c->n_streams++];
	*s = (sc_stream){ .id = id, .type = SC_OTHER, .port = -1, .client_fin = (f->flags & SPDY_FLAG_FIN) != 0 };
	static const struct { const char *name; enum sc_type type; } types[] = {
		{ "error", SC_ERROR }, { "stdin", SC_STDIN }, { "stdout", SC_STDOUT },
		{ "stderr", SC_STDERR }, { "resize", SC_RESIZE }, { "data", SC_DATA } };
	const char *t = spdy_header_get(&hs, "streamtype");
	for (size_t i = 0; t && i < sizeof(types) / sizeof(*types); i++)
		if (!strcmp(t, types[i].name))
			s->type = types[i].type;
	const char *port = spdy_header_get(&hs, "port"), *rid = spdy_header_get(&hs, "requestid");
	if (port) {
		char *end;
		long v = strtol(port, &end, 10);
		s->port = *port && !*end && v > 0 && v < 65536 ? v : 0;
	}
	if (rid)
		snprintf(s->request_id, sizeof(s->request_id), "%s", rid);
	/* a reply with no headers: the stream is taken */
	uint8_t head[4] = { (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
	_cleanup_strbuf_ strbuf block = STRBUF_INIT;
	if (sb_add(&block, head, 4) < 0 || spdy_headers_encode(&c->z, NULL, 0, &block) < 0 ||
	    spdy_put_control(&c->out.buf, SPDY_SYN_REPLY, 0, block.buf, block.len) < 0)
		return sc_fail(c, "out of memory");
	if (s->type == SC_OTHER) {
		sc_reset(c, s, SPDY_PROTOCOL_ERROR); /* a stream of no kind this server serves */
		return;
	}
	bool fin = s->client_fin;
	c->kind->opened(c, s);
	if (fin && (s = by_id(c, id)))
		c->kind->fin(c, s);
}

static void control(stream_conn *c, const spdy_frame *f)
{
	switch (f->type) {
	case SPDY_SYN_STREAM:
		return syn_stream(c, f);
	case SPDY_RST_STREAM: {
		sc_stream *s = f->len >= 8 ? by_id(c, be32(f->payload) & 0x7fffffff) : NULL;
		if (s) {
			c->kind->reset(c, s);
			if ((s = by_id(c, be32(f->payload) & 0x7fffffff)))
				sc_forget(c, s);
		}
		return;
	}
	case SPDY_PING:
		if (f->len == 4)
			spdy_put_ping(&c->out.buf, be32(f->payload));
		return;
	case SPDY_GOAWAY:
		c->done = true;
		return;
	case SPDY_HEADERS:
		if (f->len >= 4) { /* read to keep the zlib stream whole; nothing in them is used */
			_cleanup_(spdy_headers_release) spdy_headers hs = { 0 };
			_cleanup_cerr_ cerr err = { 0 };
			if (spdy_headers_decode(&c->z, f->payload + 4, f->len - 4, SC_MAX_HEADERS, SC_MAX_PAIRS, &hs, &err) < 0)
				sc_fail(c, "a header block that does not inflate, or inflates past its bound");
		}
		return;
	default: /* SETTINGS, WINDOW_UPDATE, SYN_REPLY: nothing to do */
		return;
	}
}

static void data(stream_conn *c, const spdy_frame *f)
{
	sc_stream *s = by_id(c, f->stream_id);
	if (!s) { /* a stream that is gone: its bytes are dropped */
		if (f->stream_id > c->last_id)
			spdy_put_rst(&c->out.buf, f->stream_id, SPDY_INVALID_STREAM);
		return;
	}
	if (s->client_fin)
		return sc_reset(c, s, SPDY_STREAM_ALREADY_CLOSED);
	if (f->len)
		c->kind->data(c, s, f->payload, f->len);
	if ((f->flags & SPDY_FLAG_FIN) && (s = by_id(c, f->stream_id))) {
		s->client_fin = true;
		c->kind->fin(c, s);
	}
}

static void parse_in(stream_conn *c);

/* What the client sent, as frames: the bytes read, 0 at its end, -1 when
 * there is nothing now */
static ssize_t read_client(stream_conn *c)
{
	if (sb_grow(&c->in, 65536) < 0)
		return sc_fail(c, "out of memory"), 0;
	ssize_t n = recv(c->client, c->in.buf + c->in.len, c->in.cap - c->in.len - 1, 0);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		c->done = true;
		c->why = n == 0 ? NULL : "the client's connection broke";
		outq_release(&c->out); /* nobody to read it */
		return 0;
	}
	if (n < 0)
		return -1;
	c->in.len += (size_t)n;
	c->last_traffic_usec = mono_usec();
	parse_in(c);
	return n;
}

/* The client went (a send to it failed, or its connection closed while it
 * was not read): what it sent before it went is read to its end, past any
 * hold (the kernel's buffer bounds it), so that its last input still
 * reaches the kind; nothing more is sent to it. */
static void read_rest(stream_conn *c, const char *why)
{
	outq_release(&c->out);
	while (!c->done && read_client(c) > 0)
		outq_release(&c->out); /* a PING's answer, say */
	c->why = why;
	c->done = true;
}

/* the frames among what the client sent */
static void parse_in(stream_conn *c)
{
	if (!c->in.len)
		return;
	if (c->wire != SC_SPDY)
		return ws_parse_in(c);
	size_t off = 0;
	while (!c->done) {
		spdy_frame f;
		_cleanup_cerr_ cerr err = { 0 };
		ssize_t used = spdy_frame_parse((const uint8_t *)c->in.buf + off, c->in.len - off, SC_MAX_FRAME, &f, &err);
		if (used < 0) {
			log_warn("%s", cerr_msg(&err));
			sc_fail(c, "a frame that is not SPDY/3.1, or past its bound");
			break;
		}
		if (used == 0)
			break;
		off += (size_t)used;
		if (f.control)
			control(c, &f);
		else
			data(c, &f);
	}
	memmove(c->in.buf, c->in.buf + off, c->in.len - off);
	c->in.len -= off;
}

int sc_run(stream_conn *c)
{
	c->last_traffic_usec = mono_usec();
	if (c->wire != SC_SPDY)
		ws_open_channels(c);
	parse_in(c); /* what came with the head */
	uint64_t next_tick = c->last_traffic_usec + 1000000, done_usec = 0; /* done, or the client's last read since */
	size_t queued = 0;
	for (;;) {
		if (c->done && c->wire != SC_SPDY)
			ws_close(c, 1000);
		if (c->done && (outq_len(&c->out) == 0 || c->client < 0))
			break;
		struct pollfd p[SC_MAX_FDS];
		size_t n = 1, kind_at = 1;
		if (!c->done)
			n += c->kind->fds(c, p + n, SC_MAX_FDS - n); /* sets hold_in */
		bool read = !c->done && !c->hold_in && outq_len(&c->out) < SC_HIGH_WATER;
		p[0] = (struct pollfd){ .fd = c->client,
					.events = (short)((read ? POLLIN : 0) | (outq_len(&c->out) ? POLLOUT : 0)) };
		uint64_t now = mono_usec();
		int wait = next_tick > now ? (int)((next_tick - now) / 1000) + 1 : 0;
		int r = poll(p, n, wait);
		if (r < 0 && errno != EINTR)
			return -1;
		const char *broke = c->done ? c->why : "the client's connection broke";
		if ((p[0].revents & (POLLOUT | POLLERR | POLLHUP)) && outq_flush(&c->out, c->client) < 0) {
			read_rest(c, broke);
			break;
		}
		if (p[0].revents & POLLIN) {
			read_client(c);
		} else if (p[0].revents & (POLLERR | POLLHUP)) { /* not read: held, or done */
			read_rest(c, broke);
			break;
		}
		if (!c->done && n > kind_at)
			c->kind->ready(c, p + kind_at, n - kind_at);
		/* read after the work: a time it stamped (a read, a stream
		 * opened) is never later than now, or "idle" underflows */
		now = mono_usec();
		if (c->done && (!done_usec || outq_len(&c->out) < queued))
			done_usec = now;
		queued = outq_len(&c->out);
		if (done_usec && now - done_usec > SC_FLUSH_USEC) {
			log_warn("stream: the client read nothing of the last %zu bytes in %llu s: they are dropped",
				 outq_len(&c->out), SC_FLUSH_USEC / 1000000);
			break;
		}
		if (now >= next_tick) {
			next_tick = now + 1000000;
			if (c->idle_usec && now - c->last_traffic_usec > c->idle_usec && !c->done) {
				c->why = "idle past stream-idle-timeout";
				if (c->wire == SC_SPDY)
					spdy_put_goaway(&c->out.buf, c->last_id, 0);
				c->done = true;
			}
			if (!c->done)
				c->kind->tick(c, now);
		}
	}
	return 0;
}

int sc_ask(stream_conn *c, const void *msg, size_t n, char *reply, size_t reply_len, int *fd)
{
	*fd = -1;
	reply[0] = '\0';
	if (send(c->asks, msg, n, MSG_NOSIGNAL) != (ssize_t)n)
		return -1;
	struct pollfd p = { .fd = c->asks, .events = POLLIN };
	if (poll(&p, 1, SC_ASK_TIMEOUT_MS) != 1)
		return -1;
	char buf[256];
	int fds[1] = { -1 };
	size_t nfd = 0;
	ssize_t got = fd_recv(c->asks, buf, sizeof(buf) - 1, fds, 1, &nfd, NULL, 0);
	if (got < 1)
		return -1;
	buf[got] = '\0';
	snprintf(reply, reply_len, "%s", buf + 1);
	if (buf[0] == 'K') {
		*fd = nfd ? fds[0] : -1;
		return 1;
	}
	if (nfd)
		close(fds[0]);
	return 0;
}
