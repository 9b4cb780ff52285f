/* POSIX access ACLs, written as the kernel reads them: the
 * system.posix_acl_access extended attribute, whose format is the uapi's
 * linux/posix_acl_xattr.h. */
#pragma once
#include <sys/types.h>

/* The directory open at fd becomes its owner's alone (rwx), but for uid,
 * which may pass through it and do nothing else: the entries user::rwx,
 * user:uid:--x, group::---, mask::--x, other::--- (stat shows 0710, the
 * mask as the group's bits). 0 or -errno (-EOPNOTSUPP where the
 * filesystem keeps no ACLs). */
int acl_dir_pass_only(int fd, uid_t uid);
