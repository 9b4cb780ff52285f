/* exec and attach (remotecommand's protocols, v1 to v4): the client's
 * streams on one side, corrald's Exec or Attach on the other as Streams
 * frames (varlink/streams.h). It starts once every stream the request
 * expects is open: error, and stdin, stdout, stderr (not with a terminal)
 * and resize (a terminal, v3 and v4) as asked. The end: the exit code on
 * the error stream (v4: a Status; before: the error's text), then every
 * stream ended. */
#include "supervisor/stream/serve.h"
#include "supervisor/stream/exec_bridge.h"
#include "supervisor/api/stream_asks.h"
#include "supervisor/varlink/streams.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#define START_TIMEOUT_USEC (30 * 1000000ull) /* for the streams to open, as kubelet's */
#define RESIZE_MAX 4096                      /* a resize message */
#define REPLY_MAX 65536                      /* corrald's reply before the frames */
#define LAST_INPUT_TIMEOUT_MS 10000          /* for the container to take it, once the client went */

typedef struct bridge {
	int ctr;               /* the Streams connection, once started */
	bool replied;          /* its varlink reply is read */
	strbuf reply;
	stream_reader rd;
	outq to_ctr;           /* frames for it; kept till it starts */
	strbuf resize;         /* the resize stream's JSON, not yet whole */
	uint64_t deadline_usec;
	bool exec;
} bridge;

static bool want(stream_conn *c, enum sc_type t)
{
	bool tty = c->flags & STREAM_F_TTY;
	switch (t) {
	case SC_STDIN: return c->flags & STREAM_F_STDIN;
	case SC_STDOUT: return c->flags & STREAM_F_STDOUT;
	case SC_STDERR: return (c->flags & STREAM_F_STDERR) && !tty;
	case SC_RESIZE: /* a WebSocket's resize channel is always there */
		return c->wire != SC_SPDY ||
		       (tty && (!strcmp(c->protocol, "v4.channel.k8s.io") || !strcmp(c->protocol, "v3.channel.k8s.io")));
	case SC_ERROR: return true;
	default: return false;
	}
}

/* every stream of every end, ended; then the connection */
static void finish(stream_conn *c)
{
	for (size_t i = 0; i < c->n_streams; i++)
		sc_send(c, &c->streams[i], NULL, 0, true);
	c->done = true;
}

/* the error stream's last word: v4's Status, the older ones' text */
static void end_with(stream_conn *c, int code, const char *message)
{
	sc_stream *e = sc_find(c, SC_ERROR);
	bool v4 = !strcmp(c->protocol, "v4.channel.k8s.io") || !strcmp(c->protocol, "v5.channel.k8s.io") ||
		  !strcmp(c->protocol, "v4.base64.channel.k8s.io");
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (!message && code == 0) {
		if (v4)
			sb_adds(&sb, "{\"metadata\":{},\"status\":\"Success\"}");
	} else if (!message) {
		char text[128];
		snprintf(text, sizeof(text), "command terminated with non-zero exit code: exit code %d", code);
		if (v4)
			sb_addf(&sb,
				"{\"metadata\":{},\"status\":\"Failure\",\"message\":\"%s\",\"reason\":\"NonZeroExitCode\","
				"\"details\":{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"%d\"}]}}",
				text, code);
		else
			sb_adds(&sb, text);
	} else if (v4) {
		_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
		_cleanup_free_ char *m = NULL;
		if (g && !yajl_gen_map_open(g) && !jg_key(g, "metadata") && !yajl_gen_map_open(g) && !yajl_gen_map_close(g) &&
		    !jg_key_str(g, "status", "Failure") && !jg_key_str(g, "message", message) &&
		    !jg_key_str(g, "reason", "InternalError") && !jg_key_int(g, "code", 500) && !yajl_gen_map_close(g))
			m = jg_finish(g, NULL);
		sb_adds(&sb, m ? m : "{\"metadata\":{},\"status\":\"Failure\"}");
	} else {
		sb_adds(&sb, message);
	}
	if (e)
		sc_send(c, e, sb.buf ? sb.buf : "", sb.len, true);
	finish(c);
}

