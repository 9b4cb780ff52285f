/* corrald's own place in the cgroup tree. Under systemd with Delegate=yes,
 * corrald owns the subtree of its service cgroup; cgroup v2 forbids processes
 * in a cgroup whose children have controllers, so corrald moves itself into
 * a leaf (<own>/supervisor) and puts containers beside it. */
#pragma once
#include <stdbool.h>
#include "common/error.h"

#define CGSELF_LEAF "supervisor"

/* Our cgroup v2 path ("/system.slice/corrald.service") from the text of
 * /proc/self/cgroup (its "0::" line). */
int cgself_parse(const char *proc_cgroup, char **path, cerr *err);

/* Whether to delegate: only when asked for (cgroup-delegate yes), and
 * not at the hierarchy's root. */
bool cgself_should_delegate(int mode /* enum cg_delegate */, const char *own_path);

/* Move every process of mount/own into mount/own/leaf, then enable in own's
 * cgroup.subtree_control every controller own offers, so that containers
 * created beside the leaf can use them. Idempotent (a restarted corrald finds
 * its leaf). */
int cgself_enter_leaf(const char *mount, const char *own, const char *leaf, cerr *err);

/* Where containers go: cgroup_parent when set, else own (delegated) or
 * "/corral" (not delegated). Returned string is new. */
char *cgself_containers_parent(const char *cgroup_parent, const char *own, bool delegated);
