/* Connections that change hands: upgraded to a stream after a reply, handed
 * over unanswered to another process, adopted from another server, and the
 * fds peers send along. */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/conn_out.h"
#include "supervisor/varlink/conn.h"
#include "supervisor/varlink/handover.h"
#include "common/cleanup.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* What was queued before (and the reply) leaves before the socket goes: the
 * peer reads it first, then the stream. A peer that reads nothing for this
 * long is dropped rather than waited for. */
#define HANDOVER_FLUSH_MS 2000

static int flush_all(vl_conn *c)
{
	for (int waited = 0;; waited += 100) {
		vl_conn_flush(c);
		if (c->broken)
			return -EPIPE;
		if (c->out_off == c->out.len)
			return 0;
		if (waited >= HANDOVER_FLUSH_MS)
			return -ETIMEDOUT;
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		poll(&p, 1, 100);
	}
}

/* Flush, then forget the socket: the connection closes without it. */
static int give_up(vl_call *call, int *fd)
{
	vl_conn *c = call->conn;
	/* bytes after the call are the new owner's, and we have read them */
	if (vl_framer_pending(&c->in) > 0) {
		vl_call_hang_up(call, "data after a call that gives up its connection");
		return -EPROTO;
	}
	int r = flush_all(c);
	if (r < 0) {
		vl_call_hang_up(call, r == -ETIMEDOUT ? "hand-over: the peer reads nothing" : "hand-over: send failed");
		return r;
	}
	el_remove(c->src);
	c->src = NULL;
	*fd = c->fd;
	c->fd = -1;
	c->broken = true;
	fcntl(*fd, F_SETFL, fcntl(*fd, F_GETFL) & ~O_NONBLOCK);
	vl_call_finish(call, NULL);
	return 0;
}

int vl_call_upgrade(vl_call *call, const char *params_json, int *fd)
{
	*fd = -1;
	if (!call->msg.upgrade || call->msg.oneway)
		return -EINVAL;
	if (vl_encode_reply(&call->conn->out, params_json, false) < 0) {
		vl_call_hang_up(call, "out of memory");
		return -ENOMEM;
	}
	return give_up(call, fd);
}

int vl_call_hand_over(vl_call *call, int *fd)
{
	*fd = -1;
	if (call->local)
		return -EINVAL; /* no connection to give */
	return give_up(call, fd);
}

int vl_call_take_fd(vl_call *call)
{
	vl_conn *c = call->conn;
	if (!c || !c->n_fds)
		return -1;
	int fd = c->fds[0];
	memmove(c->fds, c->fds + 1, --c->n_fds * sizeof(int));
	return fd;
}

int vl_server_adopt_call(vl_server *s, int fd, const peer_cred *as, const char *method, const char *params_json,
			 unsigned flags, vl_call **out, cerr *err)
{
	_cleanup_close_ int owned = fd;
	peer_cred peer;
	int r = as ? 0 : peer_get(fd, &peer, err);
	if (r < 0)
		return r;
	if (as)
		peer = *as;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	_cleanup_strbuf_ strbuf text = STRBUF_INIT;
	if (vl_encode_call_flags(&text, method, params_json, flags) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	vl_call *call = calloc(1, sizeof(*call));
	if (!call)
		return cerr_set(err, ENOMEM, "out of memory");
	if ((r = vl_message_parse(text.buf, text.len - 1, &call->msg, err)) < 0) {
		vl_message_release(&call->msg); /* -EILSEQ leaves it parsed */
		free(call);
		return r;
	}
	vl_conn *c = vl_conn_accept(s, TAKE_FD(owned), &peer, NULL);
	if (!c) {
		vl_message_release(&call->msg);
		free(call);
		return cerr_set(err, ENOMEM, "adopt a connection: out of memory");
	}
	c->allowed = true;
	c->one_call = true;
	call->conn = c;
	call->t0 = mono_usec();
	c->call = call;
	vl_conn_update(c); /* a call is pending: hang-ups only */
	*out = call;
	return 0;
}

void vl_server_dispatch_adopted(vl_call *call) { vl_call_dispatch(call->conn, call); }
