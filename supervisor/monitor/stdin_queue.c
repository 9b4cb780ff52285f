#include "supervisor/monitor/stdin_queue.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

static size_t queued(const stdin_queue *s) { return s->q.len - s->off; }
bool stdin_queue_full(const stdin_queue *s) { return queued(s) >= STDIN_QUEUE_MAX; }

void stdin_queue_close(stdin_queue *s)
{
	el_remove(s->src);
	s->src = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	sb_release(&s->q);
	s->off = 0;
}

static void write_out(stdin_queue *s)
{
	bool was_full = stdin_queue_full(s);
	while (s->fd >= 0 && queued(s)) {
		ssize_t w = write(s->fd, s->q.buf + s->off, queued(s));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w < 0) { /* the process closed its stdin: the rest goes nowhere */
			stdin_queue_close(s);
			break;
		}
		s->off += (size_t)w;
	}
	if (!queued(s)) {
		sb_reset(&s->q);
		s->off = 0;
		if (s->closing)
			stdin_queue_close(s);
	}
	if (s->src)
		el_io_set_events(s->src, queued(s) ? EPOLLOUT : 0);
	if (was_full && !stdin_queue_full(s) && s->resume)
		s->resume(s->data);
}

static void on_writable(el_source *src, int fd, uint32_t events, void *data) { write_out(data); }

int stdin_queue_init(stdin_queue *s, el_loop *l, int fd, bool tty, void (*resume)(void *), void *data, cerr *err)
{
	*s = (stdin_queue){ .fd = fd, .tty = tty, .resume = resume, .data = data };
	if (fd < 0)
		return 0;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	int r = el_add_io(l, fd, 0, on_writable, s, &s->src, err);
	if (r < 0)
		stdin_queue_close(s);
	return r;
}

bool stdin_queue_add(stdin_queue *s, const void *buf, size_t n)
{
	if (s->fd < 0 || s->closing)
		return true; /* nowhere to go: taking it costs nothing */
	if (sb_add(&s->q, buf, n) < 0)
		log_warn("stdin: out of memory: %zu bytes dropped", n);
	write_out(s);
	return !stdin_queue_full(s);
}

void stdin_queue_end(stdin_queue *s)
{
	if (s->fd < 0)
		return;
	if (s->tty) {
		struct termios t;
		char eof = tcgetattr(s->fd, &t) == 0 ? (char)t.c_cc[VEOF] : 4;
		stdin_queue_add(s, &eof, 1);
		return;
	}
	s->closing = true;
	write_out(s);
}
