/* A bundle's own user namespace, and its process's user, from its
 * config.json. */
#pragma once
#include "bundle/spec.h"
#include "common/error.h"

/* 1 with its two uid and two gid maps (root, then the rest) when the
 * bundle has a user namespace of its own, 0 when it has none. */
int bundle_userns_maps(const char *dir, struct oci_idmap uid[2], struct oci_idmap gid[2], cerr *err);

/* The user a bundle's process runs as (process.user): its ids in the
 * container, and on the host through its user namespace's maps (65534
 * where unmapped). */
struct bundle_user {
	uint32_t uid, gid;
	uint32_t host_uid, host_gid;
};

/* 0 with *u, or -errno with err. */
int bundle_process_user(const char *dir, struct bundle_user *u, cerr *err);
