/* Mounts from config.json, applied inside the rootfs. Every target is
 * created and opened with openat2(RESOLVE_IN_ROOT) and mounted through its
 * /proc/self/fd path, so a symlink in the rootfs cannot redirect a mount
 * onto the host. */
#include "rootfs.h"
#include "runtime/rootfs_suid.h"
#include "runtime/mounts.h"
#include "bundle/parse_linux.h"
#include "selinux.h"
#include "cgroups/cgroups.h"
#include "common/cleanup.h"
#include "common/copytree.h"
#include "common/log.h"
#include "common/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int devices_create(const struct rootfs_opts *o, int rootfd, cerr *err);

/* Flags the kernel locks on a bind mount (in a user namespace they must be
 * kept on remount). */
static unsigned long locked_flags(const char *path)
{
	static const struct { unsigned long st, ms; } map[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV }, { ST_NOEXEC, MS_NOEXEC }, { ST_RDONLY, MS_RDONLY },
		{ ST_NOATIME, MS_NOATIME }, { ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
	};
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv) < 0)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i].st)
			f |= map[i].ms;
	return f;
}

int remount_bind(const char *target, unsigned long flags)
{
	unsigned long base = MS_REMOUNT | MS_BIND;
	if (mount(NULL, target, NULL, base | flags, NULL) == 0)
		return 0;
	if (errno != EPERM)
		return -errno;
	/* keep what the kernel locked, as a user namespace requires */
	if (mount(NULL, target, NULL, base | flags | (locked_flags(target) & ~MS_RDONLY), NULL) == 0)
		return 0;
	return -errno;
}

static int resolve_source(const struct rootfs_opts *o, const char *src, char out[PATH_MAX])
{
	if (src[0] == '/')
		snprintf(out, PATH_MAX, "%s", src);
	else
		snprintf(out, PATH_MAX, "%s/%s", o->bundle, src);
	return 0;
}

/* Create the mount target: a file when binding a non-directory (the tree
 * the parent opened, when it did: the source may be out of reach here). */
static int open_target(int rootfd, const struct oci_mount *m, const char *src, int tree, cerr *err, const char *what)
{
	bool want_file = false;
	if (m->bind) {
		struct stat st;
		if ((tree >= 0 ? fstat(tree, &st) : stat(src, &st)) < 0)
			return cerr_sys(err, errno, "%s: source %s", what, src);
		want_file = !S_ISDIR(st.st_mode);
	}
	int fd = want_file ? mkfile_in_root(rootfd, m->destination, 0644)
			   : mkdir_in_root(rootfd, m->destination, 0755);
	if (fd == -ENOTDIR || fd == -EEXIST) {
		/* an existing non-directory target is fine for a file mount */
		fd = open_in_root(rootfd, m->destination, O_PATH | O_NOFOLLOW, 0);
	}
	if (fd < 0)
		return cerr_sys(err, -fd, "%s: create mount point %s", what, m->destination);
	return fd;
}

