#include "acl.h"

#include <endian.h>
#include <errno.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
#include <stdint.h>
#include <sys/xattr.h>

#define ACL_ENTRY(tag, perm, id) { htole16(tag), htole16(perm), htole32((uint32_t)(id)) }

int acl_dir_pass_only(int fd, uid_t uid)
{
	/* entries in the kernel's order: by tag, then by id */
	const struct {
		struct posix_acl_xattr_header h;
		struct posix_acl_xattr_entry e[5];
	} acl = {
		.h = { htole32(POSIX_ACL_XATTR_VERSION) },
		.e = {
			ACL_ENTRY(ACL_USER_OBJ, ACL_READ | ACL_WRITE | ACL_EXECUTE, ACL_UNDEFINED_ID),
			ACL_ENTRY(ACL_USER, ACL_EXECUTE, uid),
			ACL_ENTRY(ACL_GROUP_OBJ, 0, ACL_UNDEFINED_ID),
			ACL_ENTRY(ACL_MASK, ACL_EXECUTE, ACL_UNDEFINED_ID),
			ACL_ENTRY(ACL_OTHER, 0, ACL_UNDEFINED_ID),
		},
	};
	_Static_assert(sizeof(acl) == 4 + 5 * 8, "the xattr's layout has no padding");
	/* the kernel sets the mode from it: 0710, the group bits the mask's */
	return fsetxattr(fd, "system.posix_acl_access", &acl, sizeof(acl), 0) < 0 ? -errno : 0;
}
