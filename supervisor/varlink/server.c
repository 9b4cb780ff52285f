/* The server: its interfaces, its listening sockets, and accepting
 * connections within the limits. */
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/local_end.h"
#include "supervisor/varlink/conn.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static size_t conns_of_uid(vl_server *s, uid_t uid)
{
	size_t n = 0;
	for (vl_conn *c = s->conns; c; c = c->next)
		n += c->peer.uid == uid;
	return n;
}

/* Within the limits, fd is a connection of peer's; else why not (closed). */
static const char *take(vl_server *s, int cfd, const peer_cred *peer, void *tag)
{
	const char *why = NULL;
	if (s->n_conns >= s->cfg.max_connections)
		why = "too many connections";
	else if (peer->uid != 0 && conns_of_uid(s, peer->uid) >= s->cfg.max_per_uid)
		why = "too many connections from this uid";
	else if (tag && s->cfg.conn_admit)
		why = s->cfg.conn_admit(tag, s->cfg.userdata);
	if (why) {
		if (s->cfg.on_refused)
			s->cfg.on_refused(peer, why, s->cfg.userdata);
		close(cfd);
		return why;
	}
	if (!vl_conn_accept(s, cfd, peer, tag)) {
		if (tag && s->cfg.conn_admit && s->cfg.conn_gone)
			s->cfg.conn_gone(tag, s->cfg.userdata);
		return "out of memory";
	}
	return NULL;
}

static void accept_one(vl_server *s, int cfd, void *tag)
{
	cerr err = { 0 };
	peer_cred peer;
	if (peer_get(cfd, &peer, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "varlink");
		close(cfd);
		return;
	}
	if (s->cfg.admit_peer && s->cfg.admit_peer(&peer, s->cfg.userdata)) {
		close(cfd);
		return;
	}
	take(s, cfd, &peer, tag);
}

const char *vl_server_add_connection(vl_server *s, int fd, const peer_cred *peer)
{
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		close(fd);
		return "could not make the connection non-blocking";
	}
	return take(s, fd, peer, NULL);
}

static void on_resume(el_source *src, void *data)
{
	vl_server *s = data;
	for (struct vl_listener *l = s->lis; l; l = l->next)
		el_io_set_events(l->src, EPOLLIN);
}

static void on_listen_io(el_source *src, int fd, uint32_t events, void *data)
{
	struct vl_listener *lis = data;
	vl_server *s = lis->srv;
	for (int i = 0; i < 64; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd >= 0) {
			accept_one(s, cfd, lis->tag);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* out of fds: pause accepting instead of spinning on a ready socket */
			log_warn("varlink: accept: %s; pausing for 100ms", strerror(errno));
			for (struct vl_listener *l = s->lis; l; l = l->next)
				el_io_set_events(l->src, 0);
			el_timer_set(s->resume_timer, 100000, false);
		}
		return;
	}
}

static void listener_free(struct vl_listener *l)
{
	el_remove(l->src);
	close(l->fd);
	if (l->path)
		unlink(l->path);
	free(l->path);
	free(l);
}

int vl_server_new(el_loop *loop, const vl_server_config *cfg, vl_server **out, cerr *err)
{
	vl_server *s = calloc(1, sizeof(*s));
	if (!s)
		return cerr_set(err, ENOMEM, "varlink server: out of memory");
	s->loop = loop;
	s->cfg = *cfg;
	if (!s->cfg.max_message)
		s->cfg.max_message = VL_MAX_MESSAGE;
	if (!s->cfg.max_connections)
		s->cfg.max_connections = 1024;
	if (!s->cfg.max_per_uid)
		s->cfg.max_per_uid = 128;
	if (!s->cfg.denied_error)
		s->cfg.denied_error = VL_ERR_PERMISSION_DENIED;
	if (!s->cfg.invalid_error)
		s->cfg.invalid_error = VL_ERR_INVALID_PARAMETER;
	if (!s->cfg.vendor)
		s->cfg.vendor = "";
	if (!s->cfg.product)
		s->cfg.product = "";
	if (!s->cfg.version)
		s->cfg.version = "";
	if (!s->cfg.url)
		s->cfg.url = "";
	int r = el_add_timer(loop, 0, false, vl_server_on_kick, s, &s->kick_timer, err);
	if (r == 0)
		r = el_add_timer(loop, 0, false, on_resume, s, &s->resume_timer, err);
	if (r < 0) {
		vl_server_free(s);
		return r;
	}
	*out = s;
	return 0;
}

void vl_server_free(vl_server *s)
{
	if (!s)
		return;
	s->cfg.conn_gone = NULL; /* the owner is freeing its tags too */
	while (s->conns)
		vl_conn_close(s->conns);
	while (s->lis) {
		struct vl_listener *l = s->lis;
		s->lis = l->next;
		listener_free(l);
	}
	el_remove(s->kick_timer);
	el_remove(s->resume_timer);
	vl_local_drop_all(s);
	free(s);
}

size_t vl_server_n_connections(const vl_server *s) { return s->n_conns; }

