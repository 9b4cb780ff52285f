#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "bundle/bundle_userns.h"
#include "supervisor/daemon/core/corrald.h"
#include "runtime/idmap.h"
#include "common/acl.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/json_get.h"
#include "common/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUBUID "/etc/subuid"
#define SUBGID "/etc/subgid"
#define IDS_FILE_MAX (1u << 20)

/* Each "owner:start:count" line of a subordinate id file, to fn; stops at
 * fn's true. */
static bool each_range(const char *file, bool (*fn)(const char *who, uint64_t start, uint64_t n, void *ud), void *ud)
{
	_cleanup_fclose_ FILE *f = fopen(file, "re");
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		char who[256];
		uint64_t start, n;
		if (sscanf(line, "%255[^:\n]:%" SCNu64 ":%" SCNu64, who, &start, &n) == 3 && n > 0 &&
		    start + n <= UINT32_MAX && fn(who, start, n, ud))
			return true;
	}
	return false;
}

struct find { const char *name; char id[16]; uint64_t start, n; };

static bool is_mine(const char *who, uint64_t start, uint64_t n, void *ud)
{
	struct find *f = ud;
	if (!((f->name && streq(who, f->name)) || streq(who, f->id)))
		return false;
	f->start = start;
	f->n = n;
	return true;
}

struct overlap { uint64_t start; };

static bool overlaps(const char *who, uint64_t start, uint64_t n, void *ud)
{
	const struct overlap *o = ud;
	(void)who;
	return start < o->start + CTR_IDS_RANGE && o->start < start + n;
}

/* corrald's own range for uid: recorded in <state>/idranges ("uid start"
 * lines), else the next free block past every range of the id files. */
static int pool_range(const struct corrald *d, uid_t uid, uint32_t *start, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" CTR_IDS_FILE, d->cfg->state_dir);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file_if_there(AT_FDCWD, path, IDS_FILE_MAX, &text, &len, err);
	if (r < 0)
		return r;
	uint64_t next = CTR_IDS_POOL_BASE;
	for (char *p = text, *nl; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		unsigned long u, s;
		if (sscanf(p, "%lu %lu", &u, &s) != 2)
			continue;
		if (u == uid) {
			*start = (uint32_t)s;
			return 0;
		}
		if (s + CTR_IDS_RANGE > next)
			next = s + CTR_IDS_RANGE;
	}
	struct overlap o = { next };
	while (each_range(SUBUID, overlaps, &o) || each_range(SUBGID, overlaps, &o))
		o.start += CTR_IDS_RANGE;
	if (o.start + CTR_IDS_RANGE > UINT32_MAX)
		return cerr_set(err, ENOSPC, "no free range of %u ids left for uid %u", CTR_IDS_RANGE, (unsigned)uid);
	_cleanup_strbuf_ strbuf sb = STRBUF_INIT;
	if (sb_add(&sb, text ? text : "", len) < 0 || sb_addf(&sb, "%u %" PRIu64 "\n", (unsigned)uid, o.start) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if ((r = write_file_atomic(path, sb.buf, sb.len, 0600, err)) < 0)
		return r;
	*start = (uint32_t)o.start;
	return 0;
}

static uint32_t sub_size(uint64_t n) { return n < CTR_IDS_RANGE - 1 ? (uint32_t)n : CTR_IDS_RANGE - 1; }

int ctr_ids_for(const struct corrald *d, uid_t uid, gid_t gid, ctr_ids *out, cerr *err)
{
	char buf[4096];
	struct passwd pw, *pwp = NULL;
	getpwuid_r(uid, &pw, buf, sizeof(buf), &pwp);
	struct find fu = { .name = pwp ? pwp->pw_name : NULL }, fg = fu;
	snprintf(fu.id, sizeof(fu.id), "%u", (unsigned)uid);
	snprintf(fg.id, sizeof(fg.id), "%u", (unsigned)uid);
	bool have_u = each_range(SUBUID, is_mine, &fu), have_g = each_range(SUBGID, is_mine, &fg);
	uint32_t pool = 0;
	int r = (!have_u || !have_g) ? pool_range(d, uid, &pool, err) : 0;
	if (r < 0)
		return cerr_wrap(err, "the user namespace of uid %u", (unsigned)uid);
	uint32_t us = have_u ? (uint32_t)fu.start : pool, gs = have_g ? (uint32_t)fg.start : pool;
	uint32_t un = have_u ? sub_size(fu.n) : CTR_IDS_RANGE - 1, gn = have_g ? sub_size(fg.n) : CTR_IDS_RANGE - 1;
	if (uid == 0) /* root's --userns auto: its root too is one of the range, never the host's */
		*out = (ctr_ids){ .uid = { { 0, us, 1 }, { 1, us + 1, un - 1 } }, .gid = { { 0, gs, 1 }, { 1, gs + 1, gn - 1 } } };
	else
		*out = (ctr_ids){ .uid = { { 0, (uint32_t)uid, 1 }, { 1, us, un } }, .gid = { { 0, (uint32_t)gid, 1 }, { 1, gs, gn } } };
	return 0;
}

void ctr_ids_of_range(uint32_t uid, uint32_t gid, uint32_t size, ctr_ids *out)
{
	*out = (ctr_ids){ .uid = { { 0, uid, 1 }, { 1, uid + 1, size - 1 } }, .gid = { { 0, gid, 1 }, { 1, gid + 1, size - 1 } } };
}

int ctr_ids_rootfs(const ctr_ids *ids, rootfs_ids *out, cerr *err)
{
	int fd = idmap_userns_open(ids->uid, 2, ids->gid, 2, err);
	if (fd < 0)
		return fd;
	*out = (rootfs_ids){ .userns_fd = fd, .root_uid = ids->uid[0].host_id, .root_gid = ids->gid[0].host_id };
	return 0;
}

int ctr_ids_dir(const char *dir, const ctr_ids *ids, cerr *err)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = fd < 0 || fchown(fd, 0, 0) < 0 ? -errno : acl_dir_pass_only(fd, ids->uid[0].host_id);
	if (r == -EOPNOTSUPP)
		return cerr_set(err, EOPNOTSUPP, "%s: the state directory's filesystem has no POSIX ACLs, which a "
				"container in a user namespace needs", dir);
	if (r < 0)
		return cerr_sys(err, -r, "%s: let its user namespace's root alone pass", dir);
	return 0;
}

static void gen_map(yajl_gen g, const char *key, const struct oci_idmap m[2])
{
	jg_key(g, key);
	yajl_gen_array_open(g);
	for (size_t i = 0; i < 2; i++) {
		jg_object(g, JG_INT("containerID", m[i].container_id), JG_INT("hostID", m[i].host_id),
			     JG_INT("size", m[i].size), JG_END);
	}
	yajl_gen_array_close(g);
}

void ctr_ids_gen(yajl_gen g, const ctr_ids *ids)
{
	gen_map(g, "uidMappings", ids->uid);
	gen_map(g, "gidMappings", ids->gid);
}

int ctr_userns_of(const struct corrald *d, const struct ctr *c, ctr_ids *out, cerr *err)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	return bundle_userns_maps(dir, out->uid, out->gid, err);
}

int ctr_process_user(const struct corrald *d, const struct ctr *c, struct bundle_user *out, cerr *err)
{
	char dir[PATH_MAX];
	ctr_dir(d, c, dir, sizeof(dir));
	return bundle_process_user(dir, out, err);
}
