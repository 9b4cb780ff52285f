#include "supervisor/monitor/mon_attach.h"
#include "supervisor/monitor/stream_peer.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef struct attached {
	attach_set *set;
	stream_peer *peer;
	bool stdin;
	struct attached *next;
} attached;

static void pause_all(attach_set *a, bool pause)
{
	for (attached *c = a->clients; c; c = c->next)
		if (c->stdin)
			stream_peer_pause_input(c->peer, pause);
}

static void resume_stdin(void *data) { pause_all(data, false); }

static void queue_stdin(attach_set *a, const char *buf, size_t n)
{
	if (a->interactive && !stdin_queue_add(&a->in, buf, n))
		pause_all(a, true);
}

static void on_frame(stream_peer *p, const stream_frame *f, void *data)
{
	attached *c = data;
	attach_set *a = c->set;
	switch (f->kind) {
	case STREAM_STDIN:
		if (c->stdin)
			queue_stdin(a, f->data, f->len);
		break;
	case STREAM_CLOSE_STDIN:
		if (c->stdin && a->interactive)
			stdin_queue_end(&a->in);
		break;
	case STREAM_RESIZE: {
		unsigned rows, cols;
		stream_frame_size(f, &rows, &cols);
		struct winsize ws = { .ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols };
		if (a->in.tty && a->in.fd >= 0 && rows && cols)
			ioctl(a->in.fd, TIOCSWINSZ, &ws);
		break;
	}
	case STREAM_SIGNAL: {
		uint32_t sig = stream_frame_u32(f);
		if (sig >= 1 && sig < (uint32_t)NSIG && sig != SIGKILL && sig != SIGSTOP && a->signal)
			a->signal(a->owner, (int)sig);
		break;
	}
	default: break; /* the reader lets no other kind through */
	}
}

static void on_gone(stream_peer *p, void *data)
{
	attached *c = data;
	attach_set *a = c->set;
	uint64_t dropped = stream_peer_dropped(p);
	if (dropped)
		log_info("attach: a client that read too slowly missed %llu bytes of output",
			 (unsigned long long)dropped);
	for (attached **pp = &a->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c);
}

static const stream_peer_ops attach_ops = { .frame = on_frame, .gone = on_gone };

void attach_init(attach_set *a, el_loop *l, int in_fd, bool tty, bool interactive, void (*signal)(void *, int),
		 void *owner)
{
	*a = (attach_set){ .loop = l, .interactive = interactive, .signal = signal, .owner = owner };
	cerr err = { 0 };
	if (stdin_queue_init(&a->in, l, in_fd, tty, resume_stdin, a, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "attach: stdin");
}

/* A last word to a client we do not serve: one frame, sent if it fits. */
static void refuse(int fd, const char *why)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (stream_put(&sb, STREAM_STDERR, why, strlen(why)) == 0)
		send(fd, sb.buf, sb.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

int attach_add(attach_set *a, int fd, bool stdin, cerr *err)
{
	size_t n = 0;
	for (attached *c = a->clients; c; c = c->next)
		n++;
	if (n >= ATTACH_MAX_CLIENTS) {
		refuse(fd, "corral-monitor: as many clients as it takes are attached to this container\n");
		return cerr_set(err, EMFILE, "%u clients attached already: one more refused", ATTACH_MAX_CLIENTS);
	}
	attached *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	c->set = a;
	c->stdin = stdin;
	int r = stream_peer_new(a->loop, fd, ATTACH_MAX_QUEUE, &attach_ops, c, &c->peer, err);
	if (r < 0) {
		free(c);
		return r;
	}
	/* while stdin is full, a newcomer waits with the rest */
	if (stdin && stdin_queue_full(&a->in))
		stream_peer_pause_input(c->peer, true);
	c->next = a->clients;
	a->clients = c;
	return 0;
}

void attach_output(attach_set *a, int stream, const char *buf, size_t n)
{
	for (attached *c = a->clients; c; c = c->next)
		stream_peer_send(c->peer, stream == 2 ? STREAM_STDERR : STREAM_STDOUT, buf, n);
}

void attach_exit(attach_set *a, int code)
{
	for (attached *c = a->clients; c; c = c->next)
		stream_peer_finish(c->peer, code);
}

void attach_release(attach_set *a, int ms)
{
	uint64_t deadline = mono_usec() + (uint64_t)ms * 1000;
	while (a->clients) {
		attached *c = a->clients;
		uint64_t now = mono_usec();
		if (now < deadline)
			stream_peer_flush_blocking(c->peer, (int)((deadline - now) / 1000));
		a->clients = c->next;
		stream_peer_free(c->peer);
		free(c);
	}
	stdin_queue_close(&a->in);
}
