#include "supervisor/daemon/compat/docker_socket.h"
#include "supervisor/daemon/core/admission.h"
#include "supervisor/daemon/core/corrald.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "supervisor/loop/child.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOCKER_MAX_PROCS 256    /* corral-docker processes at once */
#define DOCKER_MAX_PER_MEMBER 32 /* of them serving one member: the rest stay for the others */
#define DOCKER_STANDBYS 2       /* started ahead: a client's next connection finds one ready too */
#define DOCKER_MAX_OUTPUT 4096  /* of what one says on stderr, for the log */
#define DOCKER_FALLBACK_ID 65534 /* nobody, where docker-user names no user */

/* A corral-docker started: corrald's end of its fd 3 until a connection is
 * handed over it (then the varlink server's), -1 after. */
struct docker_proc {
	struct docker_socket *ds;
	int sock;
	uid_t peer; /* whose connection it serves; (uid_t)-1 for a standby */
	el_child *child;
	struct docker_proc *next;
};

/* One per corrald, never freed: a corral-docker that ends after the stop
 * still finds it (they end with corrald: PR_SET_PDEATHSIG). */
static struct docker_socket {
	corrald *d;
	int fd;
	char *path; /* unlinked at the stop; NULL when socket-activated */
	el_source *src;
	gid_t group;
	size_t n_procs;
	/* all running; the standbys among them (peer (uid_t)-1, sock open),
	 * started ahead, confined, waiting for a connection: a client does not
	 * wait for a process to start and load its libraries */
	struct docker_proc *procs;
	char uid_arg[16], gid_arg[16], idle_arg[16];
	uid_rates connect_rates; /* new connections per uid (admission.h) */
} the_socket = { .fd = -1 };

/* docker-user: NAME, or UID:GID */
static int resolve_user(const char *spec, struct docker_socket *ds, cerr *err)
{
	unsigned u, g;
	char end;
	if (sscanf(spec, "%u:%u%c", &u, &g, &end) != 2) {
		struct passwd *pw = getpwnam(spec);
		u = g = DOCKER_FALLBACK_ID;
		if (pw)
			u = pw->pw_uid, g = pw->pw_gid;
		else
			log_warn("docker-user %s: no such user; corral-docker runs as %u:%u", spec, u, g);
	}
	if (u == 0 || g == 0)
		return cerr_set(err, EINVAL, "docker-user: must not be root, not \"%s\"", spec);
	snprintf(ds->uid_arg, sizeof(ds->uid_arg), "%u", u);
	snprintf(ds->gid_arg, sizeof(ds->gid_arg), "%u", g);
	return 0;
}

static void on_proc_done(const el_child_result *r, void *data)
{
	struct docker_proc *p = data;
	struct docker_socket *ds = p->ds;
	ds->n_procs--;
	for (struct docker_proc **pp = &ds->procs; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (p->sock >= 0)
		close(p->sock);
	if (r->code != 0) {
		const char *why = r->out[1].len ? r->out[1].buf : "";
		log_warn("corral-docker exited with %d%s%.*s", r->code, *why ? ": " : "", (int)strcspn(why, "\n"), why);
	}
	free(p);
}

/* A corral-docker, with one end of a socketpair as its fd 3. */
static struct docker_proc *start_proc(struct docker_socket *ds)
{
	int sp[2];
	if (ds->n_procs >= DOCKER_MAX_PROCS)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
		log_warn("docker socket: socketpair: %s", strerror(errno));
		return NULL;
	}
	_cleanup_close_ int theirs = sp[1];
	struct docker_proc *p = calloc(1, sizeof(*p));
	if (!p) {
		close(sp[0]);
		return NULL;
	}
	*p = (struct docker_proc){ .ds = ds, .sock = sp[0], .peer = (uid_t)-1 };
	char *argv[] = { ds->d->docker_bin, "--uid", ds->uid_arg, "--gid", ds->gid_arg,
			 "--idle-timeout", ds->idle_arg, NULL };
	el_child_opts o = { .path = ds->d->docker_bin, .argv = argv, .fd3 = theirs, .max_output = DOCKER_MAX_OUTPUT };
	_cleanup_cerr_ cerr err = { 0 };
	if (el_child_run(ds->d->loop, &o, on_proc_done, p, &p->child, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "docker socket: start corral-docker");
		close(p->sock);
		free(p);
		return NULL;
	}
	ds->n_procs++;
	p->next = ds->procs;
	ds->procs = p;
	return p;
}

static size_t procs_of(const struct docker_socket *ds, uid_t uid)
{
	size_t n = 0;
	for (const struct docker_proc *p = ds->procs; p; p = p->next)
		n += p->peer == uid;
	return n;
}

/* Said before the client's request is read (corrald reads no HTTP): the
 * client sees why, not a bare close. */
static void refuse(int conn, const char *why)
{
	char msg[256];
	int body = snprintf(msg, sizeof(msg), "{\"message\":\"%s\"}\n", why);
	char head[160];
	int n = snprintf(head, sizeof(head),
			 "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
			 "Connection: close\r\n\r\n",
			 body);
	if (send(conn, head, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) == n)
		(void)send(conn, msg, (size_t)body, MSG_DONTWAIT | MSG_NOSIGNAL);
	shutdown(conn, SHUT_WR);
}

