/* Volumes in a container's life: each of its volume mounts made on first
 * use (an anonymous one under a made-up name) at Create, and bound from
 * the volume's _data (or its tmpfs, or its bind) into the bundle; the
 * names of its anonymous ones kept in its record. */
#include "supervisor/daemon/volumes/volumes.h"
#include "supervisor/daemon/spec/ctr_spec_mounts.h"
#include "supervisor/daemon/volumes/vol_int.h"
#include "supervisor/daemon/volumes/vol_create.h"
#include "supervisor/daemon/volumes/vol_methods.h"
#include "supervisor/daemon/volumes/vol_owners.h"
#include "supervisor/daemon/containers/engine/ctr_bundle.h"
#include "supervisor/daemon/containers/engine/ctr_bundle_mounts.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/core/events.h"
#include "common/cleanup.h"
#include "common/copytree.h"
#include "common/safepath.h"
#include "common/log.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *opt_of(const vol_info *v, const char *key)
{
	yajl_val o = v->options ? json_get(v->options, key) : NULL;
	return YAJL_IS_STRING(o) ? o->u.string : NULL;
}

/* A member's bind volume is one more bind of the spec's: the policy opens
 * its device as the member, checks where it really leads and pins it, as
 * for `-v /path:/dest`, so that a symlink put there since the volume was
 * made leads nowhere else. */
static int add_as_bind(ctr_spec *cspec, ctr_volume *cv, const char *device, json_fault *f)
{
	ctr_mount *more = realloc(cspec->mounts, (cspec->n_mounts + 2) * sizeof(*more));
	if (!more)
		return json_fault_oom(f);
	cspec->mounts = more;
	ctr_mount *m = &more[cspec->n_mounts];
	*m = (ctr_mount){ .source = strdup(device), .destination = strdup(cv->destination), .readonly = cv->readonly };
	more[cspec->n_mounts + 1] = (ctr_mount){ 0 };
	if (!m->source || !m->destination) {
		free(m->source);
		free(m->destination);
		*m = (ctr_mount){ 0 };
		return json_fault_oom(f);
	}
	cspec->n_mounts++;
	cv->as_bind = true;
	return 0;
}

/* cv's name as the peer gave it (NAME, or NAME@UID), as its owner's
 * NAME: 0, or -errno with f set */
static int owner_of(ctr_volume *cv, const peer_cred *peer, const char *field, json_fault *f)
{
	cv->owner = peer->uid;
	if (!cv->name)
		return 0;
	vol_ref ref;
	if (!vol_ref_parse(peer, cv->name, &ref))
		return json_fault_set(f, ENOENT, field, "no such volume: %s", cv->name);
	char *name = strdup(ref.name);
	if (!name)
		return json_fault_oom(f);
	free(cv->name);
	cv->name = name;
	cv->owner = ref.owner;
	return 0;
}

/* One volume mount: the volume, made when it is not there (a member's
 * that root names is not made for it). */
static int resolve(struct corrald *d, ctr_spec *cspec, ctr_volume *cv, size_t i, const peer_cred *peer,
		   ctr_missing *m, json_fault *f)
{
	char dir[PATH_MAX], field[64], made[VOL_NAME_MAX + 1];
	snprintf(field, sizeof(field), "spec.mounts[%zu].source", i);
	int r = owner_of(cv, peer, field, f);
	if (r < 0)
		return r;
	vol_dir(d, cv->owner, dir, sizeof(dir));
	for (int tries = 0; tries < 3; tries++) {
		vol_info v;
		_cleanup_cerr_ cerr err = { 0 };
		r = cv->name ? vol_load(dir, cv->name, &v, &err) : -ENOENT;
		if (r == 0) {
			const char *type = opt_of(&v, "type"), *device = opt_of(&v, "device");
			int r2 = 0;
			/* a member's device is a path the member controls: only
			 * the member's own binds open it, as the member */
			if (type && streq(type, "none") && device && cv->owner != peer->uid)
				r2 = json_fault_set(f, EPERM, field, "%s@%u is a bind volume: bind its device %s instead",
						    cv->name, (unsigned)cv->owner, device);
			else if (type && streq(type, "none") && device && owner_is_member(peer))
				r2 = add_as_bind(cspec, cv, device, f);
			vol_info_release(&v);
			return r2;
		}
		if (r == -ENOENT && cv->owner != peer->uid)
			return json_fault_set(f, ENOENT, field, "no such volume: %s@%u", cv->name, (unsigned)cv->owner);
		if (r != -ENOENT)
			return json_fault_set(f, err.code ? err.code : EIO, field, "%s", cerr_msg(&err));
		policy_violation pv;
		r = vol_create(d, peer, cv->name, NULL, NULL, !cv->name, made, &pv, &err);
		if (r == POLICY_REFUSED)
			return json_fault_set(f, EDQUOT, field, "refused by policy: %s (%s)", pv.reason, pv.limit);
		if (r == -EEXIST && cv->name)
			continue; /* made meanwhile: look again */
		if (r < 0)
			return json_fault_set(f, err.code ? err.code : EIO, field, "%s", cerr_msg(&err));
		if (!cv->name) {
			if (!(cv->name = strdup(made)))
				return json_fault_oom(f);
			cv->anonymous = true;
		}
		return 0;
	}
	return json_fault_set(f, EAGAIN, field, "volume %s changed while it was looked at", cv->name);
}

