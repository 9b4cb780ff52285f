#include "supervisor/daemon/compat/handoff.h"
#include "supervisor/daemon/core/admission.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "common/tcp_listen.h"
#include "supervisor/loop/child.h"

#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define HELPER_MAX_PROCS 256    /* helpers of one socket at once */
#define HELPER_MAX_PER_MEMBER 32 /* of them serving one member: the rest stay for the others */
#define HELPER_STANDBYS 2       /* started ahead: a client's next connection finds one ready too */
#define HELPER_MAX_UNTOLD 32     /* anonymous helpers not yet told what they serve (o.tcp) */
#define HELPER_MAX_OUTPUT 4096  /* of what one says on stderr, for the log */
#define HELPER_FALLBACK_ID 65534 /* nobody, where the user named is not there */

/* A helper started: corrald's end of its fd 3 until a connection is handed
 * over it (then the varlink server's), -1 after. */
struct helper_proc {
	struct handoff *ds;
	int sock;
	uid_t peer; /* whose connection it serves; (uid_t)-1 for a standby */
	peer_cred cred; /* and its credentials, for the connections it asks for */
	int grants; /* where it asks for them (grants_conns), -1 else */
	el_source *grants_src;
	void *ask_state; /* the ask hook's (anonymous handoffs) */
	el_child *child;
	bool evicted; /* killed to make room (evict_untold): no warning */
	struct helper_proc *next;
};

/* One for each socket, never freed: a helper that ends after the stop still
 * finds it (they end with corrald: PR_SET_PDEATHSIG). */
struct handoff {
	corrald *d;
	handoff_opts o;
	int fd;
	char *path; /* unlinked at the stop; NULL when socket-activated */
	el_source *src;
	gid_t group;
	size_t n_procs;
	/* all running; the standbys among them (peer (uid_t)-1, sock open),
	 * started ahead, confined, waiting for a connection: a client does not
	 * wait for a process to start and load its libraries */
	struct helper_proc *procs;
	char uid_arg[16], gid_arg[16], idle_arg[16];
	char tcp_addr[TCP_ADDR_MAX]; /* where it listens (o.tcp) */
	uid_rates connect_rates; /* new connections per uid (admission.h) */
};
static struct handoff the_handoffs[3];

/* the helper's user: NAME, or UID:GID */
static int resolve_user(const char *spec, struct handoff *ds, cerr *err)
{
	unsigned u, g;
	char end;
	if (sscanf(spec, "%u:%u%c", &u, &g, &end) != 2) {
		struct passwd *pw = getpwnam(spec);
		u = g = HELPER_FALLBACK_ID;
		if (pw)
			u = pw->pw_uid, g = pw->pw_gid;
		else
			log_warn("%s-user %s: no such user; its helper runs as %u:%u", ds->o.name, spec, u, g);
	}
	if (u == 0 || g == 0)
		return cerr_set(err, EINVAL, "%s-user: must not be root, not \"%s\"", ds->o.name, spec);
	snprintf(ds->uid_arg, sizeof(ds->uid_arg), "%u", u);
	snprintf(ds->gid_arg, sizeof(ds->gid_arg), "%u", g);
	return 0;
}

/* its fds and the ask hook's state; the record itself stays */
static void proc_release(struct helper_proc *p)
{
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
	el_remove(p->grants_src);
	p->grants_src = NULL;
	if (p->grants >= 0)
		close(p->grants);
	p->grants = -1;
	if (p->ds->o.forget && p->ask_state)
		p->ds->o.forget(p->ask_state);
	p->ask_state = NULL;
}