static void start(stream_conn *c, bridge *b)
{
	char why[256];
	char ask = STREAM_ASK_START;
	int r = sc_ask(c, &ask, 1, why, sizeof(why), &b->ctr);
	if (r <= 0)
		return end_with(c, 1, r == 0 ? why : "corrald did not answer");
	fcntl(b->ctr, F_SETFL, fcntl(b->ctr, F_GETFL) | O_NONBLOCK);
}

static void opened(stream_conn *c, sc_stream *s)
{
	bridge *b = c->kind_data;
	if (!want(c, s->type) || sc_find(c, s->type) != s) /* not asked for, or a second of a kind */
		return sc_reset(c, s, SPDY_PROTOCOL_ERROR);
	for (enum sc_type t = SC_ERROR; t <= SC_RESIZE; t++)
		if (want(c, t) && !sc_find(c, t))
			return;
	if (b->ctr < 0)
		start(c, b);
}

static void data(stream_conn *c, sc_stream *s, const uint8_t *p, size_t n)
{
	bridge *b = c->kind_data;
	if (s->type == SC_STDIN) {
		while (n) {
			size_t chunk = n > STREAM_MAX_PAYLOAD ? STREAM_MAX_PAYLOAD : n;
			if (stream_put(&b->to_ctr.buf, STREAM_STDIN, p, chunk) < 0)
				return sc_fail(c, "out of memory");
			p += chunk, n -= chunk;
		}
		return;
	}
	if (s->type != SC_RESIZE)
		return; /* the client's bytes on an output stream: nothing to do with them */
	/* {"Width":W,"Height":H}, one after another */
	if (b->resize.len + n > RESIZE_MAX)
		return sc_reset(c, s, SPDY_FRAME_TOO_LARGE);
	sb_add(&b->resize, p, n);
	char *end;
	while ((end = memchr(b->resize.buf, '}', b->resize.len))) {
		size_t len = (size_t)(end - b->resize.buf) + 1;
		char text[RESIZE_MAX + 1];
		memcpy(text, b->resize.buf, len), text[len] = '\0';
		memmove(b->resize.buf, b->resize.buf + len, b->resize.len - len);
		b->resize.len -= len;
		_cleanup_json_ yajl_val v = yajl_tree_parse(text, NULL, 0);
		long long w, h;
		if (json_int_in(json_get(v, "Width"), 1, 65535, &w) && json_int_in(json_get(v, "Height"), 1, 65535, &h))
			stream_put_resize(&b->to_ctr.buf, (unsigned)h, (unsigned)w);
	}
}

static void fin(stream_conn *c, sc_stream *s)
{
	bridge *b = c->kind_data;
	if (s->type == SC_STDIN)
		stream_put(&b->to_ctr.buf, STREAM_CLOSE_STDIN, NULL, 0);
}

static void reset(stream_conn *c, sc_stream *s)
{
	if (s->type == SC_ERROR) /* the client gave up */
		c->done = true;
}

static size_t fds(stream_conn *c, struct pollfd *p, size_t max)
{
	bridge *b = c->kind_data;
	/* the container does not read its stdin (or has not started): the
	 * client waits, as with kubelet's server, and no more of it is kept */
	c->hold_in = outq_len(&b->to_ctr) >= SC_HIGH_WATER;
	if (b->ctr < 0 || max < 1)
		return 0;
	bool room = outq_len(&c->out) < SC_HIGH_WATER;
	p[0] = (struct pollfd){ .fd = b->ctr, .events = (short)((room ? POLLIN : 0) | (outq_len(&b->to_ctr) ? POLLOUT : 0)) };
	return 1;
}

