#include "supervisor/monitor/stream_peer.h"
#include "common/log.h"
#include "common/outq.h"
#include "common/monotonic.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BUDGET (256u << 10) /* per wakeup: a fast client does not starve the rest */

struct stream_peer {
	el_loop *loop;
	int fd;
	el_source *src, *linger;
	stream_reader in;
	outq out;
	size_t max_queue;
	uint64_t dropped;
	bool input_paused, finishing, dead, in_callback;
	bool out_gone; /* a send failed: output goes nowhere, input is still read */
	bool hung_up;  /* it went while its input was paused: the rest waits in the reader */
	const stream_peer_ops *ops;
	void *data;
};

void stream_peer_free(stream_peer *p)
{
	if (!p)
		return;
	el_remove(p->src);
	el_remove(p->linger);
	close(p->fd);
	stream_reader_release(&p->in);
	outq_release(&p->out);
	free(p);
}

static void end(stream_peer *p)
{
	p->ops->gone(p, p->data);
	stream_peer_free(p);
}

size_t stream_peer_queued(const stream_peer *p) { return outq_len(&p->out); }
uint64_t stream_peer_dropped(const stream_peer *p) { return p->dropped; }

static void update(stream_peer *p)
{
	if (!p->src)
		return; /* hung up: nothing more to watch */
	uint32_t ev = 0;
	if (!p->input_paused && !p->finishing)
		ev |= EPOLLIN;
	if (stream_peer_queued(p))
		ev |= EPOLLOUT;
	el_io_set_events(p->src, ev);
}

static void flush(stream_peer *p)
{
	bool had = outq_len(&p->out) > 0;
	if (outq_flush(&p->out, p->fd) < 0) {
		if (p->finishing) {
			p->dead = true;
			return;
		}
		/* it reads no more: what it sent before it went is still read, up
		 * to its end (a client that sends its input and hangs up at once) */
		p->out_gone = true;
		outq_release(&p->out);
	}
	if (outq_len(&p->out) || p->dead)
		return;
	if (p->finishing)
		p->dead = true; /* EXIT is out: that was all */
	else if (had && p->ops->drained)
		p->ops->drained(p, p->data);
}

/* What the socket holds now, up to max bytes, into the reader: the bytes
 * read, 0 at its end, or -errno (-EAGAIN: nothing now) */
static ssize_t recv_some(stream_peer *p, size_t max)
{
	char *buf;
	size_t room;
	if (stream_reader_reserve(&p->in, 65536, &buf, &room) < 0)
		return -ENOMEM;
	ssize_t n;
	do
		n = recv(p->fd, buf, room < max ? room : max, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	stream_reader_commit(&p->in, (size_t)n);
	return n;
}

static void read_frames(stream_peer *p)
{
	size_t budget = READ_BUDGET;
	while (budget && !p->input_paused && !p->dead) {
		ssize_t n = recv_some(p, budget);
		if (n <= 0) {
			if (n != -EAGAIN)
				p->dead = true; /* a hang-up, a detach, or no memory */
			return;
		}
		budget -= (size_t)n;
		stream_frame f;
		int r = 0;
		while (!p->input_paused && (r = stream_reader_next(&p->in, &f)) == 1)
			p->ops->frame(p, &f, p->data);
		if (!p->input_paused && r < 0) {
			log_warn("attached client: not a Streams frame; dropping the client");
			p->dead = true;
		}
	}
}

static void on_linger(el_source *s, void *data)
{
	stream_peer *p = data;
	p->linger = NULL;
	el_remove(s);
	end(p);
}

/* it ends from the loop, never under its owner's feet */
static void end_soon(stream_peer *p, uint64_t usec)
{
	_cleanup_cerr_ cerr err = { 0 };
	if (p->linger)
		el_timer_set(p->linger, usec, false);
	else
		el_add_timer(p->loop, usec, false, on_linger, p, &p->linger, &err);
}

/* It hung up while its input was paused (the container's stdin is full):
 * what it sent is read now, past the pause (the kernel's buffer bounds
 * it), and served as the pause lifts; then it ends, or after the linger
 * should the pause last (an exec's command is not kept by it). */
static void keep_the_rest(stream_peer *p)
{
	while (recv_some(p, SIZE_MAX) > 0)
		;
	el_remove(p->src); /* a hang-up is reported for as long as it is watched */
	p->src = NULL;
	p->hung_up = true;
	end_soon(p, STREAM_PEER_LINGER_MS * 1000ull);
}

static void on_io(el_source *s, int fd, uint32_t events, void *data)
{
	stream_peer *p = data;
	if (events & (EPOLLERR | EPOLLHUP)) {
		if (p->finishing || p->dead)
			p->dead = true;
		else if (p->input_paused)
			return keep_the_rest(p);
		else /* read to its end: the hang-up may have been seen while input was paused */
			events |= EPOLLIN;
	}
	if (events & EPOLLIN)
		read_frames(p);
	if (!p->dead && stream_peer_queued(p))
		flush(p);
	if (p->dead)
		return end(p);
	update(p);
}

int stream_peer_new(el_loop *l, int fd, size_t max_queue, const stream_peer_ops *ops, void *data,
		    stream_peer **out, cerr *err)
{
	stream_peer *p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*p = (stream_peer){ .loop = l, .fd = fd, .max_queue = max_queue, .ops = ops, .data = data };
	stream_reader_init(&p->in, STREAM_AT_CONTAINER);
	int r = el_add_io(l, fd, EPOLLIN, on_io, p, &p->src, err);
	if (r < 0) {
		stream_peer_free(p);
		return r;
	}
	*out = p;
	return 0;
}

bool stream_peer_send(stream_peer *p, enum stream_kind kind, const void *buf, size_t n)
{
	if (p->finishing || p->dead || p->out_gone)
		return false;
	if (stream_peer_queued(p) + STREAM_HEADER + n > p->max_queue || stream_put(&p->out.buf, kind, buf, n) < 0) {
		p->dropped += n;
		return false;
	}
	flush(p);
	update(p);
	return true;
}

void stream_peer_pause_input(stream_peer *p, bool pause)
{
	if (p->input_paused == pause)
		return;
	p->input_paused = pause;
	update(p);
	/* frames already received wait in the reader: serve them first */
	stream_frame f;
	while (!pause && !p->input_paused && stream_reader_next(&p->in, &f) == 1)
		p->ops->frame(p, &f, p->data);
	/* a client that hung up ends once all it sent is served */
	if (p->hung_up && !p->input_paused && !p->dead) {
		p->dead = true;
		end_soon(p, 1);
	}
}

void stream_peer_finish(stream_peer *p, int code)
{
	if (p->finishing || p->dead)
		return;
	p->finishing = true;
	/* past the bound if need be: the code reaches even a client that lagged */
	if (stream_put_u32(&p->out.buf, STREAM_EXIT, (uint32_t)code) < 0)
		p->dead = true;
	else
		flush(p);
	update(p);
	end_soon(p, p->dead ? 1 : STREAM_PEER_LINGER_MS * 1000ull);
}

void stream_peer_flush_blocking(stream_peer *p, int ms)
{
	uint64_t deadline = mono_usec() + (uint64_t)ms * 1000;
	while (outq_len(&p->out) && !p->dead) {
		uint64_t now = mono_usec();
		if (now >= deadline)
			return;
		struct pollfd pf = { .fd = p->fd, .events = POLLOUT };
		poll(&pf, 1, (int)((deadline - now) / 1000) + 1);
		flush(p);
	}
}
