/* Running without root, as runc does: an unprivileged user, or root in a
 * user namespace that someone else made (rootless podman). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"

/* Whether this process is in a user namespace other than the initial one. */
bool rootless_in_userns(void);
/* runc's "auto": not root, or root only inside a user namespace. */
bool rootless_detect(void);
/* Parse --rootless's value: true, false or auto; -1 when it is none. */
int rootless_parse(const char *v, bool *out);
/* The default state root: $XDG_RUNTIME_DIR/corral for a rootless caller
 * (runc's rule for $XDG_RUNTIME_DIR/runc), else /run/corral/runtime. */
const char *rootless_state_root(void);
/* Where a rootless container goes when its config names no cgroup: beside
 * the caller's own cgroup (in place of a systemd scope, which holds the
 * caller), as runc places it. *out is malloc'ed. */
int rootless_cgroup_path(const char *id, char **out, cerr *err);
/* The same from the text of a /proc/PID/cgroup. */
int rootless_cgroup_path_in(const char *proc_cgroup, const char *id, char **out, cerr *err);
/* Whether the caller may make cgroups where rootless_cgroup_path puts
 * them (a subtree delegated to it); where gets that directory. */
bool rootless_cgroup_delegated(char *where, size_t len);
