/* The broker's server and its tables: one listening socket per party (the
 * socket names the party), a routing table per session, and the pump that
 * feeds backlogged streams as their connections drain. */
#include "supervisor/daemon/broker/broker_int.h"
#include "supervisor/daemon/broker/request.h"
#include "supervisor/daemon/broker/route.h"
#include "supervisor/daemon/broker/broker_methods.h"
#include "supervisor/daemon/broker/broker_server.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/sessions/session.h"
#include "supervisor/api/interface.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"
#include "common/strv.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* All streams' connections hold more than BROKER_OUT_TOTAL unread: the
 * slowest reader (who holds the most) is cut off, until they do not. */
static void out_bound(broker *b)
{
	for (session *s = b->d->sessions; s; s = s->next)
		for (bstream *st = s->broker ? s->broker->streams : NULL; st; st = st->next)
			bstream_out_seen(st);
	while (b->out_total > BROKER_OUT_TOTAL) {
		bstream *slow = NULL;
		for (session *s = b->d->sessions; s; s = s->next)
			for (bstream *st = s->broker ? s->broker->streams : NULL; st; st = st->next)
				if (!slow || st->out_seen > slow->out_seen)
					slow = st;
		if (!slow)
			break;
		log_warn("broker: session %s: %s's stream holds %zu bytes unread, the most of all; disconnecting",
			 slow->bs->s->name, slow->m->name, slow->out_seen);
		slow->bs->disconnected++;
		bstream_close(slow);
	}
}

static void on_pump(el_source *src, void *data)
{
	broker *b = data;
	bool again = false;
	uint64_t now = mono_usec();
	if (b->out_total > BROKER_OUT_TOTAL)
		out_bound(b);
	for (session *s = b->d->sessions; s; s = s->next) {
		broker_session *bs = s->broker;
		for (bstream *st = bs ? bs->streams : NULL, *next; st; st = next) {
			next = st->next;
			if (!st->backlogged)
				continue;
			if (bq_tripped(st->q, now)) {
				/* the circuit breaker: full and unread for BQ_FULL_USEC */
				log_warn("broker: session %s: %s's stream full for %llus; disconnecting", s->name,
					 st->m->name, (unsigned long long)(BQ_FULL_USEC / 1000000));
				bs->disconnected++;
				bstream_close(st);
				continue;
			}
			bstream_pump(st);
			again |= st->backlogged;
		}
	}
	if (again)
		el_timer_set(b->pump, BROKER_PUMP_USEC, false);
}

/* A connection on party tag's socket: within its bounds and the session's? */
static const char *conn_admit(void *tag, void *userdata)
{
	bparty *m = tag;
	broker_session *bs = m->bs;
	const char *why = m->n_conns >= BROKER_PARTY_CONNS   ? "too many connections on this member's socket"
			  : bs->n_conns >= BROKER_SESSION_CONNS ? "too many connections in this session"
								: NULL;
	if (why) {
		bs->refused++;
		return why;
	}
	m->n_conns++;
	bs->n_conns++;
	return NULL;
}

static void conn_gone(void *tag, void *userdata)
{
	bparty *m = tag;
	m->n_conns--;
	m->bs->n_conns--;
}

broker *broker_of(struct corrald *d)
{
	if (d->broker)
		return d->broker;
	broker *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->d = d;
	cerr err = { 0 };
	/* who may connect is each socket's business: it is bound in one party */
	vl_server_config vc = {
		.vendor = "corral", .product = "corrald broker", .version = CORRAL_VERSION,
		.url = "https://github.com/corral/corral", .max_message = BROKER_MAX_MESSAGE,
		.max_connections = BROKER_CONNS, .max_per_uid = BROKER_CONNS, .any_peer = true, .group = PEER_NO_GROUP,
		.conn_admit = conn_admit, .conn_gone = conn_gone,
	};
	if (vl_server_new(d->loop, &vc, &b->srv, &err) < 0 || vl_server_add_interface(b->srv, &broker_iface, &err) < 0 ||
	    vl_server_add_raw(b->srv, CORRAL_BROKER_INTERFACE ".Publish", broker_publish_text, &err) < 0 ||
	    el_add_timer(d->loop, 0, false, on_pump, b, &b->pump, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "broker");
		vl_server_free(b->srv);
		free(b);
		return NULL;
	}
	return d->broker = b;
}

void broker_shutdown(struct corrald *d)
{
	broker *b = d->broker;
	if (!b)
		return;
	for (session *s = d->sessions; s; s = s->next)
		broker_session_close(d, s);
	el_remove(b->pump);
	vl_server_free(b->srv);
	sb_release(&b->render);
	free(b);
	d->broker = NULL;
}

int broker_session_open(struct corrald *d, struct session *s, cerr *err)
{
	if (s->broker)
		return 0;
	broker *b = broker_of(d);
	broker_session *bs = b ? calloc(1, sizeof(*bs)) : NULL;
	if (!bs)
		return cerr_set(err, ENOMEM, "session %s: broker: out of memory", s->name);
	bs->b = b;
	bs->s = s;
	bs->host = (bparty){ .bs = bs, .name = (char *)BROKER_HOST };
	bucket_init(&bs->host.msgs, 0, 0, 0);
	bucket_init(&bs->host.bytes, 0, 0, 0);
	s->broker = bs;
	return 0;
}

static void party_free(broker *b, bparty *m)
{
	vl_server_unlisten(b->srv, m); /* its streams' and requests' hooks run; the socket goes */
	breq_forget_party(m->bs, m);
	free(m->name);
	free(m->id);
	free(m->path);
	strv_free(m->labels);
	free(m);
}

