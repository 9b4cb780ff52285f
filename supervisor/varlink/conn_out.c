/* A connection's way out: its replies written with a bounded buffer, and
 * its wake-ups (serve it soon, flush it at the end of the turn). Calls
 * (call.c) and the connection (conn.c) both send through here. */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/conn_out.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define OUT_MAX (64u << 20) /* a peer that reads nothing is dropped */
/* a buffer grown past this goes once it is sent: a connection that once
 * waited on a slow reader does not keep its peak for its whole life */
#define OUT_KEEP (256u << 10) /* above a log stream's queue and batch: theirs is kept, no mmap a drain */

void vl_conn_kick(vl_conn *c)
{
	if (c->kicked)
		return;
	c->kicked = true;
	c->next_kick = c->srv->kick;
	c->srv->kick = c;
	el_timer_set(c->srv->kick_timer, 1, false);
}

void vl_conn_flush(vl_conn *c)
{
	while (c->out_off < c->out.len && !c->broken) {
		ssize_t w = send(c->fd, c->out.buf + c->out_off, c->out.len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->broken = true;
			break;
		}
		c->out_off += (size_t)w;
	}
	if (c->out_off == c->out.len) {
		if (c->out.cap > OUT_KEEP)
			sb_release(&c->out);
		else
			sb_reset(&c->out);
		c->out_off = 0;
	} else if (c->out_off > (1u << 16) && c->out_off > c->out.len / 2) {
		memmove(c->out.buf, c->out.buf + c->out_off, c->out.len - c->out_off);
		c->out.len -= c->out_off;
		c->out_off = 0;
	}
	if (c->out.len - c->out_off > OUT_MAX)
		c->broken = true;
}

void vl_conn_update(vl_conn *c)
{
	uint32_t ev = 0;
	if (!c->eof && !c->closing && !c->call && c->out.len - c->out_off < VL_OUT_HIGH &&
	    vl_framer_pending(&c->in) <= c->in.max)
		ev |= EPOLLIN;
	if (c->out_off < c->out.len)
		ev |= EPOLLOUT;
	el_io_set_events(c->src, ev);
}

void vl_conn_post_flush(vl_conn *c) { el_post_queue(c->srv->loop, &c->flush); }