static void on_proc_done(const el_child_result *r, void *data)
{
	struct helper_proc *p = data;
	struct handoff *ds = p->ds;
	ds->n_procs--;
	for (struct helper_proc **pp = &ds->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	proc_release(p);
	if (r->code != 0 && !p->evicted) {
		const char *why = r->out[1].len ? r->out[1].buf : "";
		log_warn("%s exited with %d%s%.*s", ds->o.bin, r->code, *why ? ": " : "", (int)strcspn(why, "\n"), why);
	}
	free(p);
}

/* A helper, with one end of a socketpair as its fd 3. */
static struct helper_proc *start_proc(struct handoff *ds)
{
	int sp[2];
	if (ds->n_procs >= HELPER_MAX_PROCS)
		return NULL;
	if (socketpair(AF_UNIX, (ds->o.tcp ? SOCK_SEQPACKET : SOCK_STREAM) | SOCK_CLOEXEC, 0, sp) < 0) {
		log_warn("%s socket: socketpair: %s", ds->o.name, strerror(errno));
		return NULL;
	}
	_cleanup_close_ int theirs = sp[1];
	struct helper_proc *p = calloc(1, sizeof(*p));
	if (!p) {
		close(sp[0]);
		return NULL;
	}
	*p = (struct helper_proc){ .ds = ds, .sock = sp[0], .peer = (uid_t)-1, .grants = -1 };
	char *argv[] = { (char *)ds->o.bin, "--uid", ds->uid_arg, "--gid", ds->gid_arg,
			 ds->o.idle_timeout ? "--idle-timeout" : NULL, ds->idle_arg, NULL };
	el_child_opts o = { .path = ds->o.bin, .argv = argv, .fd3 = theirs, .max_output = HELPER_MAX_OUTPUT };
	_cleanup_cerr_ cerr err = { 0 };
	if (el_child_run(ds->d->loop, &o, on_proc_done, p, &p->child, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "%s socket: start %s", ds->o.name, ds->o.bin);
		close(p->sock);
		free(p);
		return NULL;
	}
	ds->n_procs++;
	p->next = ds->procs;
	ds->procs = p;
	return p;
}

static size_t procs_of(const struct handoff *ds, uid_t uid)
{
	size_t n = 0;
	for (const struct helper_proc *p = ds->procs; p; p = p->next)
		n += p->peer == uid;
	return n;
}

/* Said before the client's request is read (corrald reads no HTTP): the
 * client sees why, not a bare close. One send, so a client's single read
 * gets the head and the body. */
void handoff_refuse_http1(int conn, const char *why)
{
	char body[256];
	int body_len = snprintf(body, sizeof(body), "{\"message\":\"%s\"}\n", why);
	char msg[160 + sizeof(body)];
	int n = snprintf(msg, sizeof(msg),
			 "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
			 "Connection: close\r\n\r\n%s",
			 body_len, body);
	(void)send(conn, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(conn, SHUT_WR);
}

/* HTTP/2 (RFC 9113): the server's preface is a SETTINGS frame; GOAWAY then
 * names no stream (last 0) and says why in its debug data. */
void handoff_refuse_http2(int conn, const char *why)
{
	size_t why_len = strnlen(why, 200);
	unsigned char f[9 + 9 + 8 + 200] = { 0, 0, 0, 0x4 /* SETTINGS */ };
	size_t len = 8 + why_len;
	unsigned char *g = f + 9;
	g[0] = (unsigned char)(len >> 16), g[1] = (unsigned char)(len >> 8), g[2] = (unsigned char)len;
	g[3] = 0x7; /* GOAWAY, no flags, stream 0, last stream 0 */
	g[9 + 7] = 0xb; /* ENHANCE_YOUR_CALM */
	memcpy(g + 17, why, why_len);
	(void)send(conn, f, 9 + 9 + len, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(conn, SHUT_WR);
}

static bool is_standby(const struct helper_proc *p) { return p->peer == (uid_t)-1 && p->sock >= 0; }

/* The oldest standby (the likeliest to be ready), or NULL */
static struct helper_proc *take_standby(struct handoff *ds)
{
	struct helper_proc *found = NULL;
	for (struct helper_proc *p = ds->procs; p; p = p->next)
		if (is_standby(p))
			found = p; /* the list is newest first */
	return found;
}

/* A standby, else a new helper; NULL at the bound */
static struct helper_proc *helper_for(struct handoff *ds)
{
	struct helper_proc *p = take_standby(ds);
	return p ? p : start_proc(ds);
}

static void fill_standbys(struct handoff *ds)
{
	size_t n = 0;
	for (const struct helper_proc *p = ds->procs; p; p = p->next)
		n += is_standby(p);
	for (; n < HELPER_STANDBYS && start_proc(ds); n++)
		;
}

/* What a helper asked on its grants socket: the bytes, or <= 0 (when it
 * has gone, the source goes too: on_proc_done closes the fd) */
static ssize_t read_ask(struct helper_proc *p, int fd, char *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		el_remove(p->grants_src);
		p->grants_src = NULL;
		return 0;
	}
	return n;
}

/* A helper asks for another varlink connection of its client's: a
 * socketpair, one end served as the client's (max-connections-per-uid
 * bounds them), the other sent back. A refusal sends a byte with no fd. */
static void on_grant(el_source *src, int fd, uint32_t events, void *data)
{
	struct helper_proc *p = data;
	char ask[16];
	ssize_t n = read_ask(p, fd, ask, sizeof(ask));
	for (ssize_t i = 0; i < n; i++) {
		int sp[2] = { -1, -1 };
		const char *why = "socketpair failed";
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0)
			why = vl_server_add_connection(p->ds->d->srv, sp[0], &p->cred); /* takes sp[0] */
		char c = why ? 'E' : 'N';
		if (why)
			log_warn("%s socket: uid %u: no more connections: %s", p->ds->o.name, (unsigned)p->peer, why);
		(void)fd_send(fd, &c, 1, &sp[1], why || sp[1] < 0 ? 0 : 1, 0);
		if (sp[1] >= 0)
			close(sp[1]);
	}
}

/* One connection: its helper (a standby, else a new one) gets the client's
 * connection over its fd 3 (and where it asks for more, grants_conns);
 * corrald serves fd 3 as the client's own varlink connection. Then the
 * standbys are made up again. */
static void serve(struct handoff *ds, int conn, const peer_cred *client)
{
	peer_cred cred = *client;
	cred.own_only = ds->o.own_view;
	const peer_cred *peer = &cred;
	if (peer->uid != 0 && procs_of(ds, peer->uid) >= HELPER_MAX_PER_MEMBER) {
		char why[128];
		snprintf(why, sizeof(why), "uid %u has %d %s connections open, the most one member may",
			 (unsigned)peer->uid, HELPER_MAX_PER_MEMBER, ds->o.noun);
		admission_capped(ds->d, &ds->connect_rates, peer, ds->o.name, why);
		return ds->o.refuse(conn, why);
	}
	struct helper_proc *p = helper_for(ds);
	if (!p)
		return log_warn("%s socket: no helper for uid %u (%zu running)", ds->o.name, (unsigned)peer->uid,
				ds->n_procs);
	int fds[2] = { conn, -1 }, gp[2] = { -1, -1 };
	_cleanup_cerr_ cerr err = { 0 };
	if (ds->o.grants_conns &&
	    (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gp) < 0 ||
	     el_add_io(ds->d->loop, gp[0], EPOLLIN, on_grant, p, &p->grants_src, &err) < 0)) {
		log_warn("%s socket: no socket for the helper's connections", ds->o.name);
		if (gp[0] >= 0)
			close(gp[0]), close(gp[1]);
		gp[0] = gp[1] = -1;
	}
	p->grants = gp[0];
	fds[1] = gp[1];
	/* 'C', then (grants_conns) the peer's uid: a CRI's defaults are root's
	 * or a member's */
	struct __attribute__((packed)) { char c; uint32_t uid; } msg = { 'C', (uint32_t)peer->uid };
	size_t len = ds->o.grants_conns ? sizeof(msg) : 1;
	const char *why;
	if ((ds->o.grants_conns && gp[1] < 0) || fd_send(p->sock, &msg, len, fds, ds->o.grants_conns ? 2 : 1, 0) != (ssize_t)len) {
		log_warn("%s socket: could not hand the connection on", ds->o.name);
		close(p->sock); /* its helper sees fd 3 close, and ends */
	} else if ((why = vl_server_add_connection(ds->d->srv, p->sock, peer))) { /* takes the sock */
		log_warn("%s socket: uid %u refused: %s", ds->o.name, (unsigned)peer->uid, why);
	}
	if (gp[1] >= 0)
		close(gp[1]);
	p->sock = -1;
	p->peer = peer->uid;
	p->cred = *peer;
	fill_standbys(ds);
}

