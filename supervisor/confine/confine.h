/* What a helper that parses a client's bytes for corrald (corral-docker,
 * corral-cri) gives up before it reads one: its groups, root (for
 * uid:gid), every capability, the right to gain any back, its life past
 * parent's (corrald), CPU time past cpu_seconds, and the system calls a
 * server of sockets has no use for. */
#pragma once
#include <sys/types.h>
#include "common/error.h"

/* A helper's --uid, --gid or a count: a number from 1 to 2^31-1; -1 else */
int confine_parse_id(const char *s, long *out);

/* who: the helper's name, in errors. more: system calls it needs beyond a
 * socket server's (NULL-terminated; NULL for none). */
int confine_helper(const char *who, uid_t uid, gid_t gid, pid_t parent, unsigned cpu_seconds,
		   const char *const *more, cerr *err);
