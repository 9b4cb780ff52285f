/* port-forward (portforward.k8s.io): the client opens two streams for each
 * connection, an error and a data stream, with the same port and
 * requestid; the data stream's bytes go to that port inside the pod's
 * network namespace and back. corrald makes the socket there (IPv4's
 * loopback, then IPv6's where nothing listens on IPv4's); a port nobody
 * listens on gets its reason on the error stream. */
#include "supervisor/stream/serve.h"
#include "supervisor/stream/port_forward.h"
#include "supervisor/api/stream_asks.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/monotonic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PAIR_TIMEOUT_USEC (30 * 1000000ull) /* for a pair's second stream */
#define TO_POD_MAX (4u << 20)                /* queued for a pod's socket; and for all, before the client waits */

typedef struct pair {
	char request_id[32];
	long port;
	uint32_t error_id, data_id; /* 0 until opened */
	int fd;                     /* the pod's socket, once asked */
	bool connected, v6, pod_eof, client_eof;
	bool pod_shut; /* the client's FIN passed on: its socket is never asked to write again */
	outq to_pod;
	uint64_t since_usec;
} pair;

typedef struct forwarder {
	pair pairs[SC_MAX_STREAMS / 2];
	size_t n;
} forwarder;

static sc_stream *stream_of(stream_conn *c, uint32_t id)
{
	for (size_t i = 0; id && i < c->n_streams; i++)
		if (c->streams[i].id == id)
			return &c->streams[i];
	return NULL;
}

static pair *pair_of(forwarder *f, const char *rid)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->pairs[i].request_id, rid))
			return &f->pairs[i];
	return NULL;
}

static pair *pair_of_stream(forwarder *f, uint32_t id)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->pairs[i].error_id == id || f->pairs[i].data_id == id)
			return &f->pairs[i];
	return NULL;
}

/* the pair goes: its streams ended (an error's text first), its socket closed */
static void drop(stream_conn *c, forwarder *f, pair *p, const char *error)
{
	sc_stream *e = stream_of(c, p->error_id), *d = stream_of(c, p->data_id);
	if (e)
		sc_send(c, e, error ? error : "", error ? strlen(error) : 0, true);
	if (d)
		sc_send(c, d, NULL, 0, true);
	/* forgotten here: a FIN of the client's on them after is dropped */
	if ((e = stream_of(c, p->error_id)))
		sc_forget(c, e);
	if ((d = stream_of(c, p->data_id)))
		sc_forget(c, d);
	if (p->fd >= 0)
		close(p->fd);
	outq_release(&p->to_pod);
	*p = f->pairs[--f->n];
}

static void connect_pod(stream_conn *c, forwarder *f, pair *p)
{
	char ask[4] = { STREAM_ASK_PORT, (char)(p->port >> 8), (char)p->port, p->v6 ? '6' : '4' };
	char why[256];
	int r = sc_ask(c, ask, sizeof(ask), why, sizeof(why), &p->fd);
	if (r <= 0) {
		char msg[400];
		snprintf(msg, sizeof(msg), "error forwarding port %ld to pod: %s", p->port, r == 0 ? why : "corrald did not answer");
		drop(c, f, p, msg);
	}
}

static void opened(stream_conn *c, sc_stream *s)
{
	forwarder *f = c->kind_data;
	if ((s->type != SC_ERROR && s->type != SC_DATA) || s->port <= 0 || !s->request_id[0])
		return sc_reset(c, s, SPDY_PROTOCOL_ERROR);
	pair *p = pair_of(f, s->request_id);
	if (!p) {
		if (f->n == sizeof(f->pairs) / sizeof(*f->pairs))
			return sc_reset(c, s, SPDY_REFUSED_STREAM);
		p = &f->pairs[f->n++];
		*p = (pair){ .port = s->port, .fd = -1, .since_usec = mono_usec() };
		snprintf(p->request_id, sizeof(p->request_id), "%s", s->request_id);
	}
	uint32_t *slot = s->type == SC_ERROR ? &p->error_id : &p->data_id;
	if (*slot || p->port != s->port)
		return sc_reset(c, s, SPDY_PROTOCOL_ERROR);
	*slot = s->id;
	if (p->error_id && p->data_id)
		connect_pod(c, f, p);
}

static void data(stream_conn *c, sc_stream *s, const uint8_t *b, size_t n)
{
	forwarder *f = c->kind_data;
	pair *p = pair_of_stream(f, s->id);
	if (!p || s->type != SC_DATA)
		return;
	if (outq_len(&p->to_pod) + n > TO_POD_MAX) /* the client sends what the pod does not read: this pair alone fails */
		return drop(c, f, p, "the pod's port reads slower than the client sends: 4 MiB waited");
	outq_add(&p->to_pod, b, n);
}

