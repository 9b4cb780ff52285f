/* Who a container's process runs as: an image's or a request's "User"
 * (user[:group], each a name or a number) resolved as Docker and podman do,
 * against the image's own /etc/passwd and /etc/group. Both files are read
 * inside the rootfs (openat2 RESOLVE_IN_ROOT): a link in the image never
 * leads to the host's.
 *  - a name must be in /etc/passwd; a number need not be, and then its
 *    group is 0;
 *  - the group is the passwd entry's unless one is given: a number as is,
 *    a name from /etc/group;
 *  - without a group given, the groups of /etc/group that list the user
 *    become its additionalGids. */
#pragma once
#include "bundle/spec.h"
#include "common/error.h"

/* What the runtime can apply (runtime/creds.c); more is an error, not a
 * silent cut. */
#define IMAGE_USER_MAX_GROUPS 256

/* Fills u's uid, gid and additional gids (u's username is cleared); an empty
 * or NULL spec is root. On error u is left as it was. */
int image_user_resolve(int rootfs_fd, const char *spec, struct oci_user *u, cerr *err);
/* The same, the rootfs given by its path. */
int image_user_resolve_path(const char *rootfs, const char *spec, struct oci_user *u, cerr *err);
/* The name /etc/passwd gives uid (*name, the caller's); -ENOENT when it
 * has none, -ENOMEM. */
int image_user_name(int rootfs_fd, uint32_t uid, char **name);
/* The home /etc/passwd gives uid (*home, the caller's), from the first
 * entry with that uid; -ENOENT when there is none, -ENOMEM. */
int image_user_home(int rootfs_fd, uint32_t uid, char **home);
/* The groups named (NULL-ended), each by its name in the rootfs's
 * /etc/group, added to u's additional gids (docker run --group-add NAME);
 * -ENOENT names one it lacks. */
int image_group_add(const char *rootfs, const char *const *groups, struct oci_user *u, cerr *err);
/* Frees what image_user_resolve allocated, for a struct oci_user of one's own. */
void image_user_release(struct oci_user *u);
