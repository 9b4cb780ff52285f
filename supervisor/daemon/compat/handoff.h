/* The sockets whose protocol corrald does not speak: the Docker API's
 * (corrald.conf docker-socket) and the CRI's (cri-socket). corrald accepts
 * a connection there and checks its peer as it does for varlink, then hands
 * it to a helper started for it (corral-docker, supervisor/docker/docker.h;
 * corral-cri, supervisor/cri/cri.h): without privileges, the helper parses
 * the HTTP (or HTTP/2) and calls corrald over varlink connections that
 * carry the client's identity, so a member gets through these sockets
 * exactly what it gets through varlink. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "common/error.h"

struct corrald;
struct handoff;

typedef struct handoff_opts {
	const char *name;  /* "docker", "cri": in logs, admission and errors */
	const char *title; /* "the Docker API": in the log */
	const char *noun;  /* "Docker API": what a refusal counts ("32 Docker API connections") */
	const char *path;  /* where to listen; "" when off (and not activated) */
	const char *bin;   /* the helper */
	const char *user;  /* the helper's: NAME, or UID:GID */
	size_t idle_timeout;   /* its --idle-timeout, 0 for none */
	double rate, burst;    /* new connections per uid (admission.h) */
	/* the helper gets a second socket beside the client's connection,
	 * where it asks for more varlink connections, each the client's own
	 * (a byte each; one fd comes back for it, or none when refused): a
	 * helper that serves calls at once (HTTP/2 streams) takes one for each */
	bool grants_conns;
	/* its clients see only their own objects, even root (owner.h) */
	bool own_view;
	/* say why a connection is refused, before its protocol is read */
	void (*refuse)(int conn, const char *why);
	/* A TCP address (HOST:PORT; port 0: the kernel's pick) to listen on
	 * instead of path. Its peers are not known: no credentials, no group
	 * check, no per-uid bound, no varlink connection of the helper's.
	 * The helper's fd 3 is a SOCK_SEQPACKET socket instead; each message
	 * it sends there is an ask, answered on sock. *state is the helper's
	 * own (NULL at first), given to forget when the helper ends. */
	const char *tcp;
	void (*ask)(struct corrald *d, int sock, const char *msg, size_t n, void **state);
	void (*forget)(void *state);
} handoff_opts;

/* Listen (or take the socket-activated fd, >= 0); group as the varlink
 * socket's. *out is kept till handoff_stop. */
int handoff_start(struct corrald *d, const handoff_opts *o, gid_t group, int activated_fd, struct handoff **out,
		  cerr *err);
/* Where a TCP handoff listens: HOST:PORT, the port the kernel picked */
const char *handoff_tcp_addr(const struct handoff *h);
/* Stop listening and end its helpers; *h is NULL after. */
void handoff_stop(struct handoff **h);

/* The refusals, in each protocol's words: an HTTP/1.1 429, and HTTP/2's
 * SETTINGS then GOAWAY (ENHANCE_YOUR_CALM) with why as its debug data. */
void handoff_refuse_http1(int conn, const char *why);
void handoff_refuse_http2(int conn, const char *why);
