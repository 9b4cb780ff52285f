#include "supervisor/ctl/ctl_attach.h"
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/ctl_call.h"
#include "supervisor/varlink/streams.h"
#include "common/cleanup.h"
#include "common/detach_keys.h"
#include "common/json.h"
#include "common/outq.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define OUT_MAX (1u << 20) /* frames for the server not sent yet: stdin waits */
static const int proxied[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

typedef struct pump {
	int sock, sfd;
	bool reading_stdin, stdin_once, tty, sig_proxy, out_broken;
	detach_keys keys;
	outq out;
	stream_reader in;
} pump;

static void queue(pump *p, enum stream_kind kind, const void *data, size_t n)
{
	if (stream_put(&p->out.buf, kind, data, n) < 0)
		fprintf(stderr, "corralctl: out of memory: input dropped\r\n");
}

bool ctl_terminal_size(unsigned *rows, unsigned *cols)
{
	struct winsize ws;
	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
		return false;
	*rows = ws.ws_row, *cols = ws.ws_col;
	return true;
}

static void send_size(pump *p)
{
	unsigned rows, cols;
	if (ctl_terminal_size(&rows, &cols))
		stream_put_resize(&p->out.buf, rows, cols);
}

static int queue_stdin(const char *data, size_t n, void *ctx)
{
	queue(ctx, STREAM_STDIN, data, n);
	return 0;
}

/* Typed bytes to the process, less the detach keys: true on a detach. */
static bool typed(pump *p, const char *buf, size_t n)
{
	return detach_keys_filter(&p->keys, buf, n, queue_stdin, p) == 1;
}

static void write_all(pump *p, int fd, const char *buf, size_t n)
{
	while (n && !p->out_broken) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			p->out_broken = true; /* e.g. our reader went: the rest goes nowhere */
			return;
		}
		buf += w;
		n -= (size_t)w;
	}
}

enum { GOING, EXITED, DETACHED, SIGNALLED, ENDED, FAILED, NOT_OPENED };

/* Frames from the server; EXITED with *code once the process has ended. */
static int received(pump *p, int *code)
{
	char *buf;
	size_t room;
	if (stream_reader_reserve(&p->in, 65536, &buf, &room) < 0)
		return FAILED;
	ssize_t n = recv(p->sock, buf, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return GOING;
	if (n <= 0)
		return ENDED;
	stream_reader_commit(&p->in, (size_t)n);
	stream_frame f;
	int r;
	while ((r = stream_reader_next(&p->in, &f)) == 1) {
		if (f.kind == STREAM_EXIT) {
			*code = (int)stream_frame_u32(&f);
			return EXITED;
		}
		write_all(p, f.kind == STREAM_STDERR ? STDERR_FILENO : STDOUT_FILENO, f.data, f.len);
	}
	if (r < 0) {
		fprintf(stderr, "corralctl: the server sent something that is not a Streams frame\r\n");
		return FAILED;
	}
	return GOING;
}

static int stdin_ready(pump *p)
{
	char buf[32768];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return GOING;
	if (n <= 0) {
		p->reading_stdin = false;
		if (p->stdin_once) /* the end of our input is the end of the process's */
			queue(p, STREAM_CLOSE_STDIN, NULL, 0);
		return GOING;
	}
	return typed(p, buf, (size_t)n) ? DETACHED : GOING;
}

/* A signal we got: the terminal's size, or one for the process. */
static int signalled(pump *p, int *code)
{
	struct signalfd_siginfo si;
	while (read(p->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH) {
			if (p->tty)
				send_size(p);
		} else if (p->sig_proxy) {
			stream_put_u32(&p->out.buf, STREAM_SIGNAL, si.ssi_signo);
		} else { /* not passed on: it ends us, as it would have */
			*code = 128 + (int)si.ssi_signo;
			return SIGNALLED;
		}
	}
	return GOING;
}

static int run_pump(pump *p, int *code)
{
	for (;;) {
		size_t queued = outq_len(&p->out);
		struct pollfd pf[3] = {
			{ .fd = p->sock, .events = POLLIN | (queued ? POLLOUT : 0) },
			{ .fd = p->sfd, .events = POLLIN },
			{ .fd = p->reading_stdin && queued < OUT_MAX ? STDIN_FILENO : -1, .events = POLLIN },
		};
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			return FAILED;
		}
		int st = GOING;
		if (pf[1].revents)
			st = signalled(p, code);
		if (st == GOING && pf[2].revents)
			st = stdin_ready(p);
		if (st == GOING && (pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
			st = received(p, code);
		if (st == GOING && p->out_broken) { /* our reader has gone, as a pipe's would */
			*code = 128 + SIGPIPE;
			st = SIGNALLED;
		}
		if (st != GOING)
			return st;
		outq_flush(&p->out, p->sock); /* a broken socket shows as its end */
	}
}

/* Raw while we pump, for keys to reach the process as typed; restored on
 * every way out (signals come through the signalfd: none ends us early). */
static bool term_raw(struct termios *saved)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, saved) < 0)
		return false;
	struct termios raw = *saved;
	cfmakeraw(&raw);
	return tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
}

