#include "supervisor/monitor/exec_client.h"
#include "supervisor/varlink/call.h"
#include "supervisor/monitor/monitor.h"
#include "supervisor/monitor/stdin_queue.h"
#include "supervisor/monitor/stream_peer.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/json.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Output waiting for the client past this pauses the command's output; it
 * resumes once the client has read it (down to PACE_LOW for replies). */
#define PACE_HIGH (256u << 10)
#define PACE_LOW (64u << 10)
#define PACE_POLL_USEC 10000
#define READ_CHUNK 65536

enum { SRC_STDOUT, SRC_STDERR, SRC_PTY, N_SRC };

struct exec_client {
	el_loop *loop;
	exec_client_opts o;
	stream_peer *peer;
	int fd[N_SRC];
	el_source *src[N_SRC];
	int console;
	el_source *console_src;
	stdin_queue in;
	strbuf kept[2];          /* EXEC_REPLY: stdout, stderr */
	bool truncated;
	char carry[2][4];        /* EXEC_MORE: a UTF-8 sequence cut at a chunk's end */
	size_t n_carry[2];
	el_source *pace, *drain, *ending;
	bool paused, exited, timed_out, answered, gone, ended;
	int code;
	unsigned rows, cols;
};

static void end_soon(exec_client *c);

static bool streaming(const exec_client *c) { return c->o.mode == EXEC_STREAMS; }

static void close_src(exec_client *c, int i)
{
	el_remove(c->src[i]);
	c->src[i] = NULL;
	if (c->fd[i] >= 0)
		close(c->fd[i]);
	c->fd[i] = -1;
}

static bool output_open(const exec_client *c)
{
	for (int i = 0; i < N_SRC; i++)
		if (c->fd[i] >= 0)
			return true;
	return c->console >= 0;
}

static void set_paused(exec_client *c, bool paused)
{
	c->paused = paused;
	for (int i = 0; i < N_SRC; i++)
		if (c->src[i])
			el_io_set_events(c->src[i], paused ? 0 : EPOLLIN);
	if (!paused && c->pace)
		el_timer_set(c->pace, 0, false);
}

/* The length of an unfinished UTF-8 sequence at the end of buf: it waits
 * for the next chunk rather than become two U+FFFD. */
static size_t utf8_tail(const char *buf, size_t n)
{
	for (size_t k = 1; k <= 3 && k <= n; k++) {
		unsigned char b = (unsigned char)buf[n - k];
		if ((b & 0xc0) == 0x80)
			continue; /* a continuation byte: look further back */
		size_t need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		return need > k ? k : 0;
	}
	return 0;
}

static void notify_chunk(exec_client *c, int stream, const char *buf, size_t n)
{
	_cleanup_free_ char *joined = malloc(c->n_carry[stream] + n);
	if (!joined)
		return;
	memcpy(joined, c->carry[stream], c->n_carry[stream]);
	memcpy(joined + c->n_carry[stream], buf, n);
	n += c->n_carry[stream];
	size_t tail = c->exited ? 0 : utf8_tail(joined, n);
	memcpy(c->carry[stream], joined + n - tail, tail);
	c->n_carry[stream] = tail;
	if (n == tail)
		return;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return;
	yajl_gen_map_open(g);
	jg_key(g, stream ? "stderr" : "stdout");
	jg_text(g, joined, n - tail);
	yajl_gen_map_close(g);
	_cleanup_free_ char *json = jg_finish(g, NULL);
	if (json)
		vl_call_notify(c->o.call, json);
}

static void on_pace(el_source *s, void *data)
{
	exec_client *c = data;
	if (!c->o.call || vl_call_out_pending(c->o.call) < PACE_LOW)
		set_paused(c, false);
}

