#include "supervisor/daemon/core/metrics_http.h"
#include "common/cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_REQUEST 8192
#define MAX_CLIENTS 32
#define CLIENT_TIMEOUT_USEC 10000000ull

struct client {
	metrics_http *h;
	int fd;
	el_source *io, *timer;
	char req[MAX_REQUEST];
	size_t req_len;
	strbuf out;
	size_t out_off;
	struct client *next, *prev;
};

struct metrics_http {
	el_loop *loop;
	int fd;
	el_source *src;
	metrics_render_fn fn, ready;
	void *data;
	struct client *clients;
	size_t n_clients;
	int port;
	char addr[INET6_ADDRSTRLEN + 8]; /* what it listens on: HOST:PORT, [HOST]:PORT */
};

static void client_free(struct client *c)
{
	metrics_http *h = c->h;
	if (c->prev)
		c->prev->next = c->next;
	else
		h->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	h->n_clients--;
	el_remove(c->io);
	el_remove(c->timer);
	close(c->fd);
	sb_release(&c->out);
	free(c);
}

static void respond(struct client *c, int code, const char *reason, const char *ctype, const char *body, size_t len)
{
	sb_reset(&c->out);
	sb_addf(&c->out,
		"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n",
		code, reason, ctype, len, code == 405 ? "Allow: GET, HEAD\r\n" : "");
	sb_add(&c->out, body, len);
	c->out_off = 0;
	el_io_set_events(c->io, EPOLLOUT);
}

static void handle(struct client *c)
{
	char *line_end = strstr(c->req, "\r\n");
	if (!line_end)
		return respond(c, 400, "Bad Request", "text/plain", "bad request\n", 12);
	*line_end = '\0';
	char method[16], target[256], version[16];
	if (sscanf(c->req, "%15s %255s %15s", method, target, version) != 3 || strncmp(version, "HTTP/1.", 7))
		return respond(c, 400, "Bad Request", "text/plain", "bad request\n", 12);
	bool head_only = streq(method, "HEAD");
	if (!streq(method, "GET") && !head_only)
		return respond(c, 405, "Method Not Allowed", "text/plain", "method not allowed\n", 19);
	char *q = strchr(target, '?');
	if (q)
		*q = '\0';
	_cleanup_strbuf_ strbuf body = STRBUF_INIT;
	bool probe = streq(target, "/healthz") || streq(target, "/readyz");
	static const char not_found[] = "not found; try /metrics, /healthz or /readyz\n";
	if (!probe && !streq(target, "/metrics"))
		return respond(c, 404, "Not Found", "text/plain", not_found, sizeof(not_found) - 1);
	if (probe && streq(target, "/readyz") && c->h->ready && c->h->ready(&body, c->h->data) < 0)
		respond(c, 503, "Service Unavailable", "text/plain", body.buf ? body.buf : "", body.len);
	else if (probe && !sb_adds(&body, "ok\n"))
		respond(c, 200, "OK", "text/plain", body.buf, body.len);
	else if (probe || c->h->fn(&body, c->h->data) < 0)
		return respond(c, 500, "Internal Server Error", "text/plain", "error\n", 6);
	else
		respond(c, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body.buf ? body.buf : "", body.len);
	if (head_only)
		c->out.len -= body.len;
}

static void on_client_io(el_source *s, int fd, uint32_t events, void *data)
{
	struct client *c = data;
	if (events & EPOLLERR)
		return client_free(c);
	if (c->out.len == 0 && (events & (EPOLLIN | EPOLLHUP))) {
		ssize_t n = recv(fd, c->req + c->req_len, MAX_REQUEST - 1 - c->req_len, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return client_free(c);
		if (n > 0) {
			c->req_len += (size_t)n;
			c->req[c->req_len] = '\0';
			if (strstr(c->req, "\r\n\r\n"))
				handle(c);
			else if (c->req_len >= MAX_REQUEST - 1)
				respond(c, 431, "Request Header Fields Too Large", "text/plain", "too large\n", 10);
		}
	}
	if (c->out.len && (events & EPOLLOUT)) {
		while (c->out_off < c->out.len) {
			ssize_t w = send(fd, c->out.buf + c->out_off, c->out.len - c->out_off,
					 MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0) {
				if (errno == EAGAIN)
					return;
				if (errno == EINTR)
					continue;
				return client_free(c);
			}
			c->out_off += (size_t)w;
		}
		client_free(c);
	}
}

static void on_client_timeout(el_source *s, void *data) { client_free(data); }

static void on_accept(el_source *s, int fd, uint32_t events, void *data)
{
	metrics_http *h = data;
	for (int i = 0; i < 16; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			return;
		if (h->n_clients >= MAX_CLIENTS) {
			close(cfd);
			continue;
		}
		struct client *c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->h = h;
		c->fd = cfd;
		if (el_add_io(h->loop, cfd, EPOLLIN, on_client_io, c, &c->io, NULL) < 0 ||
		    el_add_timer(h->loop, CLIENT_TIMEOUT_USEC, false, on_client_timeout, c, &c->timer, NULL) < 0) {
			el_remove(c->io);
			close(cfd);
			free(c);
			continue;
		}
		c->next = h->clients;
		if (h->clients)
			h->clients->prev = c;
		h->clients = c;
		h->n_clients++;
	}
}

int metrics_http_listen(el_loop *loop, const char *addr, metrics_render_fn fn, void *data,
			metrics_http **out, cerr *err)
{
	_cleanup_free_ char *host = strdup(addr);
	if (!host)
		return cerr_set(err, ENOMEM, "out of memory");
	char *colon = strrchr(host, ':');
	if (!colon)
		return cerr_set(err, EINVAL, "metrics-listen %s: expected HOST:PORT", addr);
	*colon = '\0';
	const char *port = colon + 1;
	char *h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	int gr = getaddrinfo(h[0] ? h : NULL, port, &hints, &ai);
	if (gr != 0)
		return cerr_set(err, EINVAL, "metrics-listen %s: %s", addr, gai_strerror(gr));
	_cleanup_close_ int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	int r = fd < 0 ? -1 : setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (r == 0)
		r = bind(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (r < 0 || listen(fd, 64) < 0)
		return cerr_sys(err, errno, "metrics-listen %s", addr);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	metrics_http *m = calloc(1, sizeof(*m));
	if (!m)
		return cerr_set(err, ENOMEM, "out of memory");
	bool v6 = ss.ss_family == AF_INET6;
	m->port = ntohs(v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
	char ip[INET6_ADDRSTRLEN] = "?";
	inet_ntop(ss.ss_family, v6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
				   : (void *)&((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip));
	snprintf(m->addr, sizeof(m->addr), v6 ? "[%s]:%d" : "%s:%d", ip, m->port);
	m->loop = loop;
	m->fn = fn;
	m->data = data;
	if ((r = el_add_io(loop, fd, EPOLLIN, on_accept, m, &m->src, err)) < 0) {
		free(m);
		return r;
	}
	m->fd = TAKE_FD(fd);
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
	while (h->clients)
		client_free(h->clients);
	el_remove(h->src);
	close(h->fd);
	free(h);
}
