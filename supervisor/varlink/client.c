#include "supervisor/varlink/client.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/json_scan.h"
#include "common/strbuf.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct vl_client {
	int fd;
	int timeout_ms;
	vl_framer in;
	char *path;
};

int vl_client_adopt(int fd, const char *name, vl_client **out, cerr *err)
{
	vl_client *c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(name))) {
		free(c);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	c->fd = fd;
	c->timeout_ms = -1;
	vl_framer_init(&c->in, VL_MAX_MESSAGE);
	*out = c;
	return 0;
}

int vl_client_connect_within(const char *path, int ms, vl_client **out, cerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return cerr_set(err, ENAMETOOLONG, "%s: socket path too long", path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cerr_sys(err, errno, "socket");
	/* a unix connect waits while the server's backlog is full (a server
	 * stopped): the send timeout bounds it, and each send after it */
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	if (ms >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return cerr_sys(err, errno, "%s: SO_SNDTIMEO", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EAGAIN)
			return cerr_set(err, ETIMEDOUT, "connect %s: not taken within %d ms", path, ms);
		return cerr_sys(err, errno, "connect %s", path);
	}
	if (vl_client_adopt(fd, path, out, err) < 0)
		return -1;
	fd = -1;
	(*out)->timeout_ms = ms;
	return 0;
}

int vl_client_connect(const char *path, vl_client **out, cerr *err)
{
	return vl_client_connect_within(path, -1, out, err);
}

void vl_client_free(vl_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0) /* -1 once upgraded: the stream's owner closes it */
		close(c->fd);
	vl_framer_release(&c->in);
	free(c->path);
	free(c);
}

void vl_client_set_timeout(vl_client *c, int ms) { c->timeout_ms = ms; }
int vl_client_fd(const vl_client *c) { return c->fd; }

size_t vl_client_buffered(const vl_client *c) { return vl_framer_pending(&c->in); }

static int wait_fd(vl_client *c, short ev, cerr *err)
{
	struct pollfd p = { .fd = c->fd, .events = ev };
	for (;;) {
		int r = poll(&p, 1, c->timeout_ms);
		if (r > 0)
			return 0;
		if (r == 0)
			return cerr_set(err, ETIMEDOUT, "%s: no reply within %d ms", c->path, c->timeout_ms);
		if (errno != EINTR)
			return cerr_sys(err, errno, "%s: poll", c->path);
	}
}

/* The call, with fd (unless -1) along with its first byte. */
static int send_call(vl_client *c, const char *method, const char *params_json, unsigned flags, int fd, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (c->fd < 0)
		return cerr_set(err, ENOTCONN, "%s: the connection was upgraded to a stream", c->path);
	/* the server would take the message for a broken one, and hang up */
	if (params_json && !json_utf8_valid(params_json, strlen(params_json)))
		return cerr_set(err, EINVAL, "a string among its parameters is not UTF-8");
	if (vl_encode_call_flags(&sb, method, params_json, flags) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	size_t off = 0;
	while (off < sb.len) {
		ssize_t w = fd_send(c->fd, sb.buf + off, sb.len - off, &fd, off == 0 && fd >= 0, 0);
		if (w == -EINTR)
			continue;
		if (w < 0)
			return cerr_sys(err, (int)-w, "%s: send %s", c->path, method);
		off += (size_t)w;
	}
	return 0;
}

int vl_client_send(vl_client *c, const char *method, const char *params_json, bool more,
		   bool oneway, cerr *err)
{
	return send_call(c, method, params_json, (more ? VL_CALL_MORE : 0) | (oneway ? VL_CALL_ONEWAY : 0), -1, err);
}

int vl_client_send_fd(vl_client *c, const char *method, const char *params_json, unsigned flags, int fd, cerr *err)
{
	return send_call(c, method, params_json, flags, fd, err);
}

int vl_client_recv(vl_client *c, vl_reply *reply, cerr *err)
{
	if (c->fd < 0)
		return cerr_set(err, ENOTCONN, "%s: the connection was upgraded to a stream", c->path);
	for (;;) {
		char *msg;
		size_t len;
		int r = vl_framer_next(&c->in, &msg, &len);
		if (r < 0)
			return cerr_set(err, EMSGSIZE, "%s: reply larger than %u bytes", c->path,
					VL_MAX_MESSAGE);
		if (r > 0)
			return vl_reply_parse(msg, len, reply, err);
		if ((r = wait_fd(c, POLLIN, err)) < 0)
			return r;
		char *p;
		size_t room;
		if (vl_framer_reserve(&c->in, 65536, &p, &room) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		ssize_t n = recv(c->fd, p, room, 0);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return cerr_sys(err, errno, "%s: receive", c->path);
		}
		if (n == 0)
			return cerr_set(err, ECONNRESET, "%s: connection closed by the server", c->path);
		vl_framer_commit(&c->in, (size_t)n);
	}
}

int vl_client_call(vl_client *c, const char *method, const char *params_json, vl_reply *reply,
		   cerr *err)
{
	int r = vl_client_send(c, method, params_json, false, false, err);
	return r < 0 ? r : vl_client_recv(c, reply, err);
}

/* Read exactly up to the reply's NUL: what follows is the stream's, and
 * stays in the socket for the caller. */
static int recv_exact_reply(vl_client *c, vl_reply *reply, cerr *err)
{
	for (;;) {
		int r = wait_fd(c, POLLIN, err);
		if (r < 0)
			return r;
		char *p;
		size_t room;
		if (vl_framer_reserve(&c->in, 65536, &p, &room) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		ssize_t n = recv(c->fd, p, room, MSG_PEEK);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return cerr_sys(err, errno, "%s: receive", c->path);
		if (n == 0)
			return cerr_set(err, ECONNRESET, "%s: connection closed by the server", c->path);
		char *nul = memchr(p, '\0', (size_t)n);
		size_t take = nul ? (size_t)(nul - p) + 1 : (size_t)n;
		if (recv(c->fd, p, take, 0) != (ssize_t)take)
			return cerr_sys(err, errno ? errno : EIO, "%s: receive", c->path);
		vl_framer_commit(&c->in, take);
		char *msg;
		size_t len;
		r = vl_framer_next(&c->in, &msg, &len);
		if (r < 0)
			return cerr_set(err, EMSGSIZE, "%s: reply larger than %u bytes", c->path, VL_MAX_MESSAGE);
		if (r > 0)
			return vl_reply_parse(msg, len, reply, err);
	}
}

int vl_client_call_upgrade(vl_client *c, const char *method, const char *params, vl_reply *rep, int *fd,
			   cerr *err)
{
	*fd = -1;
	/* a reply still unread would be taken for this one's */
	if (c->fd >= 0 && vl_framer_pending(&c->in) > 0)
		return cerr_set(err, EPROTO, "%s: %s: replies of an earlier call are still unread", c->path, method);
	int r = send_call(c, method, params, VL_CALL_UPGRADE, -1, err);
	if (r < 0 || (r = recv_exact_reply(c, rep, err)) < 0)
		return r;
	if (rep->error)
		return 0; /* no upgrade: the connection stays a varlink one */
	*fd = c->fd;
	c->fd = -1;
	return 0;
}
