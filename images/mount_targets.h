/* The mount points an engine makes in a container's root for its own files
 * (/etc/hosts, /etc/hostname, /etc/resolv.conf) and filesystems (/proc,
 * /sys, /dev) where the image has none. Docker keeps them in an init layer
 * of its own; corral's runtime makes them where runc does, in the upper
 * directory, so a layer made of it (commit, a build's step) and a diff of
 * it leave them out, as Docker's do. */
#pragma once
#include <stdbool.h>
#include <sys/stat.h>

/* Whether name in dfd, at path in the upper directory ("etc/hosts" or
 * "/etc/hosts"), with st its lstat, is only the engine's: one of those mount
 * points, empty (a bind covers what is written there), or a directory above
 * them that holds nothing else and is not opaque (nothing of the image's is
 * hidden by it). */
bool mount_target_only(int dfd, const char *name, const char *path, const struct stat *st);
