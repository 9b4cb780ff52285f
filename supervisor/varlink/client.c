#include "supervisor/varlink/client.h"
#include "common/cleanup.h"
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

int vl_client_connect(const char *path, vl_client **out, cerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return cerr_set(err, ENAMETOOLONG, "%s: socket path too long", path);
	strcpy(sa.sun_path, path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cerr_sys(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return cerr_sys(err, errno, "connect %s", path);
	vl_client *c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	c->fd = TAKE_FD(fd);
	c->timeout_ms = -1;
	vl_framer_init(&c->in, VL_MAX_MESSAGE);
	*out = c;
	return 0;
}

void vl_client_free(vl_client *c)
{
	if (!c)
		return;
	close(c->fd);
	vl_framer_release(&c->in);
	free(c->path);
	free(c);
}

void vl_client_set_timeout(vl_client *c, int ms) { c->timeout_ms = ms; }
int vl_client_fd(const vl_client *c) { return c->fd; }

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

int vl_client_send(vl_client *c, const char *method, const char *params_json, bool more,
		   bool oneway, cerr *err)
{
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (vl_encode_call(&sb, method, params_json, more, oneway) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	size_t off = 0;
	while (off < sb.len) {
		ssize_t w = send(c->fd, sb.buf + off, sb.len - off, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return cerr_sys(err, errno, "%s: send %s", c->path, method);
		}
		off += (size_t)w;
	}
	return 0;
}

int vl_client_recv(vl_client *c, vl_reply *reply, cerr *err)
{
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