static void fin(stream_conn *c, sc_stream *s)
{
	forwarder *f = c->kind_data;
	pair *p = pair_of_stream(f, s->id);
	if (p && s->type == SC_DATA)
		p->client_eof = true;
}

static void reset(stream_conn *c, sc_stream *s)
{
	forwarder *f = c->kind_data;
	pair *p = pair_of_stream(f, s->id);
	if (p)
		drop(c, f, p, NULL);
}

static size_t fds(stream_conn *c, struct pollfd *pf, size_t max)
{
	forwarder *f = c->kind_data;
	bool room = outq_len(&c->out) < SC_HIGH_WATER;
	/* pods that read slower than the client sends: it waits, as with
	 * kubelet's server, once that much is kept for them all */
	size_t queued = 0;
	for (size_t i = 0; i < f->n; i++)
		queued += outq_len(&f->pairs[i].to_pod);
	c->hold_in = queued >= TO_POD_MAX;
	size_t n = 0;
	for (size_t i = 0; i < f->n && n < max; i++) {
		pair *p = &f->pairs[i];
		short ev = 0;
		if (p->fd >= 0 && !p->connected)
			ev = POLLOUT;
		else if (p->fd >= 0) {
			bool to_write = outq_len(&p->to_pod) || (p->client_eof && !p->pod_shut);
			ev = (short)((room && !p->pod_eof ? POLLIN : 0) | (to_write ? POLLOUT : 0));
		}
		pf[n++] = (struct pollfd){ .fd = p->fd >= 0 && ev ? p->fd : -1, .events = ev };
	}
	return n;
}

/* a pair's socket: connected (or refused), readable, writable */
static bool serve_pair(stream_conn *c, forwarder *f, pair *p, short rev)
{
	if (!p->connected) {
		int e = 0;
		socklen_t l = sizeof(e);
		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &l);
		if (e == 0) {
			p->connected = true;
			return false;
		}
		close(p->fd);
		p->fd = -1;
		if (!p->v6 && e == ECONNREFUSED) { /* nobody on IPv4's loopback: IPv6's */
			p->v6 = true;
			connect_pod(c, f, p);
			return true;
		}
		char msg[300];
		snprintf(msg, sizeof(msg), "error forwarding port %ld to pod: failed to connect to localhost:%ld inside the pod's network namespace: %s",
			 p->port, p->port, strerror(e));
		drop(c, f, p, msg);
		return true;
	}
	sc_stream *d = stream_of(c, p->data_id);
	if (rev & POLLOUT) {
		if (outq_flush(&p->to_pod, p->fd) < 0)
			return drop(c, f, p, NULL), true;
		if (p->client_eof && !outq_len(&p->to_pod) && !p->pod_shut) {
			(void)shutdown(p->fd, SHUT_WR);
			p->pod_shut = true;
		}
	}
	if (rev & (POLLIN | POLLHUP | POLLERR)) {
		uint8_t buf[65536];
		ssize_t n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0 && d)
			sc_send(c, d, buf, (size_t)n, false);
		else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			p->pod_eof = true;
	}
	if (p->pod_eof && (p->client_eof || !d)) /* both ways over */
		return drop(c, f, p, NULL), true;
	if (p->pod_eof && d && !d->our_fin)
		sc_send(c, d, NULL, 0, true);
	return false;
}

static void ready(stream_conn *c, const struct pollfd *pf, size_t n)
{
	forwarder *f = c->kind_data;
	/* pairs may go as they are served: each is found again by its fd */
	for (size_t i = 0; i < n; i++) {
		if (pf[i].fd < 0 || !pf[i].revents)
			continue;
		for (size_t j = 0; j < f->n; j++)
			if (f->pairs[j].fd == pf[i].fd) {
				serve_pair(c, f, &f->pairs[j], pf[i].revents);
				break;
			}
	}
}

static void tick(stream_conn *c, uint64_t now)
{
	forwarder *f = c->kind_data;
	for (size_t i = 0; i < f->n;) {
		pair *p = &f->pairs[i];
		if ((!p->error_id || !p->data_id) && now - p->since_usec > PAIR_TIMEOUT_USEC) {
			sc_stream *s = stream_of(c, p->error_id ? p->error_id : p->data_id);
			if (s)
				sc_reset(c, s, SPDY_CANCEL);
			p->error_id = p->data_id = 0;
			drop(c, f, p, NULL);
			continue;
		}
		i++;
	}
}

static const sc_kind forward_kind = { opened, data, fin, reset, fds, ready, tick };

int serve_port_forward(stream_conn *c)
{
	_cleanup_free_ forwarder *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	c->kind = &forward_kind;
	c->kind_data = f;
	int r = sc_run(c);
	while (f->n)
		drop(c, f, &f->pairs[0], NULL);
	return r;
}
