/* The Docker API's socket (corrald.conf docker-socket). corrald accepts a
 * connection there and checks its peer as it does for varlink, then starts
 * one corral-docker for it (supervisor/docker/docker.h): without
 * privileges, it parses the HTTP and calls corrald over a varlink
 * connection that carries the client's identity, so a member gets through
 * this socket exactly what it gets through varlink. */
#pragma once
#include <sys/types.h>
#include "common/error.h"

struct corrald;

/* Listen (or take the socket-activated fd, >= 0) when docker-socket is set;
 * group as the varlink socket's. */
int docker_socket_start(struct corrald *d, gid_t group, int activated_fd, cerr *err);
/* Stop listening and end the corral-docker processes. */
void docker_socket_stop(struct corrald *d);
