#include "supervisor/daemon/host/metrics_http.h"
#include "common/tcp_listen.h"
#include "common/cleanup.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include "common/dlib.h"
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* libmicrohttpd, loaded only where metrics-listen is set: linked in, it
 * and the TLS stack it brings (gnutls, nettle, p11-kit...) cost every
 * corrald about 2.8 MB of RSS that most never use. */
static struct mhd_lib {
	typeof(MHD_start_daemon) *start_daemon;
	typeof(MHD_stop_daemon) *stop_daemon;
	typeof(MHD_get_daemon_info) *get_daemon_info;
	typeof(MHD_run) *run;
	typeof(MHD_get_timeout) *get_timeout;
	typeof(MHD_create_response_from_buffer) *create_response_from_buffer;
	typeof(MHD_add_response_header) *add_response_header;
	typeof(MHD_queue_response) *queue_response;
	typeof(MHD_destroy_response) *destroy_response;
} mhd;

#define SYM(f, name) DLIB_SYM(struct mhd_lib, f, name)
static const struct dlib_sym mhd_syms[] = {
	SYM(start_daemon, "MHD_start_daemon"),
	SYM(stop_daemon, "MHD_stop_daemon"),
	SYM(get_daemon_info, "MHD_get_daemon_info"),
	SYM(run, "MHD_run"),
	SYM(get_timeout, "MHD_get_timeout"),
	SYM(create_response_from_buffer, "MHD_create_response_from_buffer"),
	SYM(add_response_header, "MHD_add_response_header"),
	SYM(queue_response, "MHD_queue_response"),
	SYM(destroy_response, "MHD_destroy_response"),
};
#undef SYM
static struct dlib mhd_dlib = DLIB_INIT("libmicrohttpd.so.12", mhd_syms, &mhd);

#define MAX_CLIENTS 32
#define CLIENT_TIMEOUT_SEC 10

/* libmicrohttpd, run from the loop: its epoll fd is one source of ours,
 * and a timer runs it again when it has a timeout due. */
struct metrics_http {
	el_loop *loop;
	int fd;
	struct MHD_Daemon *mhd;
	el_source *src, *timer;
	metrics_render_fn fn, ready;
	void *data;
	int port;
	char addr[INET6_ADDRSTRLEN + 8]; /* what it listens on: HOST:PORT, [HOST]:PORT */
};

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned code, const char *ctype, const char *body,
			       size_t len)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		mhd.add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result q = mhd.queue_response(conn, code, r);
	mhd.destroy_response(r);
	return q;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload, size_t *upload_size, void **req)
{
	metrics_http *h = cls;
	static const char text[] = "text/plain";
	if (!streq(method, "GET") && !streq(method, "HEAD"))
		return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text, "method not allowed\n", 19);
	_cleanup_strbuf_ strbuf body = STRBUF_INIT;
	bool probe = streq(url, "/healthz") || streq(url, "/readyz");
	static const char not_found[] = "not found; try /metrics, /healthz or /readyz\n";
	if (!probe && !streq(url, "/metrics"))
		return respond(conn, MHD_HTTP_NOT_FOUND, text, not_found, sizeof(not_found) - 1);
	if (probe && streq(url, "/readyz") && h->ready && h->ready(&body, h->data) < 0)
		return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, text, body.buf ? body.buf : "", body.len);
	if (probe)
		return respond(conn, MHD_HTTP_OK, text, "ok\n", 3);
	if (h->fn(&body, h->data) < 0)
		return respond(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, text, "error\n", 6);
	return respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body.buf ? body.buf : "", body.len);
}

/* After each run: when MHD next wants to run for a timeout, if ever. */
static void rearm(metrics_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;
	if (mhd.get_timeout(h->mhd, &ms) == MHD_YES)
		el_timer_set(h->timer, (uint64_t)ms * 1000 + 1, false);
}

static void on_mhd_io(el_source *s, int fd, uint32_t events, void *data)
{
	metrics_http *h = data;
	mhd.run(h->mhd);
	rearm(h);
}

static void on_mhd_timer(el_source *s, void *data)
{
	metrics_http *h = data;
	mhd.run(h->mhd);
	rearm(h);
}

int metrics_http_listen(el_loop *loop, const char *addr, metrics_render_fn fn, void *data,
			metrics_http **out, cerr *err)
{
	_cleanup_close_ int fd = -1;
	char where[TCP_ADDR_MAX];
	int r;
	if (tcp_listen("metrics-listen", addr, &fd, where, err) < 0)
		return -1;
	metrics_http *m = calloc(1, sizeof(*m));
	if (!m)
		return cerr_set(err, ENOMEM, "out of memory");
	snprintf(m->addr, sizeof(m->addr), "%s", where);
	m->port = atoi(strrchr(where, ':') + 1);
	m->loop = loop;
	m->fn = fn;
	m->data = data;
	if (!dlib_get(&mhd_dlib, err)) {
		free(m);
		return cerr_wrap(err, "metrics-listen %s", addr);
	}
	m->mhd = mhd.start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, m,
				  MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CLIENTS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CLIENT_TIMEOUT_SEC, MHD_OPTION_END);
	const union MHD_DaemonInfo *info = m->mhd ? mhd.get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info) {
		metrics_http_free(m);
		return cerr_set(err, EIO, "metrics-listen %s: could not start the HTTP server", addr);
	}
	m->fd = TAKE_FD(fd); /* MHD's now, closed by MHD_stop_daemon */
	if ((r = el_add_io(loop, info->epoll_fd, EPOLLIN, on_mhd_io, m, &m->src, err)) < 0 ||
	    (r = el_add_timer(loop, 0, false, on_mhd_timer, m, &m->timer, err)) < 0) {
		metrics_http_free(m);
		return r;
	}
	rearm(m);
	*out = m;
	return 0;
}

int metrics_http_port(const metrics_http *h) { return h->port; }

const char *metrics_http_addr(const metrics_http *h) { return h->addr; }

void metrics_http_set_ready(metrics_http *h, metrics_render_fn fn) { h->ready = fn; }

void metrics_http_free(metrics_http *h)
{
	if (!h)
		return;
	el_remove(h->src);
	el_remove(h->timer);
	if (h->mhd)
		mhd.stop_daemon(h->mhd); /* closes the listening socket it was given */
	free(h);
}
