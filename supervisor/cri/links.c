/* The varlink connections to corrald (h2.h): one call on each at a time,
 * so that a pull or a stop with a grace period never holds up kubelet's
 * relist behind it. Idle ones are kept; more are asked of corrald (each the
 * client's own, bounded there by max-connections-per-uid) up to
 * LINKS_MAX, past which calls wait their turn. */
#include "supervisor/cri/h2.h"
#include "supervisor/cri/h2_conn.h"
#include "supervisor/cri/links.h"
#include "supervisor/cri/grpc_call.h"
#include "common/cleanup.h"
#include "common/fdpass.h"
#include "common/log.h"
#include "supervisor/varlink/wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LINKS_MAX 64
#define LINKS_IDLE_KEPT 8
/* how often a streaming call's link looks whether its client is still there */
#define LINKS_WATCH_USEC (1000 * 1000)
#define SV "io.corral.Supervisor."

typedef struct vlink vlink;
struct vlink {
	cri_links *owner;
	int fd;
	el_source *src;
	vl_framer in;
	/* the call it carries: a client's (call), or corral-cri's own (own) */
	bool busy;
	cri_call *call;
	cri_corrald_fn fn;
	links_fn own;
	void *data;
	bool used_up; /* the call takes the connection (Exec) */
	/* a "more" call (Events) may never reply again: this finds its client
	 * gone, and closes the link, which ends the call in corrald */
	el_source *watch;
	vlink *next;
};

/* A call waiting for a vlink */
typedef struct waiting {
	cri_call *call;
	char *method, *params;
	unsigned flags;
	cri_corrald_fn fn;
	links_fn own;
	void *data;
	struct waiting *next;
} waiting;

struct cri_links {
	el_loop *loop;
	int grants;
	el_source *grants_src;
	vlink *idle;
	size_t n_links, n_asked;
	waiting *queue, **queue_tail;
	bool grants_closed;
};

/* A call's parameters may hold a registry's password (PullImage): they go
 * wiped, as every copy of them does */
static void wipe_str(char *s)
{
	if (s)
		explicit_bzero(s, strlen(s));
	free(s);
}

static void waiting_free(waiting *w)
{
	free(w->method);
	wipe_str(w->params);
	free(w);
}

static void link_free(vlink *k)
{
	cri_links *l = k->owner;
	el_remove(k->watch);
	el_remove(k->src);
	close(k->fd);
	vl_framer_release(&k->in);
	free(k);
	l->n_links--;
}

static void start(cri_links *l, vlink *k, waiting *w);

/* One ask for each waiting call that no ask covers yet, within LINKS_MAX;
 * past it they wait for a link to finish its call, or to go (an upgraded
 * call's goes with it: then this asks again) */