static int check(struct corrald *d, ctr_spec *cspec, const peer_cred *peer, ctr_missing *m, json_fault *f)
{
	for (size_t i = 0; i < cspec->n_volumes; i++) {
		int r = resolve(d, cspec, &cspec->volumes[i], i, peer, m, f);
		if (r)
			return r;
	}
	return 0;
}

/* The image's Volumes: an anonymous volume each, where the spec mounts
 * nothing, made now (docker's and podman's run). */
static int image_found(struct corrald *d, ctr_spec *cspec, char *const *volumes, const peer_cred *peer, json_fault *f)
{
	size_t from = cspec->n_volumes;
	int r = ctr_spec_add_image_volumes(cspec, volumes, f);
	if (r < 0)
		return r;
	ctr_missing m = { 0 };
	for (size_t i = from; i < cspec->n_volumes; i++)
		if ((r = resolve(d, cspec, &cspec->volumes[i], i, peer, &m, f)))
			return r < 0 ? r : json_fault_set(f, ENOENT, "spec.image", "its volume at %s", cspec->volumes[i].destination);
	return 0;
}

/* A failed Create: the anonymous volumes it made (no other container
 * can hold one yet) */
static void unchecked(struct corrald *d, ctr_spec *cspec)
{
	for (size_t i = 0; i < cspec->n_volumes; i++) {
		_cleanup_cerr_ cerr err = { 0 };
		if (cspec->volumes[i].anonymous && cspec->volumes[i].name &&
		    vol_discard(d, cspec->volumes[i].owner, cspec->volumes[i].name, &err) < 0 && err.code != ENOENT)
			log_cerr(LOG_LVL_WARN, &err, "a failed create's volume %s", cspec->volumes[i].name);
	}
}

/* A tmpfs volume's o, as the tmpfs's options */
static char **tmpfs_words(const char *o)
{
	size_t n = 1;
	for (const char *p = o; p && *p; p++)
		n += *p == ',';
	char **v = o ? calloc(n + 1, sizeof(char *)) : NULL;
	if (!v)
		return NULL;
	size_t k = 0;
	for (const char *p = o; *p;) {
		size_t len = strcspn(p, ",");
		if (len && !(v[k++] = strndup(p, len))) {
			strv_free(v);
			return NULL;
		}
		p += len + (p[len] == ',');
	}
	return v;
}

