/* What corral-docker gives up before it parses a byte of HTTP: its groups,
 * root (for uid:gid), every capability, the right to gain any back, its
 * life past parent's (corrald), CPU time past DOCKER_CPU_SECONDS, and the
 * system calls a server of sockets has no use for. */
#pragma once
#include <sys/types.h>
#include "common/error.h"

/* The CPU one corral-docker may use in its life, the last bound on a
 * request that keeps it busy (its own bounds come first: docker_http.c):
 * SIGXCPU then, SIGKILL a few seconds after. */
#define DOCKER_CPU_SECONDS 3600

int docker_sandbox(uid_t uid, gid_t gid, pid_t parent, cerr *err);
