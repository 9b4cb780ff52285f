#include "supervisor/monitor/exec_client.h"
#include "supervisor/monitor/monitor.h"
#include "supervisor/monitor/stdin_queue.h"
#include "supervisor/monitor/stream_peer.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
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

/* What the client's call has yet to send: none once it has gone. */
static size_t unread(const exec_client *c)
{
	return c->o.to.call ? c->o.to.call_ops->unread(c->o.to.call) : 0;
}

static void on_pace(el_source *s, void *data)
{
	exec_client *c = data;
	if (unread(c) < PACE_LOW)
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
	case EXEC_REPLY:
	case EXEC_MORE:
		c->o.to.call_ops->output(c->o.to.call, stream, buf, n, c->exited);
		if (c->o.mode == EXEC_MORE && unread(c) > PACE_HIGH) {
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
	c->o.to.call_ops->exited(c->o.to.call, c->code, c->timed_out);
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
static void on_call_gone(void *data) { client_gone(data); }

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
	_cleanup_close_ int fd = o->to.fd;
	exec_client *c = calloc(1, sizeof(*c));
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	*c = (exec_client){ .loop = l, .o = *o, .fd = { -1, -1, -1 }, .console = -1, .in.fd = -1 };
	c->o.to.fd = -1;
	int r = el_add_timer(l, 0, false, on_pace, c, &c->pace, err);
	if (r == 0 && o->mode == EXEC_STREAMS)
		r = stream_peer_new(l, TAKE_FD(fd), PACE_HIGH + 2 * READ_CHUNK, &peer_ops, c, &c->peer, err);
	if (r < 0) {
		c->o.to.call = NULL; /* still the caller's */
		exec_client_free(c);
		return r;
	}
	if (c->o.to.call)
		c->o.to.call_ops->watch(c->o.to.call, on_call_gone, c);
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
	if (c->gone || (c->answered && !streaming(c))) /* gone, or detached */
		return end_soon(c);
	_cleanup_cerr_ cerr err = { 0 };
	if (output_open(c))
		el_add_timer(c->loop, MONITOR_DRAIN_USEC, false, on_drain_timeout, c, &c->drain, &err);
	maybe_answer(c);
}

void exec_client_detached(exec_client *c, const char *id)
{
	c->answered = true;
	c->o.to.call_ops->detached(c->o.to.call, id);
}

void exec_client_fail(exec_client *c, sv_fault *f)
{
	if (c->answered || c->gone)
		return end_soon(c);
	c->answered = true;
	if (streaming(c)) {
		char line[512];
		int n = snprintf(line, sizeof(line), "corral: exec: %s\n", cerr_msg(&f->reason));
		stream_peer_send(c->peer, STREAM_STDERR, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		c->code = 125;
		stream_peer_finish(c->peer, 125);
		return;
	}
	c->o.to.call_ops->failed(c->o.to.call, f);
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
	if (c->o.to.call)
		c->o.to.call_ops->release(c->o.to.call);
	el_remove(c->pace);
	el_remove(c->drain);
	el_remove(c->ending);
	free(c);
}