static void gen_mounts(yajl_gen g, const bundle_in *in, enum ctr_mounts_at at)
{
	if (at != CTR_MOUNTS_BEFORE_BINDS)
		return;
	char dir[PATH_MAX];
	for (size_t i = 0; i < in->spec->n_volumes; i++) {
		const ctr_volume *cv = &in->spec->volumes[i];
		if (cv->as_bind)
			continue; /* among the spec's binds, pinned */
		vol_dir(in->d, cv->owner, dir, sizeof(dir));
		vol_info v;
		_cleanup_cerr_ cerr err = { 0 };
		if (!cv->name || vol_load(dir, cv->name, &v, &err) < 0)
			continue; /* removed with force meanwhile: its start fails on the missing path */
		const char *type = opt_of(&v, "type"), *rw = cv->readonly ? "ro" : "rw";
		if (type && streq(type, "tmpfs")) {
			_cleanup_strv_ char **more = tmpfs_words(opt_of(&v, "o"));
			bundle_gen_mount(g, cv->destination, "tmpfs", "tmpfs",
					 (const char *const[]){ "rw", "nosuid", "nodev", NULL }, more);
			if (cv->readonly) /* ro after the volume's own words */
				bundle_gen_mount(g, cv->destination, "bind", cv->destination,
						 (const char *const[]){ "bind", "remount", "ro", NULL }, NULL);
		} else if (type && streq(type, "none") && opt_of(&v, "device")) {
			bundle_gen_mount(g, cv->destination, "bind", opt_of(&v, "device"),
					 (const char *const[]){ "rbind", rw, "nosuid", "nodev", NULL }, NULL);
		} else {
			char src[PATH_MAX];
			snprintf(src, sizeof(src), "%s/%s/%s", dir, cv->name, VOL_DATA);
			bundle_gen_mount(g, cv->destination, "bind", src,
					 (const char *const[]){ "rbind", rw, "nosuid", "nodev", NULL }, NULL);
		}
		vol_info_release(&v);
	}
}

/* record.json's "volumes": each volume mount's name, and whether the
 * container made it for itself, in the spec's order; then the image's,
 * which the spec as sent does not name, with their destinations */
static void gen_record(yajl_gen g, const ctr *c)
{
	if (!c->spec.n_volumes)
		return;
	jg_key(g, "volumes");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->spec.n_volumes; i++) {
		jg_object(g, JG_STR("name", c->spec.volumes[i].name ? c->spec.volumes[i].name : ""),
			     JG_INT("owner", c->spec.volumes[i].owner), JG_BOOL("anonymous", c->spec.volumes[i].anonymous),
			     JG_STR("destination", c->spec.volumes[i].destination), JG_END);
	}
	yajl_gen_array_close(g);
}

static void load_record(ctr *c, yajl_val record)
{
	yajl_val a = json_get(record, "volumes");
	for (size_t i = 0; YAJL_IS_ARRAY(a) && i < a->u.array.len; i++) {
		yajl_val e = a->u.array.values[i];
		yajl_val n = json_get(e, "name"), dest = json_get(e, "destination"), owner = json_get(e, "owner");
		json_fault f = { 0 };
		if (i >= c->spec.n_volumes && (!YAJL_IS_STRING(dest) ||
					       ctr_spec_add_image_volumes(&c->spec, (char *const[]){ dest->u.string, NULL }, &f) != 1))
			break; /* not the image's: the record is not as written */
		ctr_volume *cv = &c->spec.volumes[i];
		/* the owner's name, not the spec's NAME@UID; a record from
		 * before owners were written is the container's owner's */
		cv->owner = YAJL_IS_INTEGER(owner) && owner->u.number.i >= 0 && owner->u.number.i < UINT32_MAX
				    ? (uid_t)owner->u.number.i
				    : c->owner;
		cv->anonymous = YAJL_IS_TRUE(json_get(e, "anonymous"));
		char *name = YAJL_IS_STRING(n) && vol_name_valid(n->u.string) ? strdup(n->u.string) : NULL;
		if (name) {
			free(cv->name);
			cv->name = name;
		}
	}
}

static bool dir_empty(int fd)
{
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
	if (!d) {
		if (dup >= 0)
			close(dup);
		return false;
	}
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = streq(e->d_name, ".") || streq(e->d_name, "..");
	closedir(d);
	return empty;
}

/* docker's copy-up: a plain volume that is empty gets what the image has
 * at its destination, read within the container's rootfs (never out of it
 * by a symlink) and copied without following one. */