static void ask_for_waiting(cri_links *l)
{
	size_t waiting_n = 0;
	for (waiting *i = l->queue; i; i = i->next)
		waiting_n++;
	while (!l->grants_closed && waiting_n > l->n_asked && l->n_links + l->n_asked < LINKS_MAX) {
		char ask = 'N';
		if (send(l->grants, &ask, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1)
			break;
		l->n_asked++;
	}
}

/* k is done with its call: the next waiting one takes it, else it idles */
static void link_done(vlink *k)
{
	cri_links *l = k->owner;
	cri_call *c = k->call;
	k->call = NULL;
	k->busy = false;
	el_remove(k->watch);
	k->watch = NULL;
	if (c) {
		c->in_corrald--;
		h2_call_release(c);
	}
	if (k->used_up) {
		link_free(k);
		return ask_for_waiting(l);
	}
	waiting *w;
	while ((w = l->queue)) {
		if (!(l->queue = w->next))
			l->queue_tail = &l->queue;
		if (!w->call || !w->call->stream_gone)
			return start(l, k, w);
		w->call->in_corrald--; /* its client went while it waited */
		h2_call_release(w->call);
		waiting_free(w);
	}
	size_t idle = 0;
	for (vlink *i = l->idle; i; i = i->next)
		idle++;
	if (idle >= LINKS_IDLE_KEPT)
		return link_free(k);
	k->next = l->idle;
	l->idle = k;
}

static void fail_call(vlink *k, const char *why)
{
	cri_call *c = k->call;
	if (c && !c->stream_gone && !c->answered)
		cri_fail(c, GRPC_UNAVAILABLE, "corrald: %s", why);
	if (!c && k->own)
		k->own(NULL, k->data);
}

static void on_reply(el_source *src, int fd, uint32_t events, void *data)
{
	vlink *k = data;
	char *p;
	size_t room;
	if (vl_framer_reserve(&k->in, 65536, &p, &room) < 0)
		return;
	ssize_t n = recv(fd, p, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) { /* corrald closed it: the end of an Exec, or corrald gone */
		if (k->busy)
			fail_call(k, n == 0 ? "the connection closed" : strerror(errno));
		k->used_up = true;
		return link_done(k);
	}
	vl_framer_commit(&k->in, (size_t)n);
	char *msg;
	size_t len;
	int r;
	while (k->busy && (r = vl_framer_next(&k->in, &msg, &len)) != 0) {
		vl_reply rep = { 0 };
		_cleanup_cerr_ cerr err = { 0 };
		if (r < 0 || vl_reply_parse(msg, len, &rep, &err) < 0) {
			fail_call(k, r < 0 ? "a reply past the size bound" : cerr_msg(&err));
			k->used_up = true;
			return link_done(k);
		}
		bool last = rep.error || !rep.continues;
		cri_call *c = k->call;
		if (!c)
			k->own(&rep, k->data);
		else if (!c->stream_gone)
			k->fn(c, &rep, k->data);
		vl_reply_release(&rep);
		/* a stream whose client went: what corrald sends next is for
		 * no one, so the link is closed rather than read on for ever */
		if (!last && c && c->stream_gone) {
			k->used_up = true;
			return link_done(k);
		}
		if (last)
			return link_done(k);
	}
}

static void on_watch(el_source *src, void *data)
{
	vlink *k = data;
	if (!k->call || !k->call->stream_gone)
		return;
	k->used_up = true;
	link_done(k);
}

static void start(cri_links *l, vlink *k, waiting *w)
{
	k->busy = true;
	k->call = w->call, k->fn = w->fn, k->own = w->own, k->data = w->data;
	k->used_up = (w->flags & VL_CALL_UPGRADE) != 0;
	_cleanup_cerr_ cerr err = { 0 };
	if (w->call && (w->flags & VL_CALL_MORE) && el_add_timer(l->loop, LINKS_WATCH_USEC, true, on_watch, k, &k->watch, &err) < 0)
		log_cerr(LOG_LVL_WARN, &err, "a stream's watch: its link is closed at corrald's next reply only");
	char full[128];
	snprintf(full, sizeof(full), SV "%s", w->method);
	_cleanup_strbuf_ strbuf out = STRBUF_INIT;
	int r = vl_encode_call_flags(&out, full, w->params, w->flags & VL_CALL_MORE);
	waiting_free(w);
	size_t off = 0;
	while (r == 0 && off < out.len) {
		ssize_t n = send(k->fd, out.buf + off, out.len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = -1;
		else
			off += (size_t)n;
	}
	if (out.buf)
		explicit_bzero(out.buf, out.len);
	if (r < 0) {
		fail_call(k, "could not send the call");
		k->used_up = true;
		link_done(k);
	}
}

static int link_add(cri_links *l, int fd, vlink **out)
{
	vlink *k = calloc(1, sizeof(*k));
	_cleanup_cerr_ cerr err = { 0 };
	if (!k) {
		close(fd);
		return -1;
	}
	*k = (vlink){ .owner = l, .fd = fd };
	vl_framer_init(&k->in, VL_MAX_MESSAGE);
	l->n_links++;
	if (el_add_io(l->loop, fd, EPOLLIN, on_reply, k, &k->src, &err) < 0) {
		log_cerr(LOG_LVL_WARN, &err, "a connection to corrald");
		link_free(k);
		return -1;
	}
	*out = k;
	return 0;
}

/* corrald answered an ask: a new connection for the first waiting call */
static void on_grant(el_source *src, int fd, uint32_t events, void *data)
{
	cri_links *l = data;
	char c;
	int got = -1;
	size_t n = 0;
	ssize_t r = fd_recv(fd, &c, 1, &got, 1, &n, NULL, MSG_DONTWAIT);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		el_remove(l->grants_src);
		l->grants_src = NULL;
		l->grants_closed = true;
		l->n_asked = 0;
		return;
	}
	l->n_asked--;
	vlink *k = NULL;
	if (n != 1 || got < 0) {
		log_warn("corrald gave no more connections (%zu open)", l->n_links);
		return;
	}
	if (link_add(l, got, &k) < 0 || !l->queue) {
		if (k && !l->queue)
			link_done(k);
		return;
	}
	waiting *w = l->queue;
	if (!(l->queue = w->next))
		l->queue_tail = &l->queue;
	start(l, k, w);
}

static waiting *waiting_new(const char *method, const char *params, unsigned flags, void *data)
{
	waiting *w = calloc(1, sizeof(*w));
	if (!w || !(w->method = strdup(method)) || !(w->params = strdup(params ? params : "{}"))) {
		if (w)
			free(w->method), free(w);
		return NULL;
	}
	w->flags = flags, w->data = data;
	return w;
}

/* w starts on an idle link, else waits for one (and one more is asked) */
static void enqueue(cri_links *l, waiting *w)
{
	if (l->idle) {
		vlink *k = l->idle;
		l->idle = k->next;
		k->next = NULL;
		return start(l, k, w);
	}
	*l->queue_tail = w;
	l->queue_tail = &w->next;
	ask_for_waiting(l);
}

void cri_corrald(cri_call *c, const char *method, const char *params, unsigned flags, cri_corrald_fn fn,
		 void *data)
{
	waiting *w = waiting_new(method, params, flags, data);
	if (!w)
		return cri_fail(c, GRPC_RESOURCE_EXHAUSTED, "out of memory");
	w->call = c, w->fn = fn;
	c->in_corrald++;
	enqueue(h2_call_links(c), w);
}

void links_call(cri_links *l, const char *method, const char *params, unsigned flags, links_fn fn, void *data)
{
	waiting *w = waiting_new(method, params, flags, data);
	if (!w)
		return fn(NULL, data);
	w->own = fn;
	enqueue(l, w);
}

int links_new(el_loop *loop, int first, int grants, cri_links **out, cerr *err)
{
	cri_links *l = calloc(1, sizeof(*l));
	if (!l)
		return cerr_set(err, ENOMEM, "out of memory");
	*l = (cri_links){ .loop = loop, .grants = grants };
	l->queue_tail = &l->queue;
	vlink *k = NULL;
	if (link_add(l, first, &k) < 0 ||
	    el_add_io(loop, grants, EPOLLIN, on_grant, l, &l->grants_src, err) < 0) {
		if (k)
			link_free(k);
		free(l);
		return err->code ? -1 : cerr_set(err, EIO, "the connection to corrald");
	}
	l->idle = k;
	*out = l;
	return 0;
}

void links_free(cri_links *l)
{
	if (!l)
		return;
	while (l->idle) {
		vlink *k = l->idle;
		l->idle = k->next;
		link_free(k);
	}
	while (l->queue) {
		waiting *w = l->queue;
		l->queue = w->next;
		waiting_free(w);
	}
	el_remove(l->grants_src);
	close(l->grants);
	free(l);
}
