/* corral-docker: the Docker Engine API, served without privileges. corrald
 * accepts a connection on its docker socket, checks the peer as it does for
 * varlink, and starts one corral-docker for it:
 *   corral-docker --uid UID --gid GID
 * with fd 3 a unix socket to corrald. Its first message carries the
 * client's HTTP connection (SCM_RIGHTS); from then on fd 3 is a varlink
 * connection on which every call is the client's own, with the client's
 * identity, policy and objects. corral-docker gives up root before it
 * receives the connection: corrald keeps one started ahead (a standby),
 * so that a connection does not wait for a process to start. */
#pragma once
#include "supervisor/varlink/client.h"

#define DOCKER_API_VERSION "1.41"
#define DOCKER_API_MIN_VERSION "1.24"
#define DOCKER_IDLE_TIMEOUT 300 /* seconds; corrald.conf docker-idle-timeout */
/* The CPU one corral-docker may use in its life, the last bound on a
 * request that keeps it busy (its own bounds come first: docker_http.c):
 * SIGXCPU then, SIGKILL a few seconds after. */
#define DOCKER_CPU_SECONDS 3600