/* n bytes the command wrote on stream (0 stdout, 1 stderr), to the client. */
static void emit(exec_client *c, int stream, const char *buf, size_t n)
{
	_cleanup_strbuf_ strbuf shown = STRBUF_INIT;
	int r = crilog_mask_redact(c->o.mask, buf, n, &shown);
	if (r < 0)
		return;
	if (r) {
		buf = shown.buf;
		n = shown.len;
	}
	switch (c->o.mode) {
	case EXEC_REPLY: {
		size_t max = c->o.output_max && c->o.output_max < EXEC_MAX_OUTPUT ? c->o.output_max : EXEC_MAX_OUTPUT;
		size_t room = max > c->kept[stream].len ? max - c->kept[stream].len : 0;
		if (n > room)
			c->truncated = true;
		sb_add(&c->kept[stream], buf, n < room ? n : room);
		break;
	}
	case EXEC_MORE:
		notify_chunk(c, stream, buf, n);
		if (c->o.call && vl_call_out_pending(c->o.call) > PACE_HIGH) {
			set_paused(c, true);
			el_timer_set(c->pace, PACE_POLL_USEC, true);
		}
		break;
	case EXEC_STREAMS:
		stream_peer_send(c->peer, stream ? STREAM_STDERR : STREAM_STDOUT, buf, n);
		if (stream_peer_queued(c->peer) > PACE_HIGH)
			set_paused(c, true);
		break;
	case EXEC_DETACH: break;
	}
}

static void answer(exec_client *c)
{
	if (c->answered || c->gone)
		return;
	c->answered = true;
	el_remove(c->drain);
	c->drain = NULL;
	if (streaming(c)) {
		stream_peer_finish(c->peer, c->code); /* ends when the peer has gone */
		return;
	}
	vl_call *call = TAKE_PTR(c->o.call);
	vl_call_set_cancel(call, NULL, NULL);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g) {
		sv_internal(call, "out of memory");
		return end_soon(c);
	}
	for (int i = 0; i < 2 && c->o.mode == EXEC_MORE; i++)
		if (c->n_carry[i])
			notify_chunk(c, i, "", 0);
	yajl_gen_map_open(g);
	jg_key_int(g, "exitCode", c->code);
	for (int i = 0; i < 2 && c->o.mode == EXEC_REPLY; i++) {
		jg_key(g, i ? "stderr" : "stdout");
		jg_text(g, c->kept[i].buf ? c->kept[i].buf : "", c->kept[i].len);
	}
	jg_key_bool(g, "truncated", c->truncated);
	jg_key_bool(g, "timedOut", c->timed_out);
	yajl_gen_map_close(g);
	vl_call_reply_gen(call, g);
	end_soon(c);
}

static void maybe_answer(exec_client *c)
{
	if (c->exited && !output_open(c))
		answer(c);
}

static void on_output(el_source *s, int fd, uint32_t events, void *data)
{
	exec_client *c = data;
	int i = fd == c->fd[SRC_STDOUT] ? SRC_STDOUT : fd == c->fd[SRC_STDERR] ? SRC_STDERR : SRC_PTY;
	char buf[READ_CHUNK];
	ssize_t n = read(fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* EOF, or EIO from a pty nobody holds any more */
		close_src(c, i);
		return maybe_answer(c);
	}
	emit(c, i == SRC_STDERR, buf, (size_t)n);
}

static void apply_size(exec_client *c)
{
	struct winsize ws = { .ws_row = (unsigned short)c->rows, .ws_col = (unsigned short)c->cols };
	if (c->fd[SRC_PTY] >= 0 && c->rows && c->cols)
		ioctl(c->fd[SRC_PTY], TIOCSWINSZ, &ws);
}

bool exec_client_resize(exec_client *c, unsigned rows, unsigned cols)
{
	if (!c->o.tty)
		return false;
	c->rows = rows;
	c->cols = cols;
	apply_size(c);
	return true;
}

static void resume_input(void *data)
{
	exec_client *c = data;
	if (c->peer)
		stream_peer_pause_input(c->peer, false);
}

