/* CopyFrom, CopyTo and Export: corrald finds the container's root, answers the
 * call with "upgrade", and hands the connection to corral-copy (supervisor/copy/copy.h),
 * which streams the tar itself: corrald never reads a container's files,
 * never links libarchive, and its loop is not in the data path.
 *
 * The root is the running container's own (through its init, with its
 * mounts: volumes and tmpfs included), or a stopped one's rootfs; a
 * stopped container made from a directory image shares that directory
 * read-only, and takes no copy in. */
#include "supervisor/daemon/copy/ctr_copy.h"
#include "supervisor/daemon/containers/record/ctr_paths.h"
#include "supervisor/varlink/handover.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/streams.h"
#include "supervisor/daemon/containers/methods/ctr_reply.h"
#include "supervisor/daemon/containers/engine/ctr_spawn.h"
#include "supervisor/daemon/containers/record/img_source.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/containers/record/ctr_ids.h"
#include "supervisor/loop/child.h"
#include "supervisor/varlink/params.h"
#include "supervisor/api/sv_errors.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COPY_MAX_OUTPUT (16u << 10)
#define PATH_NOT_ABSOLUTE "must be an absolute path in the container"

/* What corral-copy is told of the root: its arguments after the path. */
typedef struct copy_args {
	char rootfs[PATH_MAX], pid[16], cgroup[PATH_MAX], dir[PATH_MAX];
	char *argv[8]; /* NULL-ended */
} copy_args;

/* The root of c for a copy (to: into it); *why when there is none. */
static int root_of(corrald *d, ctr *c, bool to, bool rootfs_only, copy_args *a, const char **why, cerr *err)
{
	/* its user namespace's ids, if it has one: the copy acts as its root */
	ctr_dir(d, c, a->dir, sizeof(a->dir));
	char *const ids[] = { "--ids-of", a->dir };
	if (ctr_alive(c) && !rootfs_only) {
		snprintf(a->pid, sizeof(a->pid), "%d", (int)c->pid);
		ctr_cgroup_path(d, c, a->cgroup, sizeof(a->cgroup));
		char *const v[] = { "--pid", a->pid, "--cgroup", a->cgroup, ids[0], ids[1], NULL };
		memcpy(a->argv, v, sizeof(v));
		return 0;
	}
	if (!c->image_manifest) { /* a directory image, shared by its containers */
		if (to) {
			*why = "it is stopped, and its root filesystem is a shared read-only directory: start it first";
			return -EROFS;
		}
		snprintf(a->rootfs, sizeof(a->rootfs), "%s", c->image);
	} else {
		char dir[PATH_MAX];
		ctr_dir(d, c, dir, sizeof(dir));
		int r = imagesrc_remount(d->cfg->state_dir, dir, c->image_manifest, err);
		if (r < 0)
			return r;
		snprintf(a->rootfs, sizeof(a->rootfs), "%s/rootfs", dir);
	}
	char *const v[] = { "--root", a->rootfs, ids[0], ids[1], NULL };
	memcpy(a->argv, v, sizeof(v));
	return 0;
}

static void on_copy_done(const el_child_result *r, void *data)
{
	char *what = data;
	if (r->code != 0) {
		const strbuf *e = &r->out[1];
		log_info("%s: corral-copy exited with %d: %.*s", what, r->code, (int)(e->len ? e->len - 1 : 0),
			 e->buf ? e->buf : "");
	}
	free(what);
}


/* Why c takes no copy now; NULL when it does. */
static const char *refusal(const ctr *c)
{
	if (c->status == CS_REMOVING)
		return "it is being removed";
	return ctr_is_starting(c) ? "it is starting" : NULL;
}

/* corral-copy's options the call asked for (--owners, --stat, ...), at most */
#define COPY_ASKED_MAX 3

/* Answer with the upgrade and give the stream to corral-copy, with the
 * options the call asked for (NULL-ended). */