/* Wait for the container to stop; its exit code, or -1 if the wait failed. */
static int ctl_wait_code(const char *id)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	ctl_timeout_ms = -1;
	/* gone: removed once it stopped (run --rm), so its end is accounted for */
	if (ctl_call_gen_tolerating(&c, M("Wait"), ctl_params(id), "NoSuchContainer", &rep))
		return -1;
	long long code = ctl_int(rep.params, "exitCode", -1);
	vl_reply_release(&rep);
	return (int)code;
}

/* Whether corrald says the container runs (false too when it cannot say). */
static bool ctl_is_running(const char *id)
{
	_cleanup_vl_client_ vl_client *c = NULL;
	vl_reply rep;
	if (ctl_call_gen_tolerating(&c, M("Inspect"), ctl_params(id), "NoSuchContainer", &rep))
		return false;
	yajl_val st = json_get(json_get(json_get(rep.params, "container"), "state"), "status");
	bool running = YAJL_IS_STRING(st) && streq(st->u.string, "running");
	vl_reply_release(&rep);
	return running;
}

int ctl_stream(const ctl_stream_opts *o)
{
	pump p = { .sock = -1, .sfd = -1, .reading_stdin = o->stdin, .stdin_once = o->stdin_once, .tty = o->tty,
		   .sig_proxy = o->sig_proxy };
	if (o->detached)
		*o->detached = false;
	if (detach_keys_parse(o->detach_keys, &p.keys) < 0) {
		yajl_gen_free(o->params);
		return ctl_failf("--detach-keys %s: must be keys like ctrl-p,ctrl-q (a-z, @, [, \\, ], ^, _)",
				 o->detach_keys);
	}
	if (!o->stdin)
		p.keys.n = 0; /* keys are read from stdin */
	_cleanup_close_ int sock = -1;
	int rc = ctl_call_upgrade(o->method, o->params, false, &sock);
	if (rc)
		return rc;
	p.sock = sock;
	sigset_t mask, old;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	for (size_t i = 0; i < ARRAY_SIZE(proxied); i++)
		sigaddset(&mask, proxied[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	p.sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN); /* EPIPE says it, and we end cleanly */
	struct termios saved;
	bool raw = o->tty && o->stdin && term_raw(&saved);
	stream_reader_init(&p.in, STREAM_AT_CLIENT);
	if (o->tty) {
		send_size(&p);
		outq_flush(&p.out, p.sock); /* ahead of a start, for its first look */
	}
	int code = EXIT_CTL, st = p.sfd < 0 ? FAILED : GOING;
	if (st == GOING && o->opened && (code = o->opened(o->data)) != 0)
		st = NOT_OPENED; /* e.g. a Start that failed: its exit code is ours */
	if (st == GOING) {
		outq_flush(&p.out, p.sock);
		st = run_pump(&p, &code);
	}
	if (raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	if (p.sfd >= 0)
		close(p.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGPIPE, old_pipe);
	stream_reader_release(&p.in);
	outq_release(&p.out);
	if (st == DETACHED) {
		if (o->detached)
			*o->detached = true;
		return 0;
	}
	if (st == ENDED && o->wait_id && ctl_is_running(o->wait_id))
		return ctl_failf("%s: the container's monitor ended the stream (see its monitor.log)",
				 strrchr(o->method, '.') + 1);
	if ((st == ENDED || st == EXITED) && o->wait_id) {
		int waited = ctl_wait_code(o->wait_id);
		return waited >= 0 ? waited : st == EXITED ? code : EXIT_CTL;
	}
	if (st == ENDED)
		fprintf(stderr, "corralctl: %s: the stream ended without an exit code\n", strrchr(o->method, '.') + 1);
	return st == EXITED || st == SIGNALLED || st == NOT_OPENED ? code : EXIT_CTL;
}
