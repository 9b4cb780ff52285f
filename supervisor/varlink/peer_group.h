/* peer_group.c: Group names resolve through NSS; kept apart so that a binary
 * checking peers by id alone (corral-monitor-lean) links no NSS code. */
#pragma once
#include "supervisor/varlink/peer.h"

/* The gid of a group by name; -ENOENT when there is no such group. */
int peer_group_lookup(const char *name, gid_t *gid);