/* An ask of an anonymous helper's (o.tcp): one message, the hook's to answer */
static void on_ask(el_source *src, int fd, uint32_t events, void *data)
{
	struct helper_proc *p = data;
	char msg[256];
	ssize_t n = read_ask(p, fd, msg, sizeof(msg));
	if (n > 0)
		p->ds->o.ask(p->ds->d, fd, msg, (size_t)n, &p->ask_state);
}

/* An anonymous helper whose connection has asked for nothing yet */
static bool is_untold(const struct helper_proc *p) { return p->peer == 0 && p->grants >= 0 && !p->ask_state; }

/* Anyone on the host may connect, and a connection that never says what
 * it is for holds its helper until the helper's deadline: past the bound,
 * the oldest such makes room (a kubelet's says it at once, a hoarder's
 * must keep coming) */
static void evict_untold(struct handoff *ds)
{
	size_t n = 0;
	struct helper_proc *oldest = NULL;
	for (struct helper_proc *p = ds->procs; p; p = p->next)
		if (is_untold(p))
			n++, oldest = p; /* the list is newest first */
	if (n < HELPER_MAX_UNTOLD)
		return;
	proc_release(oldest); /* its asks are not read any more */
	oldest->evicted = true;
	el_child_kill(oldest->child);
}

/* A connection of a peer not known: its helper gets it alone, and asks on
 * its fd 3 for whatever it is to have */