static int start_copy(vl_call *call, corrald *d, ctr *c, const char *path, bool to, char *const *asked, bool rootfs_only,
		      bool keep_setid)
{
	copy_args a = { 0 };
	cerr err = { 0 };
	const char *why = refusal(c);
	if (why || root_of(d, c, to, rootfs_only, &a, &why, &err) < 0)
		return why ? reply_bad_state(call, c, why) : sv_internal_err(call, &err);
	char *what = NULL;
	_cleanup_free_ char *p = strdup(path); /* params go with the call */
	if (!p || asprintf(&what, "container %s: copy %s %s", c->name, to ? "to" : "from", path) < 0)
		return sv_internal(call, "out of memory");
	/* a member's own tar makes setuid files the member's; root's would make
	 * them root's, unless it asks (asked before the upgrade: the call ends
	 * with it) */
	char *keep = !to && (keep_setid || owner_is_member(vl_call_peer(call))) ? "--keep-setid" : NULL;
	uid_t member = vl_call_peer(call)->uid;
	if (el_child_member_room(d->loop, member, &err) < 0) { /* refused while it can be answered */
		free(what);
		return sv_internal_err(call, &err);
	}
	_cleanup_close_ int fd = -1;
	if (vl_call_upgrade(call, NULL, &fd) < 0) {
		free(what);
		return 0; /* the call has ended: the connection went */
	}
	char *argv[16] = { d->copy_bin, to ? "to" : "from", "--path", p };
	size_t n = 4;
	for (char **arg = a.argv; *arg; arg++)
		argv[n++] = *arg;
	if (keep)
		argv[n++] = keep;
	for (; asked && *asked; asked++)
		argv[n++] = *asked;
	el_child_opts o = { .path = d->copy_bin, .argv = argv, .fd3 = fd, .max_output = COPY_MAX_OUTPUT, .member = member };
	el_child *ch;
	if (el_child_run(d->loop, &o, on_copy_done, what, &ch, &err) < 0) {
		log_cerr(LOG_LVL_ERROR, &err, "%s", what);
		stream_end(fd, 1, "corral-copy: could not start: see corrald's log");
		free(what);
	}
	return 0; /* answered by the upgrade; corral-copy has the stream */
}

static int no_upgrade(vl_call *call)
{
	return sv_invalid(call, "upgrade", "the tar streams after the reply: call with \"upgrade\": true");
}

int sv_copy_from(vl_call *call, yajl_val params, void *ud)
{
	const char *path;
	bool stat, stat_only, keep_setid;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f, SP_STR("path", true, &path), SP_BOOL("stat", false, &stat),
			  SP_BOOL("statOnly", false, &stat_only), SP_BOOL("keepSetid", false, &keep_setid));
	if (path[0] != '/')
		return sv_invalid(call, "path", PATH_NOT_ABSOLUTE);
	if (!vl_call_wants_upgrade(call))
		return no_upgrade(call);
	char *sent = stat_only ? "--stat-only" : stat ? "--stat" : NULL;
	return start_copy(call, ud, c, path, false, (char *[]){ sent, NULL }, false, keep_setid);
}

int sv_copy_to(vl_call *call, yajl_val params, void *ud)
{
	const char *path;
	bool owners, to_user, overwrite_dirs;
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f, SP_STR("path", true, &path), SP_BOOL("owners", false, &owners),
			  SP_BOOL("toUser", false, &to_user), SP_BOOL("overwriteDirs", false, &overwrite_dirs));
	if (path[0] != '/')
		return sv_invalid(call, "path", PATH_NOT_ABSOLUTE);
	if (owners && to_user)
		return sv_invalid(call, "toUser", "owners and toUser cannot both be set: the files are owned one way");
	if (!vl_call_wants_upgrade(call))
		return no_upgrade(call);
	/* a member's owners are ids of the container's user namespace, never the host's */
	ctr_ids ids;
	_cleanup_cerr_ cerr err = { 0 };
	if (owners && owner_is_member(vl_call_peer(call)) && ctr_userns_of(ud, c, &ids, &err) <= 0)
		return sv_permission_denied(call, "owners: the container has no user namespace of its own, "
						  "so its files' owners would be the host's");
	/* the user its process runs as: what it could own itself */
	char chown_ids[32];
	struct bundle_user user;
	if (to_user) {
		if (ctr_process_user(ud, c, &user, &err) < 0)
			return sv_internal_err(call, &err);
		snprintf(chown_ids, sizeof(chown_ids), "%" PRIu32 ":%" PRIu32, user.uid, user.gid);
	}
	char *asked[COPY_ASKED_MAX + 1] = { 0 };
	size_t n = 0;
	if (owners)
		asked[n++] = "--owners";
	if (to_user) {
		asked[n++] = "--chown";
		asked[n++] = chown_ids;
	}
	if (overwrite_dirs)
		asked[n++] = "--overwrite-dirs";
	return start_copy(call, ud, c, path, true, asked, false, false);
}

/* Export: its root filesystem as a tar, without what is mounted on it
 * (volumes, /proc): the rootfs, running or not, as docker export has it. */
int sv_export(vl_call *call, yajl_val params, void *ud)
{
	json_fault f = { 0 };
	CTR_METHOD_TARGET(c, ud, call, params, f);
	if (!vl_call_wants_upgrade(call))
		return no_upgrade(call);
	/* a whole filesystem, for an import: its setuid files stay so, as
	 * docker's and podman's exports keep them */
	return start_copy(call, ud, c, "/.", false, NULL, true, true);
}
