/* A bundle's own user namespace, from its config.json. */
#pragma once
#include "bundle/spec.h"
#include "common/error.h"

/* 1 with its two uid and two gid maps (root, then the rest) when the
 * bundle has a user namespace of its own, 0 when it has none. */
int bundle_userns_maps(const char *dir, struct oci_idmap uid[2], struct oci_idmap gid[2], cerr *err);
