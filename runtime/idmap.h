/* Idmapped mounts: the parent (host root) clones a mount tree, attaches an
 * id mapping to it, and hands the detached mount to the init, which moves
 * it into place. Only a process privileged over the filesystem can attach
 * the mapping, which the init in its own user namespace is not. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include "bundle/spec.h"

#define IDMAP_ROOTFS_ANNOTATION "run.oci.idmap-rootfs"
#define IDMAP_ROOTFS_INDEX (-1)

/* A user namespace holding only these mappings, to idmap mounts with: its
 * fd, or -errno. */
/* A detached clone of src (its submounts too where recursive) seen through
 * userns's mappings (in the submounts too where idmap_recursive): its fd,
 * or -errno with err. Closed unattached, it is gone. */
int idmap_tree(const char *src, bool recursive, bool idmap_recursive, int userns, cerr *err);
int idmap_userns_open(const struct oci_idmap *u, size_t nu, const struct oci_idmap *g, size_t ng, cerr *err);
/* pid's uid_map and gid_map: written directly where this process may (root,
 * or a map of its own id alone), else through the setuid newuidmap and
 * newgidmap (Debian's uidmap), as runc does. Errors begin with prefix
 * ("linux." names linux.uidMappings). */
int idmap_write(pid_t pid, const struct oci_idmap *u, size_t nu, const struct oci_idmap *g, size_t ng,
		const char *prefix, cerr *err);
/* Whether the rootfs is to be idmapped with the container's mappings. */
bool idmap_rootfs_wanted(const struct oci_spec *s);
/* Whether any mount (or the rootfs) is idmapped. */
bool idmap_needed(const struct oci_spec *s);
/* Refuse what cannot work, before anything is created. */
int idmap_check(const struct oci_spec *s, cerr *err);
/* Parent side, once the init's own maps are written: send each idmapped
 * mount as SYNC_MOUNT_FD (code = mount index, or IDMAP_ROOTFS_INDEX). */
int idmap_send_mounts(int sock, const struct oci_spec *s, const char *rootfs, const char *bundle, pid_t init,
		      cerr *err);
