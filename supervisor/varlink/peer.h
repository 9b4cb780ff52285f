/* Who is on the other end of a unix socket, and may they talk to corrald. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "common/error.h"

#define PEER_MAX_GROUPS 64
#define PEER_NO_GROUP ((gid_t)-1)

typedef struct peer_cred {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int n_groups; /* supplementary groups (SO_PEERGROUPS), truncated */
	gid_t groups[PEER_MAX_GROUPS];
	/* sees only its own objects, even as root: a CRI client's (owner.h) */
	bool own_only;
} peer_cred;

/* SO_PEERCRED and SO_PEERGROUPS of a connected socket. */
int peer_get(int fd, peer_cred *c, cerr *err);
bool peer_in_group(const peer_cred *c, gid_t gid);
/* uid 0, or a member (primary or supplementary) of group, unless it is
 * PEER_NO_GROUP. */
bool peer_allowed(const peer_cred *c, gid_t group);