/* corrald's answer to the call: {} and Streams after, or its error */
static int read_reply(stream_conn *c, bridge *b, const char *p, size_t n, size_t *used)
{
	const char *nul = memchr(p, '\0', n);
	size_t take = nul ? (size_t)(nul - p) : n;
	if (b->reply.len + take > REPLY_MAX)
		return end_with(c, 1, "corrald's answer is past its bound"), -1;
	sb_add(&b->reply, p, take);
	*used = nul ? take + 1 : take;
	if (!nul)
		return 0;
	b->replied = true;
	_cleanup_json_ yajl_val v = yajl_tree_parse(b->reply.buf, NULL, 0);
	const char *error = YAJL_GET_STRING(json_get(v, "error"));
	if (!error)
		return 0;
	const char *reason = YAJL_GET_STRING(json_get(json_get(v, "parameters"), "reason"));
	char why[512];
	snprintf(why, sizeof(why), "%s%s%s", strrchr(error, '.') ? strrchr(error, '.') + 1 : error, reason ? ": " : "",
		 reason ? reason : "");
	end_with(c, 1, why);
	return -1;
}

static void frame(stream_conn *c, bridge *b, const stream_frame *f)
{
	sc_stream *s;
	switch (f->kind) {
	case STREAM_STDOUT:
	case STREAM_STDERR:
		s = sc_find(c, f->kind == STREAM_STDOUT || (c->flags & STREAM_F_TTY) ? SC_STDOUT : SC_STDERR);
		if (s)
			sc_send(c, s, f->data, f->len, false);
		return;
	case STREAM_EXIT:
		/* attach ends well whatever the container's code, as kubelet's */
		return end_with(c, b->exec ? (int)stream_frame_u32(f) : 0, NULL);
	default:
		return;
	}
}

static void ready(stream_conn *c, const struct pollfd *p, size_t n)
{
	bridge *b = c->kind_data;
	if (!n || b->ctr < 0)
		return;
	if ((p[0].revents & POLLOUT) && outq_flush(&b->to_ctr, b->ctr) < 0)
		return end_with(c, 1, "the container's stream broke");
	if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	char *buf;
	size_t room;
	if (stream_reader_reserve(&b->rd, 65536, &buf, &room) < 0)
		return sc_fail(c, "out of memory");
	ssize_t got = recv(b->ctr, buf, room, 0);
	if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
		return end_with(c, b->exec ? 1 : 0, b->exec ? "the command's stream ended with no exit code" : NULL);
	if (got < 0)
		return;
	size_t off = 0;
	if (!b->replied) {
		size_t used;
		if (read_reply(c, b, buf, (size_t)got, &used) < 0)
			return;
		off = used;
		memmove(buf, buf + off, (size_t)got - off);
	}
	stream_reader_commit(&b->rd, (size_t)got - off);
	stream_frame f;
	int r = 0;
	while (!c->done && (r = stream_reader_next(&b->rd, &f)) > 0)
		frame(c, b, &f);
	if (!c->done && r < 0)
		end_with(c, 1, "the container's stream carried what it should not");
}

static void tick(stream_conn *c, uint64_t now)
{
	bridge *b = c->kind_data;
	if (b->ctr < 0 && now > b->deadline_usec) {
		c->why = "the client did not open its streams in 30 s";
		finish(c);
	}
}

static const sc_kind bridge_kind = { opened, data, fin, reset, fds, ready, tick };

int serve_exec(stream_conn *c, bool exec)
{
	bridge b = { .ctr = -1, .exec = exec };
	stream_reader_init(&b.rd, STREAM_AT_CLIENT);
	b.deadline_usec = mono_usec() + START_TIMEOUT_USEC;
	c->kind = &bridge_kind;
	c->kind_data = &b;
	int r = sc_run(c);
	/* what the client said last still reaches the container, if it takes
	 * it in time */
	if (b.ctr >= 0) {
		if (outq_flush_within(&b.to_ctr, b.ctr, LAST_INPUT_TIMEOUT_MS) == -ETIMEDOUT)
			log_info("the container did not take the client's last input in %d s", LAST_INPUT_TIMEOUT_MS / 1000);
		close(b.ctr);
	}
	stream_reader_release(&b.rd);
	outq_release(&b.to_ctr);
	sb_release(&b.reply);
	sb_release(&b.resize);
	return r;
}
