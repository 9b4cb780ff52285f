#include "ckpt_args.h"
#include "bundle/parse_linux.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int add(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int add(char ***v, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0 || strv_push(v, s) < 0) {
		free(n < 0 ? NULL : s);
		return -ENOMEM;
	}
	return 0;
}

/* What both take from the user, as runc passes it on. */
static int common(char ***v, const struct ckpt_opts *o, bool dump)
{
	int r = 0;
	const char *work = o->work_path ? o->work_path : o->image_path;
	r = r || add(v, "--images-dir") || add(v, "%s", o->image_path) || add(v, "--work-dir") || add(v, "%s", work) ||
	    add(v, "--log-file") || add(v, "%s", dump ? (o->pre_dump ? "pre-dump.log" : "dump.log") : "restore.log") ||
	    add(v, "-v4");
	r = r || (o->manage_cgroups ? add(v, "--manage-cgroups=%s", o->manage_cgroups) : add(v, "--manage-cgroups"));
	r = r || (o->tcp_established && add(v, "--tcp-established")) || (o->ext_unix_sk && add(v, "--ext-unix-sk")) ||
	    (o->shell_job && add(v, "--shell-job")) || (o->file_locks && add(v, "--file-locks")) ||
	    (o->auto_dedup && add(v, "--auto-dedup")) || (o->empty_net && (add(v, "--empty-ns") || add(v, "net")));
	return r ? -ENOMEM : 0;
}

/* Masked paths that are files: /dev/null is bound over them. Resolved in
 * the container's root: a link the container made leads nowhere else. */