static void serve_anonymous(struct handoff *ds, int conn)
{
	evict_untold(ds);
	struct helper_proc *p = helper_for(ds);
	if (!p)
		return log_warn("%s socket: no helper (%zu running)", ds->o.name, ds->n_procs);
	_cleanup_cerr_ cerr err = { 0 };
	char c = 'C';
	if (fd_send(p->sock, &c, 1, &conn, 1, 0) != 1 ||
	    el_add_io(ds->d->loop, p->sock, EPOLLIN, on_ask, p, &p->grants_src, &err) < 0) {
		log_warn("%s socket: could not hand the connection on", ds->o.name);
		close(p->sock); /* its helper sees fd 3 close, and ends */
		p->sock = -1;
	}
	p->grants = TAKE_FD(p->sock);
	p->peer = 0; /* not a standby */
	fill_standbys(ds);
}

static void on_accept(el_source *src, int fd, uint32_t events, void *data)
{
	struct handoff *ds = data;
	for (int i = 0; i < 64; i++) {
		_cleanup_close_ int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			return;
		if (ds->o.tcp) {
			serve_anonymous(ds, conn);
			continue;
		}
		peer_cred peer;
		_cleanup_cerr_ cerr err = { 0 };
		if (peer_get(conn, &peer, &err) < 0) {
			log_cerr(LOG_LVL_WARN, &err, "%s socket", ds->o.name);
			continue;
		}
		/* before anything is spent on it, a log line included */
		const char *why = admission_check(ds->d, &ds->connect_rates, &peer, ds->o.name);
		if (why) {
			ds->o.refuse(conn, why);
			continue;
		}
		/* who may call is as for varlink: root and the group's members */
		if (!peer_allowed(&peer, ds->group)) {
			log_warn("%s socket: uid %u is not in corrald's group; refused", ds->o.name, (unsigned)peer.uid);
			continue;
		}
		serve(ds, conn, &peer);
	}
}

int handoff_start(corrald *d, const handoff_opts *o, gid_t group, int activated_fd, struct handoff **out, cerr *err)
{
	struct handoff *ds = NULL;
	for (size_t i = 0; i < sizeof(the_handoffs) / sizeof(*the_handoffs) && !ds; i++)
		if (!the_handoffs[i].o.name || streq(the_handoffs[i].o.name, o->name))
			ds = &the_handoffs[i];
	if (!ds)
		return cerr_set(err, ENOSPC, "%s-socket: no room for another handed-off socket", o->name);
	*ds = (struct handoff){ .d = d, .o = *o, .fd = activated_fd, .group = group };
	if (resolve_user(o->user, ds, err) < 0)
		return -1;
	snprintf(ds->idle_arg, sizeof(ds->idle_arg), "%zu", o->idle_timeout);
	uid_rates_init(&ds->connect_rates, o->rate, o->burst);
	if (access(o->bin, X_OK) < 0)
		return cerr_sys(err, errno, "%s-socket: %s", o->name, o->bin);
	if (o->tcp && tcp_listen(o->name, o->tcp, &ds->fd, ds->tcp_addr, err) < 0)
		return -1;
	if (ds->fd < 0) {
		if (vl_listen_socket(o->path, d->cfg->socket_mode, group, &ds->fd, err) < 0)
			return cerr_wrap(err, "%s-socket", o->name);
		ds->path = strdup(o->path);
	}
	if (el_add_io(d->loop, ds->fd, EPOLLIN, on_accept, ds, &ds->src, err) < 0)
		return -1;
	*out = ds;
	fill_standbys(ds);
	log_info("%s on %s", o->title, o->tcp ? ds->tcp_addr : ds->path ? ds->path : "a socket-activated fd");
	return 0;
}

const char *handoff_tcp_addr(const struct handoff *h) { return h->tcp_addr; }

void handoff_stop(struct handoff **h)
{
	struct handoff *ds = *h;
	if (!ds)
		return;
	el_remove(ds->src);
	ds->src = NULL;
	if (ds->fd >= 0)
		close(ds->fd);
	ds->fd = -1;
	if (ds->path)
		unlink(ds->path);
	/* their records go; each process ends with corrald (PR_SET_PDEATHSIG) */
	while (ds->procs) {
		struct helper_proc *p = ds->procs;
		ds->procs = p->next;
		el_child_abandon(p->child);
		proc_release(p);
		free(p);
	}
	ds->n_procs = 0;
	free(ds->path);
	ds->path = NULL;
	*h = NULL;
}
