/* A member's containers run in a user namespace (corrald(8) SECURITY), as
 * rootless podman's do: container root is the member's own uid and gid,
 * and ids 1 to 65535 a subordinate range of the member's, from /etc/subuid
 * and /etc/subgid, else one corrald allocates and records in
 * <state>/idranges. So nothing a member's container writes, in its rootfs
 * or in a bind, is owned by an id the member does not have; the image's
 * layers are seen through idmapped mounts (images/img_rootfs.h). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include "bundle/bundle_userns.h"
#include "bundle/spec.h"
#include "common/error.h"
#include "images/img_rootfs.h"

#define CTR_IDS_RANGE 65536u                 /* ids a container has */
#define CTR_IDS_POOL_BASE 0x80000000u        /* where corrald's own ranges begin */
#define CTR_IDS_FILE "idranges"

typedef struct ctr_ids {
	struct oci_idmap uid[2], gid[2]; /* root, then 1..65535 */
} ctr_ids;

struct corrald;
/* The ids of uid's containers (gid: its primary group); root's (with
 * --userns auto) are all of its range, root inside included. */
int ctr_ids_for(const struct corrald *d, uid_t uid, gid_t gid, ctr_ids *out, cerr *err);
/* Container ids 0 to size - 1 as host ids uid.. and gid.. (size >= 2). */
void ctr_ids_of_range(uint32_t uid, uint32_t gid, uint32_t size, ctr_ids *out);
/* A user namespace of the maps, to idmap layers with (close out->userns_fd). */
int ctr_ids_rootfs(const ctr_ids *ids, rootfs_ids *out, cerr *err);
/* The container's directory, entered by its init from inside the user
 * namespace on the way to its rootfs: root's (0700), and the container
 * root's host uid alone may pass through it (a POSIX ACL entry --x), never
 * a group, which members may share; containers/ above it is 0711. */
int ctr_ids_dir(const char *dir, const ctr_ids *ids, cerr *err);
struct ctr;
/* Whether the container has a user namespace of its own (its bundle says
 * so): 1 with its maps in out, 0 when it has none. */
int ctr_userns_of(const struct corrald *d, const struct ctr *c, ctr_ids *out, cerr *err);
/* The user its process runs as (its bundle's process.user), in the
 * container and on the host: 0, or -errno with err. */
int ctr_process_user(const struct corrald *d, const struct ctr *c, struct bundle_user *out, cerr *err);
/* "uidMappings" and "gidMappings", keys and values, into a linux object. */
void ctr_ids_gen(yajl_gen g, const ctr_ids *ids);