void broker_session_close(struct corrald *d, struct session *s)
{
	broker_session *bs = s->broker;
	if (!bs)
		return;
	breq_end_all(bs);
	while (bs->streams)
		bstream_close(bs->streams);
	while (bs->parties) {
		bparty *m = bs->parties;
		bs->parties = m->next;
		party_free(bs->b, m);
	}
	free(bs);
	s->broker = NULL;
}

static void party_rates(bparty *m)
{
	const broker_rule *r = broker_policy_rule(m->bs->s->policy, m->name, m->labels);
	uint64_t now = mono_usec();
	bucket_init(&m->msgs, r ? r->msg_rate : 0, r ? r->msg_burst : 0, now);
	/* a burst of bytes holds at least one largest message */
	double bb = r ? r->byte_burst : 0;
	bucket_init(&m->bytes, r ? r->byte_rate : 0, bb ? bb : (r && r->byte_rate > BROKER_DATA_MAX ? r->byte_rate : BROKER_DATA_MAX), now);
}

/* Its party entry and socket, not its directory. */
static bparty *party_take(struct corrald *d, const struct ctr *c)
{
	for (session *s = d->sessions; s; s = s->next) {
		broker_session *bs = s->broker;
		for (bparty **p = bs ? &bs->parties : NULL; p && *p; p = &(*p)->next) {
			if (strcmp((*p)->id, c->id) != 0)
				continue;
			bparty *m = *p;
			*p = m->next;
			return m;
		}
	}
	return NULL;
}

static void party_drop(struct corrald *d, const struct ctr *c)
{
	bparty *m = party_take(d, c);
	if (m)
		party_free(m->bs->b, m);
}

/* The party's own directory, <session>/broker/<id>/, made (0755: the
 * container's users pass through it to the socket) and opened; dir gets its
 * path. Nothing of the container can reach it: the bundle binds it read-only. */
static int party_dir(const session *s, const struct ctr *c, char **dir, cerr *err)
{
	_cleanup_free_ char *top = NULL;
	if (asprintf(&top, "%s/broker", s->dir) < 0 || asprintf(dir, "%s/%s", top, c->id) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	/* the top is corrald's alone */
	int r = mkdir_p(top, 0700);
	if (r < 0)
		return cerr_sys(err, -r, "session %s: %s", s->name, top);
	if (mkdir(*dir, 0755) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "session %s: %s", s->name, *dir);
	int fd = open(*dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "session %s: %s", s->name, *dir);
	return fd;
}

int broker_party_add(struct corrald *d, struct session *s, struct ctr *c, char *path, size_t n, cerr *err)
{
	int r = broker_session_open(d, s, err);
	if (r < 0)
		return r;
	broker_session *bs = s->broker;
	party_drop(d, c); /* a party loaded again: its directory stays, bound in it */
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dfd = party_dir(s, c, &dir, err);
	if (dfd < 0)
		return dfd;
	bparty *m = calloc(1, sizeof(*m));
	if (m && asprintf(&m->path, "%s/" BROKER_SOCK_NAME, dir) < 0)
		m->path = NULL; /* undefined after a failed asprintf */
	if (!m || !m->path || !(m->name = strdup(c->name ? c->name : c->id)) || !(m->id = strdup(c->id)) ||
	    (c->spec.labels && !(m->labels = strv_copy(c->spec.labels)))) {
		if (m) {
			m->bs = bs;
			party_free(bs->b, m);
		}
		return cerr_set(err, ENOMEM, "out of memory");
	}
	m->bs = bs;
	party_rates(m);
	if (strlen(dir) >= n) {
		r = cerr_set(err, ENAMETOOLONG, "session %s: %s: path too long", s->name, dir);
		party_free(bs->b, m);
		return r;
	}
	/* A socket from before corrald's restart is replaced here, on the host:
	 * a running party sees the new one through its bind of the directory,
	 * and corrald does nothing in the party's namespaces or root. A long
	 * state directory: bind through a short name for the same file. */
	_cleanup_free_ char *bindpath = NULL;
	if (strlen(m->path) < sizeof(((struct sockaddr_un *)0)->sun_path))
		bindpath = strdup(m->path);
	else if (asprintf(&bindpath, "/proc/self/fd/%d/" BROKER_SOCK_NAME, dfd) < 0)
		bindpath = NULL;
	if (!bindpath)
		r = cerr_set(err, ENOMEM, "out of memory");
	int lfd = -1;
	if (r == 0 && (r = vl_listen_socket(bindpath, 0666, PEER_NO_GROUP, &lfd, err)) == 0 &&
	    (r = vl_server_listen_fd_tagged(bs->b->srv, lfd, m->path, m, err)) < 0)
		unlink(m->path);
	if (r < 0) {
		cerr_wrap(err, "session %s: broker socket of %s", s->name, m->name);
		party_free(bs->b, m);
		return r;
	}
	snprintf(path, n, "%s", dir);
	m->next = bs->parties;
	bs->parties = m;
	return 0;
}

void broker_party_remove(struct corrald *d, struct ctr *c)
{
	bparty *m = party_take(d, c);
	if (!m)
		return;
	char *slash = strrchr(m->path, '/');
	_cleanup_free_ char *dir = slash ? strndup(m->path, (size_t)(slash - m->path)) : NULL;
	party_free(m->bs->b, m);
	if (dir && rmdir(dir) < 0 && errno != ENOENT)
		log_warn("broker: %s: %s", dir, strerror(errno));
}

const session_listener broker_session_listener = {
	.opened = broker_session_open,
	.closed = broker_session_close,
	.ctr_added = broker_party_add,
	.ctr_removed = broker_party_remove,
	.policy_load = broker_policy_load,
	.policy_free = broker_policy_free,
};