static bool masked_file(int rootfd, const char *path)
{
	struct stat st;
	_cleanup_close_ int fd = rootfd < 0 ? -1 : open_in_root(rootfd, path, O_PATH | O_CLOEXEC, 0);
	return fd >= 0 && fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* A namespace the config joins by path belongs to someone else (a pod's,
 * a session's): criu leaves a network namespace out of the dump as
 * external, and restores into one given back (CKPT_NETNS_FD); ipc, uts
 * and time are joined on restore. Another kind by path is refused. */
int ckpt_joined_ns_check(const struct oci_spec *s, cerr *err)
{
	for (size_t i = 0; i < s->linux_.n_namespaces; i++) {
		enum oci_ns_type t = s->linux_.namespaces[i].type;
		if (s->linux_.namespaces[i].path && t != NS_NETWORK && t != NS_IPC && t != NS_UTS && t != NS_TIME)
			return cerr_set(err, ENOTSUP, "linux.namespaces: a %s namespace joined by path (%s) cannot be "
					"checkpointed by corral", oci_ns_names[t], s->linux_.namespaces[i].path);
	}
	return 0;
}

static int external_netns(char ***v, const struct oci_spec *s, cerr *err)
{
	const struct oci_namespace *n = spec_namespace(s, NS_NETWORK);
	struct stat st;
	if (!n || !n->path)
		return 0;
	if (stat(n->path, &st) < 0)
		return cerr_sys(err, errno, "linux.namespaces: network %s", n->path);
	if (add(v, "--external") || add(v, "net[%lu]:" CKPT_EXT_NETNS, (unsigned long)st.st_ino))
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

static int joined_ns(char ***v, const struct oci_spec *s)
{
	for (size_t i = 0; i < s->linux_.n_namespaces; i++) {
		const struct oci_namespace *n = &s->linux_.namespaces[i];
		if (!n->path)
			continue;
		if (n->type == NS_NETWORK ? add(v, "--inherit-fd") || add(v, "fd[%d]:" CKPT_EXT_NETNS, CKPT_NETNS_FD)
					  : add(v, "--join-ns") || add(v, "%s:%s", oci_ns_names[n->type], n->path))
			return -ENOMEM;
	}
	return 0;
}

int ckpt_dump_args(const struct criu *c, const struct ckpt_opts *o, const struct ckpt_ctx *x, char ***out, cerr *err)
{
	_cleanup_strv_ char **v = NULL;
	int r = add(&v, "%s", o->pre_dump ? "pre-dump" : "dump") || common(&v, o, true) ? -ENOMEM : 0;
	r = r || add(&v, "--root") || add(&v, "%s", x->rootfs) || add(&v, "--tree") || add(&v, "%d", (int)x->pid) ? -ENOMEM : r;
	if (!r && x->cgroup_path && c->version >= CRIU_FREEZE_V2_VERSION)
		r = add(&v, "--freeze-cgroup") || add(&v, "%s%s", x->cgroup_mount, x->cgroup_path) ? -ENOMEM : 0;
	if (!r && (o->leave_running || o->pre_dump))
		r = add(&v, "--leave-running");
	if (!r && (o->parent_path || o->pre_dump))
		r = add(&v, "--track-mem");
	if (!r && o->parent_path)
		r = add(&v, "--prev-images-dir") || add(&v, "%s", o->parent_path) ? -ENOMEM : 0;
	/* a pre-dump takes memory only; the mounts are the dump's */
	for (size_t i = 0; !r && !o->pre_dump && i < x->spec->n_mounts; i++)
		if (x->spec->mounts[i].bind)
			r = add(&v, "--ext-mount-map") || add(&v, "%s:%s", x->spec->mounts[i].destination,
							   x->spec->mounts[i].destination) ? -ENOMEM : 0;
	char root[64];
	snprintf(root, sizeof(root), "/proc/%d/root", (int)x->pid);
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (char **m = x->spec->linux_.masked_paths; !r && !o->pre_dump && m && *m; m++)
		if (masked_file(rootfd, *m))
			r = add(&v, "--ext-mount-map") || add(&v, "%s:/dev/null", *m) ? -ENOMEM : 0;
	if (r)
		return cerr_set(err, ENOMEM, "out of memory");
	for (int fd = 0; !r && fd < 3; fd++) {
		const char *k = x->ext_stdio[fd];
		bool named = false; /* 2>&1: one file, named once */
		for (int e = 0; e < fd; e++)
			named |= k && x->ext_stdio[e] && streq(k, x->ext_stdio[e]);
		if (k && k[0] && !named)
			r = add(&v, "--external") || add(&v, "%s", k) ? -ENOMEM : 0;
	}
	if (r)
		return cerr_set(err, ENOMEM, "out of memory");
	if ((r = external_netns(&v, x->spec, err)) < 0)
		return r;
	/* its master is the console socket's, outside the tree; /dev/console
	 * is a bind of that pty's peer, which criu cannot dump without its
	 * master: it is external too, and restore binds the new peer there */
	if (x->terminal && (add(&v, "--external") || add(&v, "%s", x->terminal) || add(&v, "--ext-mount-map") ||
			    add(&v, "/dev/console:/dev/console")))
		return cerr_set(err, ENOMEM, "out of memory");
	*out = TAKE_PTR(v);
	return 0;
}

/* The dump's stdio that was a pipe, or a file outside the container: the
 * same fd of ours takes its place. */
static int inherit_stdio(char ***v, const char *descriptors)
{
	_cleanup_json_ yajl_val j = descriptors ? yajl_tree_parse(descriptors, NULL, 0) : NULL;
	for (size_t i = 0; YAJL_IS_ARRAY(j) && i < j->u.array.len && i < 3; i++) {
		/* an imported checkpoint's file: only criu's own forms are passed on */
		const char *d = YAJL_GET_STRING(j->u.array.values[i]);
		unsigned long ino, mnt;
		unsigned long long fino;
		char end;
		const char *rb = d ? strchr(d, ']') : NULL; /* its first ']' ends it */
		bool whole = rb && !rb[1];
		int r = 0;
		if (whole && sscanf(d, "pipe:[%lu%c", &ino, &end) == 2 && end == ']')
			r = add(v, "--inherit-fd") || add(v, "fd[%zu]:pipe:[%lu]", i, ino);
		else if (whole && sscanf(d, "file[%lx:%llx%c", &mnt, &fino, &end) == 3 && end == ']')
			r = add(v, "--inherit-fd") || add(v, "fd[%zu]:file[%lx:%llx]", i, mnt, fino);
		if (r)
			return -ENOMEM;
	}
	return 0;
}

int ckpt_restore_args(const struct criu *c, const struct ckpt_opts *o, const struct ckpt_ctx *x, char ***out,
		      cerr *err)
{
	_cleanup_strv_ char **v = NULL;
	int r = add(&v, "restore") || common(&v, o, false) || add(&v, "--root") || add(&v, "%s", x->rootfs) ||
		add(&v, "--restore-detached") || add(&v, "--restore-sibling") || add(&v, "--pidfile") ||
		add(&v, "%s", x->pidfile) ? -ENOMEM : 0;
	if (!r && x->cgroup_path)
		r = add(&v, "--cgroup-root") || add(&v, "%s", x->cgroup_path) ? -ENOMEM : 0;
	if ((o->lsm_profile || o->lsm_mount_context) && c->version < CRIU_LSM_VERSION)
		return cerr_set(err, ENOTSUP, "--lsm-profile, --lsm-mount-context: criu %s cannot (3.16 or later can)",
				c->text);
	if (!r && o->lsm_profile)
		r = add(&v, "--lsm-profile") || add(&v, "%s", o->lsm_profile) ? -ENOMEM : 0;
	if (!r && o->lsm_mount_context)
		r = add(&v, "--lsm-mount-context") || add(&v, "%s", o->lsm_mount_context) ? -ENOMEM : 0;
	for (size_t i = 0; !r && i < x->spec->n_mounts; i++) {
		const struct oci_mount *m = &x->spec->mounts[i];
		if (m->bind)
			r = add(&v, "--ext-mount-map") || add(&v, "%s:%s%s%s", m->destination, m->source[0] == '/' ? "" : x->bundle,
							   m->source[0] == '/' ? "" : "/", m->source) ? -ENOMEM : 0;
	}
	if (!r && x->spec->linux_.masked_paths && x->spec->linux_.masked_paths[0])
		r = add(&v, "--ext-mount-map") || add(&v, "/dev/null:/dev/null") ? -ENOMEM : 0;
	if (!r)
		r = inherit_stdio(&v, x->descriptors);
	if (!r && x->terminal)
		r = add(&v, "--inherit-fd") || add(&v, "fd[%d]:%s", CKPT_TERMINAL_FD, x->terminal) ||
				add(&v, "--ext-mount-map") || add(&v, "/dev/console:%s", x->console)
			? -ENOMEM
			: 0;
	if (!r)
		r = joined_ns(&v, x->spec);
	if (r)
		return cerr_set(err, ENOMEM, "out of memory");
	*out = TAKE_PTR(v);
	return 0;
}
