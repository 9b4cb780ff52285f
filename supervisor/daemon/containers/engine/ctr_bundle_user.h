/* The user a container's process runs as, from its bundle's config.json
 * (process.user, resolved at create): its ids as the container sees them,
 * and as the host does, through its user namespace's mappings. */
#pragma once
#include <stdint.h>
#include "common/error.h"

typedef struct ctr_bundle_user {
	uint32_t uid, gid;           /* in the container */
	uint32_t host_uid, host_gid; /* on the host: 65534 where unmapped */
} ctr_bundle_user;

/* dir: the container's directory, the bundle. 0, or -errno with err. */
int ctr_bundle_user_of(const char *dir, ctr_bundle_user *u, cerr *err);
