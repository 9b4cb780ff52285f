/* What corral-docker gives up before it parses a byte of HTTP: its groups,
 * root (for uid:gid), every capability, the right to gain any back, and
 * the system calls a server of sockets has no use for. */
#pragma once
#include <sys/types.h>
#include "common/error.h"

int docker_sandbox(uid_t uid, gid_t gid, cerr *err);
