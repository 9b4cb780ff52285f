/* A connection's bytes: reading and framing calls, serving them one at a
 * time in order, and closing (conn_out.c writes the replies out). */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/conn_out.h"
#include "supervisor/varlink/conn.h"
#include "common/error.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define READ_BUDGET (1u << 20) /* per wakeup, for fairness between clients */

/* Serve buffered calls one at a time, in order, while nothing is pending. */
/* A peer's fault is logged, but a peer that reconnects to send garbage
 * again and again must not flood the log: at most PEER_LOG_MAX lines a
 * second, and then one line that says how many were left out. */
#define PEER_LOG_MAX 10
static bool peer_log_allowed(void)
{
	static uint64_t window;
	static unsigned n, dropped;
	uint64_t now = mono_usec() / 1000000;
	if (now != window) {
		if (dropped)
			log_warn("varlink: %u more faulty peers not logged", dropped);
		window = now;
		n = dropped = 0;
	}
	if (n < PEER_LOG_MAX) {
		n++;
		return true;
	}
	dropped++;
	return false;
}

static void conn_process(vl_conn *c)
{
	c->in_process = true;
	while (!c->call && !c->closing && !c->broken && c->out.len - c->out_off < VL_OUT_HIGH) {
		char *text;
		size_t len;
		int r = vl_framer_next(&c->in, &text, &len);
		if (r == 0)
			break;
		if (r < 0) {
			if (peer_log_allowed())
				log_warn("varlink: peer pid %d uid %u: message larger than %zu bytes; disconnecting",
				 (int)c->peer.pid, (unsigned)c->peer.uid, c->in.max);
			c->broken = true;
			break;
		}
		vl_call *call = c->spare ? c->spare : malloc(sizeof(*call));
		c->spare = NULL;
		if (!call) {
			c->broken = true;
			break;
		}
		memset(call, 0, sizeof(*call));
		call->conn = c;
		call->t0 = c->srv->cfg.on_call_done ? mono_usec() : 0; /* its one reader */
		call->text = text;
		call->text_len = len;
		c->call = call;
		if (vl_call_dispatch_text(c, call)) {
			if (c->call == call) /* kept: the framer's buffer moves on */
				call->text = NULL;
			continue;
		}
		c->call = NULL;
		_cleanup_cerr_ cerr err = { 0 };
		/* -EILSEQ: a parameter holds a NUL; the call is answered (vl_call_dispatch) */
		if (vl_message_parse(text, len, &call->msg, &err) < 0 && !call->msg.nul_param[0]) {
			/* not a varlink call: there is no method to answer, so hang up */
			if (peer_log_allowed())
				log_warn("varlink: peer pid %d uid %u: %s; disconnecting", (int)c->peer.pid,
				 (unsigned)c->peer.uid, cerr_msg(&err));
			free(call);
			c->broken = true;
			break;
		}
		c->call = call;
		vl_call_dispatch(c, call);
		if (c->call == call) /* kept: the framer's buffer moves on */
			call->text = NULL;
	}
	c->in_process = false;
}

void vl_conn_close(vl_conn *c)
{
	vl_server *s = c->srv;
	/* what a stream queued (vl_call_notify waits for the loop's turn)
	 * goes out first, as far as the socket takes it now: a daemon's last
	 * event reaches its subscribers */
	vl_conn_flush(c);
	if (c->call) {
		vl_call *call = c->call;
		if (call->cancel)
			call->cancel(call, call->cancel_data);
		/* the hook may not end the call; it ends here with no reply */
		if (c->call == call)
			vl_call_hang_up(call, "disconnected");
	}
	/* drop from the kick list */
	for (vl_conn **pp = &s->kick; *pp; pp = &(*pp)->next_kick)
		if (*pp == c) {
			*pp = c->next_kick;
			break;
		}
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_conns--;
	if (c->tag && s->cfg.conn_admit && s->cfg.conn_gone)
		s->cfg.conn_gone(c->tag, s->cfg.userdata);
	el_remove(c->src);
	if (c->fd >= 0) /* -1 once upgraded: the socket is someone else's */
		close(c->fd);
	for (size_t i = 0; i < c->n_fds; i++)
		close(c->fds[i]);
	el_post_cancel(s->loop, &c->flush);
	vl_framer_release(&c->in);
	sb_release(&c->out);
	free(c->spare);
	free(c);
}