static int copy_up(const char *rootfs, const char *vdir, const ctr_volume *cv, cerr *err)
{
	char data[PATH_MAX];
	snprintf(data, sizeof(data), "%s/%s/%s", vdir, cv->name, VOL_DATA);
	_cleanup_close_ int dst = open(data, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return cerr_sys(err, errno, "%s", data);
	/* the fills of two Creates that mount it: one copies, the other finds
	 * it filled (each in a child of its own: the wait is no one else's) */
	if (flock(dst, LOCK_EX) < 0)
		return cerr_sys(err, errno, "lock %s", data);
	if (!dir_empty(dst))
		return 0;
	_cleanup_close_ int root = open(rootfs, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (root < 0)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", rootfs);
	int src = open_in_root(root, cv->destination, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (src == -ENOENT || src == -ENOTDIR || src == -ELOOP)
		return 0; /* nothing there, or no directory: nothing to copy */
	if (src < 0)
		return cerr_sys(err, -src, "%s%s", rootfs, cv->destination);
	int r = copy_tree(src, dst, NULL, err);
	close(src);
	return r;
}

/* Create: a volume is filled from the image (docker's copy-up), which the
 * image may make long (many files, or hardlinks by the million) */
static int fills(const ctr *c) { return c->spec.n_volumes > 0; }

static int fill(struct corrald *d, const ctr *c, const char *cdir, cerr *err)
{
	char vdir[PATH_MAX], rootfs[PATH_MAX];
	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", cdir);
	for (size_t i = 0; i < c->spec.n_volumes; i++) {
		const ctr_volume *cv = &c->spec.volumes[i];
		vol_dir(d, cv->owner, vdir, sizeof(vdir));
		vol_info v;
		_cleanup_cerr_ cerr e2 = { 0 };
		if (!cv->name || cv->no_copy || vol_load(vdir, cv->name, &v, &e2) < 0)
			continue;
		bool plain = !opt_of(&v, "type");
		vol_info_release(&v);
		int r = plain ? copy_up(rootfs, vdir, cv, err) : 0;
		if (r < 0)
			return r;
	}
	return 0;
}

/* Remove with volumes, or an autoRemove: the anonymous volumes it made,
 * unless another container holds one too */
static void removed(struct corrald *d, ctr *c)
{
	if (!c->remove_volumes && !c->spec.auto_remove)
		return;
	for (size_t i = 0; i < c->spec.n_volumes; i++) {
		const ctr_volume *cv = &c->spec.volumes[i];
		if (!cv->anonymous || !cv->name || vol_user_other(d, cv->owner, cv->name, c))
			continue;
		_cleanup_cerr_ cerr err = { 0 };
		if (vol_discard(d, cv->owner, cv->name, &err) < 0 && err.code != ENOENT)
			log_cerr(LOG_LVL_WARN, &err, "container %s: its volume %s", c->name, cv->name);
		else
			vol_publish(d, c->owner, "remove", cv->name);
	}
}

/* Inspect: its volumes as made, an anonymous one by its made-up name
 * (docker inspect's Mounts, which compose reads to carry them over to the
 * container it makes again) */
static void gen_inspect(yajl_gen g, struct corrald *d, const ctr *c)
{
	if (!c->spec.n_volumes)
		return;
	jg_key(g, "volumes");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < c->spec.n_volumes; i++) {
		const ctr_volume *cv = &c->spec.volumes[i];
		char dir[PATH_MAX], mp[PATH_MAX];
		if (!cv->name)
			continue;
		vol_dir(d, cv->owner, dir, sizeof(dir));
		snprintf(mp, sizeof(mp), "%s/%s/" VOL_DATA, dir, cv->name);
		jg_object(g, JG_STR("name", cv->name), JG_INT("owner", cv->owner), JG_STR("destination", cv->destination),
			  JG_STR("mountpoint", mp), JG_BOOL("readonly", cv->readonly), JG_BOOL("anonymous", cv->anonymous),
			  JG_END);
	}
	yajl_gen_array_close(g);
}

/* a volume removed while the fill ran (no container held it yet) */
static int filled(struct corrald *d, const ctr *c, cerr *err)
{
	for (size_t i = 0; i < c->spec.n_volumes; i++) {
		const ctr_volume *cv = &c->spec.volumes[i];
		char dir[PATH_MAX];
		vol_info v;
		vol_dir(d, cv->owner, dir, sizeof(dir));
		if (!cv->name)
			continue;
		if (vol_load(dir, cv->name, &v, err) < 0)
			return cerr_wrap(err, "volume %s, while the container was made", cv->name);
		vol_info_release(&v);
	}
	return 0;
}

const ctr_feature volumes_container_hooks = {
	.name = "volumes",
	.create = { .check = check, .image_found = image_found, .unchecked = unchecked, .fills = fills, .fill = fill,
		    .filled = filled },
	.bundle = { .mounts = gen_mounts },
	.end = { .removed = removed },
	.inspect = { .top_keys = gen_inspect },
	.record = { .gen = gen_record, .load = load_record },
};
