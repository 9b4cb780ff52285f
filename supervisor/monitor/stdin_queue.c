#include "supervisor/monitor/stdin_queue.h"
#include "common/log.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

bool stdin_queue_full(const stdin_queue *s) { return outq_len(&s->q) >= STDIN_QUEUE_MAX; }

void stdin_queue_close(stdin_queue *s)
{
	el_remove(s->src);
	s->src = NULL;
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	outq_release(&s->q);
}

static void write_out(stdin_queue *s)
{
	bool was_full = stdin_queue_full(s);
	if (s->fd >= 0 && outq_flush(&s->q, s->fd) < 0)
		stdin_queue_close(s); /* the process closed its stdin: the rest goes nowhere */
	if (!outq_len(&s->q) && s->closing)
		stdin_queue_close(s);
	if (s->src)
		el_io_set_events(s->src, outq_len(&s->q) ? EPOLLOUT : 0);
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
	if (outq_add(&s->q, buf, n) < 0)
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
