#include "supervisor/varlink/peer.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int peer_get(int fd, peer_cred *c, cerr *err)
{
	memset(c, 0, sizeof(*c));
	struct ucred uc;
	socklen_t len = sizeof(uc);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return cerr_sys(err, errno, "SO_PEERCRED");
	c->pid = uc.pid;
	c->uid = uc.uid;
	c->gid = uc.gid;
	len = sizeof(c->groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->groups, &len) == 0) {
		c->n_groups = (int)(len / sizeof(gid_t));
	} else if (errno == ERANGE) {
		/* more groups than we keep: fetch them all, keep the first ones */
		gid_t *all = malloc(len);
		if (all && getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, all, &len) == 0) {
			size_t n = len / sizeof(gid_t);
			if (n > PEER_MAX_GROUPS)
				n = PEER_MAX_GROUPS;
			memcpy(c->groups, all, n * sizeof(gid_t));
			c->n_groups = (int)n;
		}
		free(all);
	}
	return 0;
}

bool peer_in_group(const peer_cred *c, gid_t gid)
{
	if (c->gid == gid)
		return true;
	for (int i = 0; i < c->n_groups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool peer_allowed(const peer_cred *c, gid_t group)
{
	if (c->uid == 0)
		return true;
	return group != PEER_NO_GROUP && peer_in_group(c, group);
}