/* The runner sends the process's pty master once it has made it. */
static void on_console(el_source *s, int fd, uint32_t events, void *data)
{
	exec_client *c = data;
	char name[64];
	size_t got;
	ssize_t n = fd_recv(fd, name, sizeof(name), &c->fd[SRC_PTY], 1, &got, NULL, MSG_DONTWAIT);
	if (n == -EINTR || n == -EAGAIN)
		return;
	el_remove(c->console_src);
	c->console_src = NULL;
	close(c->console);
	c->console = -1;
	if (n <= 0 || !got)
		return maybe_answer(c); /* the runner failed first: its stderr says why */
	fcntl(c->fd[SRC_PTY], F_SETFL, fcntl(c->fd[SRC_PTY], F_GETFL) | O_NONBLOCK);
	apply_size(c);
	cerr err = { 0 };
	if (el_add_io(c->loop, c->fd[SRC_PTY], c->paused ? 0 : EPOLLIN, on_output, c, &c->src[SRC_PTY], &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "exec: pty");
		close_src(c, SRC_PTY);
		return maybe_answer(c);
	}
	if (c->o.interactive &&
	    stdin_queue_init(&c->in, c->loop, fcntl(c->fd[SRC_PTY], F_DUPFD_CLOEXEC, 3), true, resume_input, c, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "exec: pty input");
	resume_input(c); /* what was typed before the terminal existed */
}

static void on_frame(stream_peer *p, const stream_frame *f, void *data)
{
	exec_client *c = data;
	switch (f->kind) {
	case STREAM_STDIN:
		if (c->o.interactive && !stdin_queue_add(&c->in, f->data, f->len))
			stream_peer_pause_input(p, true);
		break;
	case STREAM_CLOSE_STDIN:
		if (c->o.interactive)
			stdin_queue_end(&c->in);
		break;
	case STREAM_RESIZE:
		stream_frame_size(f, &c->rows, &c->cols);
		apply_size(c);
		break;
	case STREAM_SIGNAL:
		c->o.ops->signal(c->o.session, (int)stream_frame_u32(f));
		break;
	default: break;
	}
}

static void on_drained(stream_peer *p, void *data)
{
	exec_client *c = data;
	if (c->paused)
		set_paused(c, false);
}

/* The client hung up (or detached, or sent garbage). */
static void client_gone(exec_client *c)
{
	bool before = !c->answered;
	c->gone = true;
	c->peer = NULL;
	c->o.call = NULL;
	if (before) {
		for (int i = 0; i < N_SRC; i++)
			close_src(c, i); /* nobody reads it: let the command see EPIPE */
		stdin_queue_close(&c->in);
		c->o.ops->hung_up(c->o.session);
	}
	if (!before || c->exited)
		end_soon(c);
}

static void on_peer_gone(stream_peer *p, void *data) { client_gone(data); }
static void on_call_cancel(vl_call *call, void *data) { client_gone(data); }

static const stream_peer_ops peer_ops = { .frame = on_frame, .drained = on_drained, .gone = on_peer_gone };

static void on_ending(el_source *s, void *data)
{
	exec_client *c = data;
	c->ending = NULL;
	el_remove(s);
	c->o.ops->done(c->o.session); /* which may free us */
}

/* done runs from the loop, never under a caller's feet. */
static void end_soon(exec_client *c)
{
	if (c->ended)
		return;
	c->ended = true;
	cerr err = { 0 };
	if (el_add_timer(c->loop, 1, false, on_ending, c, &c->ending, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "exec");
		c->o.ops->done(c->o.session);
	}
}

int exec_client_new(el_loop *l, const exec_client_opts *o, exec_client **out, cerr *err)
{
	_cleanup_close_ int fd = o->fd;
	exec_client *c = calloc(1, sizeof(*c));
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	*c = (exec_client){ .loop = l, .o = *o, .fd = { -1, -1, -1 }, .console = -1, .in.fd = -1 };
	c->o.fd = -1;
	int r = el_add_timer(l, 0, false, on_pace, c, &c->pace, err);
	if (r == 0 && o->mode == EXEC_STREAMS)
		r = stream_peer_new(l, TAKE_FD(fd), PACE_HIGH + 2 * READ_CHUNK, &peer_ops, c, &c->peer, err);
	if (r < 0) {
		exec_client_free(c);
		return r;
	}
	if (c->o.call)
		vl_call_set_cancel(c->o.call, on_call_cancel, c);
	/* typing before the terminal exists waits in the socket */
	if (c->peer && o->tty)
		stream_peer_pause_input(c->peer, true);
	*out = c;
	return 0;
}

static int watch(exec_client *c, int i, int fd, cerr *err)
{
	c->fd[i] = fd;
	if (fd < 0)
		return 0;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return el_add_io(c->loop, fd, EPOLLIN, on_output, c, &c->src[i], err);
}

int exec_client_connect(exec_client *c, int out, int err_fd, int in, int console, cerr *err)
{
	int r = watch(c, SRC_STDOUT, out, err);
	if (r == 0)
		r = watch(c, SRC_STDERR, err_fd, err);
	if (r == 0 && in >= 0)
		r = stdin_queue_init(&c->in, c->loop, in, false, resume_input, c, err);
	else if (in >= 0)
		close(in);
	c->console = console;
	if (r == 0 && console >= 0)
		r = el_add_io(c->loop, console, EPOLLIN, on_console, c, &c->console_src, err);
	return r;
}

static void on_drain_timeout(el_source *s, void *data)
{
	exec_client *c = data;
	c->drain = NULL;
	el_remove(s);
	_cleanup_cerr_ cerr err = { 0 };
	if (c->paused && el_add_timer(c->loop, MONITOR_DRAIN_USEC, false, on_drain_timeout, c, &c->drain, &err) == 0)
		return; /* the client is still reading what there was: not cut */
	/* something the command started holds its output open: answer now */
	for (int i = 0; i < N_SRC; i++)
		close_src(c, i);
	answer(c);
}

void exec_client_exited(exec_client *c, int code, bool timed_out)
{
	c->exited = true;
	c->code = code;
	c->timed_out = timed_out;
	if (timed_out)
		c->truncated = true;
	if (c->gone || (c->answered && !streaming(c))) /* gone, or detached */
		return end_soon(c);
	_cleanup_cerr_ cerr err = { 0 };
	if (output_open(c))
		el_add_timer(c->loop, MONITOR_DRAIN_USEC, false, on_drain_timeout, c, &c->drain, &err);
	maybe_answer(c);
}

void exec_client_detached(exec_client *c, const char *id)
{
	vl_call *call = TAKE_PTR(c->o.call);
	c->answered = true;
	vl_call_set_cancel(call, NULL, NULL);
	_cleanup_free_ char *p = vl_json_obj1("id", id);
	vl_call_reply(call, p);
}

void exec_client_fail(exec_client *c, sv_fault *f)
{
	if (c->answered || c->gone)
		return end_soon(c);
	if (streaming(c)) {
		char line[512];
		int n = snprintf(line, sizeof(line), "corral: exec: %s\n", cerr_msg(&f->reason));
		stream_peer_send(c->peer, STREAM_STDERR, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		c->code = 125;
		c->answered = true;
		stream_peer_finish(c->peer, 125);
		return;
	}
	vl_call *call = TAKE_PTR(c->o.call);
	c->answered = true;
	vl_call_set_cancel(call, NULL, NULL);
	sv_reply_fault(call, f);
	end_soon(c);
}

void exec_client_free(exec_client *c)
{
	if (!c)
		return;
	for (int i = 0; i < N_SRC; i++)
		close_src(c, i);
	el_remove(c->console_src);
	if (c->console >= 0)
		close(c->console);
	stdin_queue_close(&c->in);
	stream_peer_free(c->peer);
	if (c->o.call) { /* freed before the end: the client hears nothing more */
		vl_call_set_cancel(c->o.call, NULL, NULL);
		sv_internal(c->o.call, "the exec ended unanswered");
	}
	for (int i = 0; i < 2; i++)
		sb_release(&c->kept[i]);
	el_remove(c->pace);
	el_remove(c->drain);
	el_remove(c->ending);
	free(c);
}