static bool has_complete_message(const vl_conn *c)
{
	size_t n = vl_framer_pending(&c->in);
	return n && memchr(c->in.buf + c->in.start, '\0', n);
}

/* Close when broken, when a refusal was flushed, or when the peer hung up
 * and every call it sent has been answered. Returns false once closed. */
static bool conn_settle(vl_conn *c)
{
	bool flushed = c->out_off == c->out.len;
	bool done = c->broken || (c->closing && flushed) ||
		    (c->eof && !c->call && flushed && !has_complete_message(c));
	if (done) {
		vl_conn_close(c);
		return false;
	}
	vl_conn_update(c);
	return true;
}

/* recv, or with accept_fds recvmsg keeping the fds that come along: a
 * peer that sends more than VL_MAX_FDS nobody took is dropped. */
static ssize_t conn_recv(vl_conn *c, char *p, size_t n)
{
	if (!c->srv->cfg.accept_fds)
		return recv(c->fd, p, n, MSG_DONTWAIT);
	size_t got;
	bool lost;
	ssize_t r = fd_recv(c->fd, p, n, c->fds + c->n_fds, VL_MAX_FDS - c->n_fds, &got, &lost, MSG_DONTWAIT);
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	c->n_fds += got;
	if (lost) /* more than nobody took, or cut: what they were for cannot be served */
		c->broken = true;
	return r;
}

static void conn_read(vl_conn *c)
{
	size_t budget = READ_BUDGET;
	while (budget > 0) {
		char *p;
		size_t room;
		if (vl_framer_reserve(&c->in, READ_CHUNK, &p, &room) < 0) {
			c->broken = true;
			return;
		}
		size_t want = room < budget ? room : budget;
		ssize_t n = conn_recv(c, p, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->broken = true;
			return;
		}
		if (n == 0) {
			c->eof = true;
			return;
		}
		vl_framer_commit(&c->in, (size_t)n);
		budget -= (size_t)n;
		/* cut early: a peer streaming garbage with no NUL is dropped at the bound */
		if (vl_framer_pending(&c->in) > c->in.max + 1 && !c->call) {
			conn_process(c);
			return;
		}
		if ((size_t)n < want)
			return; /* the socket is empty: no second call to hear EAGAIN */
	}
}

static void on_conn_io(el_source *src, int fd, uint32_t events, void *data)
{
	vl_conn *c = data;
	if (events & EPOLLERR)
		c->broken = true;
	else if (events & EPOLLIN)
		conn_read(c);
	else if (events & EPOLLHUP)
		c->broken = true; /* both directions gone, e.g. while a call is pending */
	if (events & EPOLLOUT)
		vl_conn_flush(c);
	conn_process(c);
	conn_settle(c);
}

/* The end of the loop's turn: what streams queued from other connections'
 * calls goes out in one write, as an EPOLLOUT would send it, with no
 * EPOLLOUT armed and waited for. */
static void on_flush_post(el_post *p)
{
	vl_conn *c = (vl_conn *)(void *)((char *)p - offsetof(vl_conn, flush));
	vl_conn_flush(c);
	conn_process(c);
	conn_settle(c);
}

void vl_server_on_kick(el_source *src, void *data)
{
	vl_server *s = data;
	while (s->kick) {
		vl_conn *c = s->kick;
		s->kick = c->next_kick;
		c->kicked = false;
		conn_process(c);
		conn_settle(c);
	}
}

vl_conn *vl_conn_accept(vl_server *s, int fd, const peer_cred *peer, void *tag)
{
	vl_conn *c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return NULL;
	}
	c->srv = s;
	c->fd = fd;
	c->peer = *peer;
	c->tag = tag;
	c->flush.fn = on_flush_post;
	c->allowed = s->cfg.any_peer || peer_allowed(peer, s->cfg.group);
	vl_framer_init(&c->in, s->cfg.max_message);
	cerr err = { 0 };
	if (el_add_io(s->loop, fd, EPOLLIN, on_conn_io, c, &c->src, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "varlink");
		close(fd);
		free(c);
		return NULL;
	}
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->n_conns++;
	return c;
}