/* Whether path, as the config wrote it, lies at or below dir ("/proc"). */
static bool written_under(const char *path, const char *dir)
{
	while (*path == '/' && path[1] == '/')
		path++;
	size_t n = strlen(dir);
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* A target that the config did not place in /proc or /sys, but that the
 * rootfs's symlinks led onto procfs or sysfs, is refused, as runc does: a
 * container that planted them in its root before a restart must not get a
 * mount over what confines it (/proc/sys, /proc/self/attr). */
static int check_lands(int tfd, const struct oci_mount *m, const char *what, cerr *err)
{
	struct statfs sf;
	if (fstatfs(tfd, &sf) < 0)
		return cerr_sys(err, errno, "%s: statfs %s", what, m->destination);
	const char *fs = sf.f_type == PROC_SUPER_MAGIC ? "/proc" : sf.f_type == SYSFS_MAGIC ? "/sys" : NULL;
	if (fs && !written_under(m->destination, fs))
		return cerr_set(err, ELOOP, "%s: destination %s resolves into %s (a symlink in the rootfs leads there)",
				what, m->destination, fs);
	return 0;
}

/* After the mount itself: a bind's own flags (MS_BIND|MS_REMOUNT keeps the
 * others), then propagation and recursive attributes, all on the mount as
 * reopened inside the root. */
static int finish_mount(int rootfd, const struct oci_mount *m, unsigned long remount, const char *what, cerr *err)
{
	if (!remount && !m->propagation && !m->attr_set && !m->attr_clr)
		return 0;
	char mp[32];
	_cleanup_close_ int mfd = open_in_root(rootfd, m->destination, O_PATH, 0);
	if (mfd < 0)
		return cerr_sys(err, -mfd, "%s: reopen %s", what, m->destination);
	if (remount) {
		int r = remount_bind(fd_path(mfd, mp), remount);
		if (r < 0)
			return cerr_sys(err, -r, "%s: remount %s", what, m->destination);
	}
	if (m->propagation && mount(NULL, fd_path(mfd, mp), NULL, m->propagation, NULL) < 0)
		return cerr_sys(err, errno, "%s: set propagation of %s", what, m->destination);
	if (m->attr_set || m->attr_clr) {
		struct mount_attr a = { .attr_set = m->attr_set, .attr_clr = m->attr_clr };
		if (syscall(SYS_mount_setattr, mfd, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof(a)) < 0)
			return cerr_sys(err, errno, "%s: set recursive attributes of %s", what, m->destination);
	}
	return 0;
}

static int mount_cgroup(int rootfd, const struct oci_mount *m, const char *target, const char *what, cerr *err)
{
	if (mount("cgroup2", target, "cgroup2", m->flags, NULL) == 0)
		return 0;
	int e = errno;
	/* without a cgroup namespace of our own the kernel may refuse: show the
	 * host's hierarchy read-only instead, as runc does. The flags go on the
	 * bind as reopened: target is the directory it covers. */
	const char *host;
	if ((e == EPERM || e == EBUSY) && cg_find_mount(&host) == 0 &&
	    mount(host, target, NULL, MS_BIND | MS_REC, NULL) == 0)
		return finish_mount(rootfd, m, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, what, err);
	return cerr_sys(err, e, "%s: mount cgroup2 on %s", what, m->destination);
}

/* whether a mount's filesystem options (comma-joined) set KEY= */
static bool data_sets(const char *data, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = data; p; p = strchr(p, ',')) {
		p += *p == ',';
		if (!strncmp(p, key, n) && p[n] == '=')
			return true;
	}
	return false;
}

/* The new tmpfs starts as a copy of the directory it covers (podman's
 * --read-only and --tmpfs): its content, and its root's owner and mode
 * where the options give none (podman's tmpfs-mode= and U=true). */
static int tmpcopyup(int rootfd, const struct oci_mount *m, int under, const char *what, cerr *err)
{
	_cleanup_close_ int top = open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0);
	struct stat st;
	if (top < 0)
		return cerr_sys(err, -top, "%s: tmpcopyup: open %s", what, m->destination);
	if (fstat(under, &st) < 0)
		return cerr_sys(err, errno, "%s: tmpcopyup: %s", what, m->destination);
	/* (uid_t)-1: fchown leaves that one as the options made it */
	uid_t uid = data_sets(m->data, "uid") ? (uid_t)-1 : st.st_uid;
	gid_t gid = data_sets(m->data, "gid") ? (gid_t)-1 : st.st_gid;
	if (fchown(top, uid, gid) < 0 || (!data_sets(m->data, "mode") && fchmod(top, st.st_mode & 07777) < 0))
		return cerr_sys(err, errno, "%s: tmpcopyup: %s", what, m->destination);
	int r = copy_tree(under, top, NULL, err);
	return r < 0 ? cerr_wrap(err, "%s: tmpcopyup %s", what, m->destination) : 0;
}

