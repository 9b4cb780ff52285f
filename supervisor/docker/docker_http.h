/* docker_http.c: docker_serve: libmicrohttpd on the one connection corrald
 * handed over, single-threaded (each handler may block on corrald: the client
 * is the only one waiting), its requests' bodies collected and routed. */
#pragma once
#include "supervisor/docker/docker.h"

/* Serve HTTP on fd (the client's connection) until the client closes it,
 * or sends nothing for idle_timeout seconds while a request is read or
 * between requests (never while an answer streams), each request through
 * vl, a varlink connection to corrald; 0, or -errno when it could not
 * serve at all or ended a request that could not be read. */
int docker_serve(int fd, vl_client *vl, unsigned idle_timeout);