static bool is_standby(const struct docker_proc *p) { return p->peer == (uid_t)-1 && p->sock >= 0; }

/* The oldest standby (the likeliest to be ready), or NULL */
static struct docker_proc *take_standby(struct docker_socket *ds)
{
	struct docker_proc *found = NULL;
	for (struct docker_proc *p = ds->procs; p; p = p->next)
		if (is_standby(p))
			found = p; /* the list is newest first */
	return found;
}

static void fill_standbys(struct docker_socket *ds)
{
	size_t n = 0;
	for (const struct docker_proc *p = ds->procs; p; p = p->next)
		n += is_standby(p);
	for (; n < DOCKER_STANDBYS && start_proc(ds); n++)
		;
}

/* One connection: its corral-docker (a standby, else a new one) gets the
 * client's connection over its fd 3; corrald serves the other end as the
 * client's own varlink connection. Then the standbys are made up again. */
static void serve(struct docker_socket *ds, int conn, const peer_cred *peer)
{
	if (peer->uid != 0 && procs_of(ds, peer->uid) >= DOCKER_MAX_PER_MEMBER) {
		char why[128];
		snprintf(why, sizeof(why), "uid %u has %d Docker API connections open, the most one member may",
			 (unsigned)peer->uid, DOCKER_MAX_PER_MEMBER);
		admission_capped(ds->d, &ds->connect_rates, peer, "docker", why);
		return refuse(conn, why);
	}
	struct docker_proc *p = take_standby(ds);
	if (!p)
		p = start_proc(ds);
	if (!p)
		return log_warn("docker socket: no corral-docker for uid %u (%zu running)", (unsigned)peer->uid,
				ds->n_procs);
	char one = 'C';
	const char *why;
	if (fd_send(p->sock, &one, 1, &conn, 1, 0) != 1) {
		log_warn("docker socket: could not hand the connection on");
		close(p->sock); /* its corral-docker sees fd 3 close, and ends */
	} else if ((why = vl_server_add_connection(ds->d->srv, p->sock, peer))) { /* takes the sock */
		log_warn("docker socket: uid %u refused: %s", (unsigned)peer->uid, why);
	}
	p->sock = -1;
	p->peer = peer->uid;
	fill_standbys(ds);
}

static void on_accept(el_source *src, int fd, uint32_t events, void *data)
{
	struct docker_socket *ds = data;
	for (int i = 0; i < 64; i++) {
		_cleanup_close_ int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (conn < 0)
			return;
		peer_cred peer;
		_cleanup_cerr_ cerr err = { 0 };
		if (peer_get(conn, &peer, &err) < 0) {
			log_cerr(LOG_LVL_WARN, &err, "docker socket");
			continue;
		}
		/* before anything is spent on it, a log line included */
		const char *why = admission_check(ds->d, &ds->connect_rates, &peer, "docker");
		if (why) {
			refuse(conn, why);
			continue;
		}
		/* who may call is as for varlink: root and the group's members */
		if (!peer_allowed(&peer, ds->group)) {
			log_warn("docker socket: uid %u is not in corrald's group; refused", (unsigned)peer.uid);
			continue;
		}
		serve(ds, conn, &peer);
	}
}

int docker_socket_start(corrald *d, gid_t group, int activated_fd, cerr *err)
{
	struct docker_socket *ds = &the_socket;
	const char *path = config_docker_socket(d->cfg);
	if (activated_fd < 0 && !path[0])
		return 0;
	*ds = (struct docker_socket){ .d = d, .fd = activated_fd, .group = group };
	if (resolve_user(d->cfg->docker_user, ds, err) < 0)
		return -1;
	snprintf(ds->idle_arg, sizeof(ds->idle_arg), "%zu", d->cfg->docker_idle_timeout);
	uid_rates_init(&ds->connect_rates, (double)d->cfg->docker_connect_rate_per_uid,
		       (double)d->cfg->docker_connect_rate_burst);
	if (access(d->docker_bin, X_OK) < 0)
		return cerr_sys(err, errno, "docker-socket: %s", d->docker_bin);
	if (ds->fd < 0) {
		if (vl_listen_socket(path, d->cfg->socket_mode, group, &ds->fd, err) < 0)
			return cerr_wrap(err, "docker-socket");
		ds->path = strdup(path);
	}
	if (el_add_io(d->loop, ds->fd, EPOLLIN, on_accept, ds, &ds->src, err) < 0)
		return -1;
	d->docker = ds;
	fill_standbys(ds);
	log_info("the Docker API on %s", ds->path ? ds->path : "a socket-activated fd");
	return 0;
}

void docker_socket_stop(corrald *d)
{
	struct docker_socket *ds = d->docker;
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
		struct docker_proc *p = ds->procs;
		ds->procs = p->next;
		el_child_abandon(p->child);
		if (p->sock >= 0)
			close(p->sock);
		free(p);
	}
	ds->n_procs = 0;
	free(ds->path);
	ds->path = NULL;
	d->docker = NULL;
}