static int apply_mount(const struct rootfs_opts *o, int rootfd, const struct oci_mount *m, size_t idx, cerr *err)
{
	char what[64], src[PATH_MAX] = "", fdp[32];
	snprintf(what, sizeof(what), "mounts[%zu]", idx);
	if (m->bind)
		resolve_source(o, m->source, src);
	int tree = o->mount_trees ? o->mount_trees[idx] : -1;
	/* as runc: a tmpfs over a directory the rootfs has takes its mode,
	 * unless the options give one (buildah's RUN --mount=type=tmpfs) */
	mode_t was = 0;
	if (!m->bind && streq(m->type, "tmpfs")) {
		struct stat st;
		_cleanup_close_ int old = open_in_root(rootfd, m->destination, O_PATH | O_CLOEXEC, 0);
		if (old >= 0 && fstat(old, &st) == 0 && S_ISDIR(st.st_mode))
			was = st.st_mode & 07777;
	}
	_cleanup_close_ int tfd = open_target(rootfd, m, src, tree, err, what);
	if (tfd < 0)
		return tfd;
	int r = check_lands(tfd, m, what, err);
	if (r < 0)
		return r;
	const char *target = fd_path(tfd, fdp);
	unsigned long extra = m->flags & ~(MS_REMOUNT);
	if (m->bind && tree >= 0) {
		/* opened (and idmapped, if asked) by the parent: move it into place */
		if (syscall(SYS_move_mount, tree, "", tfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			return cerr_sys(err, errno, "%s: move idmapped %s on %s", what, src, m->destination);
	} else if (m->idmap) {
		return cerr_set(err, EPROTO, "%s: idmapped mount of %s was not prepared", what, src);
	}
	if (m->bind) {
		if (tree < 0 && mount(src, target, NULL, MS_BIND | (m->recursive ? MS_REC : 0), NULL) < 0)
			return cerr_sys(err, errno, "%s: bind %s on %s", what, src, m->destination);
		unsigned long own = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME |
				    MS_RELATIME | MS_STRICTATIME;
		return finish_mount(rootfd, m, (extra & own) ? extra : 0, what, err);
	}
	if (streq(m->type, "cgroup") || streq(m->type, "cgroup2"))
		return mount_cgroup(rootfd, m, target, what, err);
	/* tmpcopyup: the directory the tmpfs covers, still reachable after */
	_cleanup_close_ int under = m->tmpcopyup ? openat(tfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (m->tmpcopyup && under < 0)
		return cerr_sys(err, errno, "%s: tmpcopyup: open %s", what, m->destination);
	if (data_sets(m->data, "mode"))
		was = 0;
	/* a read-only one cannot be chmod-ed after: it gets the mode as an option */
	char data[4096];
	const char *opts = m->data;
	if (was && (extra & MS_RDONLY)) {
		if (snprintf(data, sizeof(data), "mode=%04o%s%s", (unsigned)was, m->data ? "," : "",
			     m->data ? m->data : "") >= (int)sizeof(data))
			return cerr_set(err, E2BIG, "%s: options of %s are too long", what, m->destination);
		opts = data;
		was = 0;
	}
	/* linux.mountLabel, where runc puts it: the context= of every filesystem
	 * made here but proc, sysfs and mqueue (labelled once mounted) */
	const char *label = o->spec->linux_.mount_label;
	bool label_after = label && label[0] && streq(m->type, "mqueue");
	char labelled[4096];
	if (label && label[0] && !label_after && !streq(m->type, "proc") && !streq(m->type, "sysfs")) {
		if (selinux_mount_data(opts, label, labelled, sizeof(labelled)) < 0)
			return cerr_set(err, E2BIG, "%s: options of %s are too long", what, m->destination);
		opts = labelled;
	}
	if (mount(m->source ? m->source : m->type, target, m->type, extra, opts) < 0) {
		int e = errno;
		/* sysfs needs a network namespace of our own; fall back to the host's */
		if (streq(m->type, "sysfs") && (e == EPERM || e == EBUSY) &&
		    mount("/sys", target, NULL, MS_BIND | MS_REC, NULL) == 0) {
			/* the bind's own root, not the directory it covers */
			char mp[32];
			_cleanup_close_ int mfd = open_in_root(rootfd, m->destination, O_PATH, 0);
			r = mfd < 0 ? mfd : remount_bind(fd_path(mfd, mp), extra | MS_RDONLY);
			return r < 0 ? cerr_sys(err, -r, "%s: remount the host's /sys read-only", what) : 0;
		}
		return cerr_sys(err, e, "%s: mount %s on %s", what, m->type, m->destination);
	}
	if (was || label_after) {
		/* the new mount's root, reopened: tfd is the directory beneath it */
		_cleanup_close_ int top = open_in_root(rootfd, m->destination, O_RDONLY | O_DIRECTORY, 0);
		if (top < 0 || (was && fchmod(top, was) < 0))
			return cerr_sys(err, top < 0 ? -top : errno, "%s: keep the mode of %s", what, m->destination);
		char tp[32];
		r = label_after ? selinux_label_path(fd_path(top, tp), label) : 0;
		if (r < 0)
			return cerr_sys(err, -r, "%s: label %s \"%s\" (linux.mountLabel)", what, m->destination, label);
	}
	r = m->tmpcopyup ? tmpcopyup(rootfd, m, under, what, err) : 0;
	return r < 0 ? r : finish_mount(rootfd, m, 0, what, err);
}

/* The mount that holds the rootfs (the rootfs itself when it is one) must
 * not be shared: the rootfs's own bind, and every mount made under it,
 * would propagate to the host's copy of it, and pivot_root refuses a
 * shared parent. Only our namespace's copy changes. */
static int unshare_rootfs_parent(const char *rootfs, unsigned long type)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s", rootfs) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (;;) {
		if (mount(NULL, path, NULL, type, NULL) == 0)
			return 0;
		/* EINVAL: not a mount point; try the directory above */
		char *slash = strrchr(path, '/');
		if (errno != EINVAL || !slash || !strcmp(path, "/"))
			return -errno;
		slash[slash == path] = '\0';
	}
}

int rootfs_prepare(const struct rootfs_opts *o, cerr *err)
{
	const struct oci_spec *s = o->spec;
	if (o->shared_mountns)
		return 0;
	/* as runc: every mount as rootfsPropagation says (rslave when it says
	 * nothing); rshared keeps them peers of the host's, so that a mount
	 * made in a bidirectional bind reaches the host and back */
	unsigned long want = s->linux_.rootfs_propagation_flags;
	if (mount(NULL, "/", NULL, want ? want : MS_SLAVE | MS_REC, NULL) < 0)
		return cerr_sys(err, errno, "make / %s", s->linux_.rootfs_propagation ? s->linux_.rootfs_propagation : "rslave");
	int r = unshare_rootfs_parent(o->rootfs, want & MS_SLAVE ? MS_SLAVE : MS_PRIVATE);
	if (r < 0)
		return cerr_sys(err, -r, "root.path: make the mount holding %s %s", o->rootfs,
				want & MS_SLAVE ? "slave" : "private");
	/* suid back (rootfs_suid.c): a tree from the parent has it from the
	 * parent; the init's own bind takes it here where no user namespace
	 * locks it (asked before the bind, which is a mount of its own) */
	bool suid = o->rootfs_tree < 0 && !spec_has_namespace(s, NS_USER) && rootfs_suid_wanted(s, o->rootfs);
	if (o->rootfs_tree >= 0) {
		/* idmapped by the parent (run.oci.idmap-rootfs): move it over the rootfs */
		if (syscall(SYS_move_mount, o->rootfs_tree, "", AT_FDCWD, o->rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return cerr_sys(err, errno, "root.path: move idmapped %s into place", o->rootfs);
	} else if (mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
		return cerr_sys(err, errno, "root.path: bind %s", o->rootfs);
	}
	_cleanup_close_ int rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cerr_sys(err, errno, "root.path: open %s", o->rootfs);
	if (suid && (r = rootfs_suid_give(rootfd, o->rootfs, err)) < 0)
		return r;
	for (size_t i = 0; i < s->n_mounts; i++) {
		r = apply_mount(o, rootfd, &s->mounts[i], i, err);
		if (r < 0)
			return r;
	}
	return devices_create(o, rootfd, err);
}

int rootfs_bind_console(const struct rootfs_opts *o, const char *slave, cerr *err)
{
	_cleanup_close_ int rootfd = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return cerr_sys(err, errno, "open %s", o->rootfs);
	_cleanup_close_ int fd = mkfile_in_root(rootfd, "/dev/console", 0600);
	if (fd < 0)
		return cerr_sys(err, -fd, "create /dev/console");
	char p[32];
	if (mount(slave, fd_path(fd, p), NULL, MS_BIND, NULL) < 0)
		return cerr_sys(err, errno, "bind %s on /dev/console", slave);
	return 0;
}

int rootfs_enter(const struct rootfs_opts *o, cerr *err)
{
	if (chdir(o->rootfs) < 0)
		return cerr_sys(err, errno, "chdir %s", o->rootfs);
	if (o->shared_mountns) {
		if (chroot(".") < 0)
			return cerr_sys(err, errno, "chroot %s", o->rootfs);
	} else if (o->no_pivot) {
		if (mount(o->rootfs, "/", NULL, MS_MOVE, NULL) < 0)
			return cerr_sys(err, errno, "move %s to /", o->rootfs);
		if (chroot(".") < 0)
			return cerr_sys(err, errno, "chroot");
	} else {
		/* pivot onto "." and lazily drop the old root stacked over it;
		 * "." must be the old root's when it is made rslave: the new
		 * root's would lose its mounts' propagation (a bidirectional bind) */
		_cleanup_close_ int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (oldroot < 0)
			return cerr_sys(err, errno, "open the old root");
		if (syscall(SYS_pivot_root, ".", ".") < 0)
			return cerr_sys(err, errno, "pivot_root %s", o->rootfs);
		if (fchdir(oldroot) < 0)
			return cerr_sys(err, errno, "enter the old root");
		if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
			return cerr_sys(err, errno, "make old root rslave");
		if (umount2(".", MNT_DETACH) < 0)
			return cerr_sys(err, errno, "detach old root");
	}
	if (chdir("/") < 0)
		return cerr_sys(err, errno, "chdir /");
	return 0;
}
