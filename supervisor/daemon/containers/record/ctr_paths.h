/* ctr_paths.c: a container's paths: its directory, its cgroup, its
 * overlay's upper directory. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"

/* containers/<id> */
void ctr_dir(const struct corrald *d, const ctr *c, char *buf, size_t n);
/* Its overlay upper directory (what it changed) into buf: NULL, or why it
 * has none (made from a directory; its rootfs a flattened copy). */
const char *ctr_upper_dir(const struct corrald *d, const ctr *c, char *buf, size_t n);
/* Its cgroup, below the cgroup2 mount: <cgroup-parent>/<id>, or under the
 * systemd driver its scope's, /<slice path>/corral-<id>.scope. */
void ctr_cgroup_path(const struct corrald *d, const ctr *c, char *buf, size_t n);
/* Its config's linux.cgroupsPath: the path, or <slice>:corral:<id>, under
 * parent (its spec.cgroupParent; NULL: corrald's). */
void ctr_cgroups_path(const struct corrald *d, const char *parent, const char *id, char *buf, size_t n);