int vl_server_add_interface(vl_server *s, const vl_interface *iface, cerr *err)
{
	if (s->n_ifaces >= ARRAY_SIZE(s->ifaces))
		return cerr_set(err, ENOSPC, "varlink server: too many interfaces");
	s->ifaces[s->n_ifaces++] = iface;
	return 0;
}

int vl_server_add_raw(vl_server *s, const char *method, vl_raw_fn fn, cerr *err)
{
	if (s->n_raw >= ARRAY_SIZE(s->raw) || strlen(method) >= sizeof(s->raw[0].method))
		return cerr_set(err, ENOSPC, "varlink server: cannot serve %s from its text", method);
	snprintf(s->raw[s->n_raw].method, sizeof(s->raw[0].method), "%s", method);
	s->raw[s->n_raw++].fn = fn;
	return 0;
}

static int add_listener(vl_server *s, int fd, const char *path, void *tag, cerr *err)
{
	struct vl_listener *l = calloc(1, sizeof(*l));
	if (!l || (path && !(l->path = strdup(path)))) {
		free(l);
		close(fd);
		return cerr_set(err, ENOMEM, "varlink server: out of memory");
	}
	l->srv = s;
	l->fd = fd;
	l->tag = tag;
	int fl = fcntl(fd, F_GETFL);
	int r = fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? cerr_sys(err, errno, "varlink server: set non-blocking")
								   : el_add_io(s->loop, fd, EPOLLIN, on_listen_io, l, &l->src, err);
	if (r < 0) {
		l->path = (free(l->path), NULL); /* not ours to unlink yet */
		listener_free(l);
		return r;
	}
	l->next = s->lis;
	s->lis = l;
	return 0;
}

int vl_server_listen_fd(vl_server *s, int fd, cerr *err) { return add_listener(s, fd, NULL, NULL, err); }

int vl_server_listen_fd_tagged(vl_server *s, int fd, const char *path, void *tag, cerr *err)
{
	return add_listener(s, fd, path, tag, err);
}

void vl_server_unlisten(vl_server *s, void *tag)
{
	for (struct vl_listener **p = &s->lis; *p;) {
		struct vl_listener *l = *p;
		if (l->tag != tag) {
			p = &l->next;
			continue;
		}
		*p = l->next;
		listener_free(l);
	}
	for (vl_conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->tag == tag)
			vl_conn_close(c);
	}
}

/* Whether the process that listens on the socket fd is connected to has
 * died: the socket stays connectable while a child it had just forked
 * still holds it (a daemon killed before that child closed its fds). The
 * listener's pid is the one SO_PEERCRED gives, as at its listen(). */
static bool listener_dead(int fd)
{
	struct ucred uc;
	socklen_t n = sizeof(uc);
	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &n) == 0 && uc.pid > 0 && kill(uc.pid, 0) < 0 &&
	       errno == ESRCH;
}

/* A socket file nobody answers on is stale (a crashed daemon), as is one
 * whose listener has died; a live one means another daemon is serving it. */
static int clear_stale(const char *path, struct sockaddr_un *sa, cerr *err)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", path);
	if (!S_ISSOCK(st.st_mode))
		return cerr_set(err, EEXIST, "%s: exists and is not a socket", path);
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cerr_sys(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)sa, sizeof(*sa)) == 0 && !listener_dead(fd))
		return cerr_set(err, EADDRINUSE, "%s: another server is listening on it", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return cerr_sys(err, errno, "%s: remove stale socket", path);
	return 0;
}

int vl_listen_socket(const char *path, mode_t mode, gid_t gid, int *out, cerr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return cerr_set(err, ENAMETOOLONG, "%s: socket path longer than %zu bytes", path,
				sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	int r = clear_stale(path, &sa, err);
	if (r < 0)
		return r;
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return cerr_sys(err, errno, "socket");
	/* bind under a tight umask, then widen: never briefly world-connectable */
	mode_t old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0)
		return cerr_sys(err, errno, "%s: bind", path);
	if ((gid != PEER_NO_GROUP && chown(path, (uid_t)-1, gid) < 0) || chmod(path, mode) < 0) {
		int e = errno;
		unlink(path);
		return cerr_sys(err, e, "%s: set owner and mode", path);
	}
	if (listen(fd, SOMAXCONN) < 0) {
		int e = errno;
		unlink(path);
		return cerr_sys(err, e, "%s: listen", path);
	}
	*out = TAKE_FD(fd);
	return 0;
}

int vl_server_listen_tagged(vl_server *s, const char *path, mode_t mode, gid_t gid, void *tag, cerr *err)
{
	int fd;
	int r = vl_listen_socket(path, mode, gid, &fd, err);
	if (r < 0)
		return r;
	r = add_listener(s, fd, path, tag, err);
	if (r < 0)
		unlink(path);
	return r;
}

int vl_server_listen(vl_server *s, const char *path, mode_t mode, gid_t gid, cerr *err)
{
	return vl_server_listen_tagged(s, path, mode, gid, NULL, err);
}
