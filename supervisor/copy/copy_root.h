/* copy_root.c: The root a copy works in. */
#pragma once
#include "supervisor/copy/copy.h"

/* An O_PATH fd of the root, or -errno with err set. */
int copy_open_root(const copy_root *r, cerr *err);
/* Once the root is open: a container in a user namespace of its own (its
 * directory's config.json, bundle_userns.h) is copied as its root, in a user
 * namespace of the same ids, so that a tar's owners land as the container's
 * ids (a member's setuid "root" file in a bind is the member's); 0 when it
 * has none. */
int copy_become_its_root(const char *ctr_dir, cerr *err);
