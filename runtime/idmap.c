#include "idmap.h"
#include "bundle/spec_parse.h"
#include "bundle/parse_linux.h"
#include "exec_path.h"
#include "rootfs.h"
#include "runtime/rootfs_suid.h"
#include "rootless.h"
#include "sync.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

bool idmap_rootfs_wanted(const struct oci_spec *s)
{
	const char *v = spec_annotation(s, IDMAP_ROOTFS_ANNOTATION);
	return v && streq(v, "true");
}

bool idmap_needed(const struct oci_spec *s)
{
	if (idmap_rootfs_wanted(s))
		return true;
	for (size_t i = 0; i < s->n_mounts; i++)
		if (s->mounts[i].idmap)
			return true;
	return false;
}

static bool container_maps(const struct oci_spec *s)
{
	return s->linux_.n_uid_mappings && s->linux_.n_gid_mappings;
}

int idmap_check(const struct oci_spec *s, cerr *err)
{
	const char *v = spec_annotation(s, IDMAP_ROOTFS_ANNOTATION);
	if (v && !streq(v, "true") && !streq(v, "false"))
		return cerr_set(err, EINVAL, "annotations.%s: \"%s\" must be true or false", IDMAP_ROOTFS_ANNOTATION, v);
	if (idmap_rootfs_wanted(s) && !container_maps(s))
		return cerr_set(err, EINVAL, "annotations.%s: needs linux.uidMappings and linux.gidMappings",
				IDMAP_ROOTFS_ANNOTATION);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		if (m->idmap && !m->n_uid_mappings && !container_maps(s))
			return cerr_set(err, EINVAL, "mounts[%zu]: idmap needs uidMappings and gidMappings, on the mount or in linux", i);
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct oci_idmap *m, size_t n)
{
	char path[64], buf[340 * 36];
	size_t off = 0;
	for (size_t i = 0; i < n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%u %u %u\n", m[i].container_id, m[i].host_id,
					m[i].size);
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return write_file_str(path, buf);
}

extern char **environ;

/* newuidmap PID C H S... (or newgidmap): setuid, they write what
 * /etc/subuid (subgid) grants the caller */
static int map_with_tool(pid_t pid, bool gid, const struct oci_idmap *m, size_t n, const char *what, cerr *err)
{
	const char *tool = gid ? "newgidmap" : "newuidmap";
	_cleanup_free_ char *path = NULL;
	if (exec_find(tool, environ, &path, NULL) < 0)
		return cerr_set(err, EPERM, "%s: an unprivileged map of more than the caller's own id needs %s "
				"(Debian's uidmap package), and it is not on PATH", what, tool);
	if (n > 340)
		return cerr_set(err, E2BIG, "%s: %zu entries: at most 340", what, n);
	char nums[341 * 3][12];
	char *argv[341 * 3 + 3] = { (char *)tool, nums[0] };
	snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		unsigned v[3] = { m[i].container_id, m[i].host_id, m[i].size };
		for (int k = 0; k < 3; k++) {
			snprintf(nums[1 + i * 3 + k], sizeof(nums[0]), "%u", v[k]);
			argv[2 + i * 3 + k] = nums[1 + i * 3 + k];
		}
	}
	char why[512];
	int r = spawn_wait(path, argv, why, sizeof(why));
	if (r < 0)
		return cerr_sys(err, -r, "%s: %s", what, path);
	return r ? cerr_set(err, EPERM, "%s: %s failed: %s", what, tool, why[0] ? why : "no reason given") : 0;
}

int idmap_write(pid_t pid, const struct oci_idmap *u, size_t nu, const struct oci_idmap *g, size_t ng,
		const char *prefix, cerr *err)
{
	for (int gid = 0; gid < 2; gid++) {
		const struct oci_idmap *m = gid ? g : u;
		size_t n = gid ? ng : nu;
		const char *file = gid ? "gid_map" : "uid_map";
		char what[64];
		snprintf(what, sizeof(what), "%s%s", prefix, gid ? "gidMappings" : "uidMappings");
		bool own = n == 1 && m[0].size == 1 && m[0].host_id == (gid ? getegid() : geteuid());
		if (gid && own && geteuid() != 0) {
			/* an unprivileged writer of its own gid must give up setgroups */
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
			write_file_str(path, "deny");
		}
		int r = write_map(pid, file, m, n);
		if (r == -EPERM && !own && geteuid() != 0)
			r = map_with_tool(pid, gid, m, n, what, err);
		else if (r < 0)
			r = cerr_sys(err, -r, "%s: write /proc/%d/%s", what, (int)pid, file);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A child unshares it and waits on a pipe while we write its maps and open it. */
int idmap_userns_open(const struct oci_idmap *u, size_t nu, const struct oci_idmap *g, size_t ng, cerr *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return cerr_sys(err, errno, "idmap: pipe");
	struct clone_args ca = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	pid_t pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		char c;
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	int e = errno;
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return cerr_sys(err, e, "idmap: clone a user namespace");
	}
	char path[64];
	int fd = -1, r = idmap_write(pid, u, nu, g, ng, "idmap: ", err);
	if (r == 0) {
		snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			r = cerr_sys(err, errno, "idmap: open %s", path);
	}
	close(p[1]);
	waitpid(pid, NULL, 0);
	return r < 0 ? r : fd;
}

int idmap_tree(const char *src, bool recursive, bool idmap_recursive, int userns, cerr *err)
{
	_cleanup_close_ int fd = (int)syscall(SYS_open_tree, AT_FDCWD, src,
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	if (fd < 0)
		return cerr_sys(err, errno, "open_tree %s", src);
	struct mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns };
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (idmap_recursive ? AT_RECURSIVE : 0), &a, sizeof(a)) < 0)
		return cerr_sys(err, errno, "idmap %s", src);
	return TAKE_FD(fd);
}

/* nu == 0: a plain clone, for an init in a user namespace that could not
 * reach the source itself (a directory only the host's root may enter);
 * suid: the tree's own nosuid cleared (rootfs_suid.c) */
static int send_one(int sock, int index, const char *what, const char *src, bool recursive, bool idmap_recursive,
		    const struct oci_idmap *u, size_t nu, const struct oci_idmap *g, size_t ng, bool suid, cerr *err)
{
	_cleanup_close_ int userns = nu ? idmap_userns_open(u, nu, g, ng, err) : -1;
	if (nu && userns < 0)
		return cerr_wrap(err, "%s", what);
	_cleanup_close_ int tree = nu ? idmap_tree(src, recursive, idmap_recursive, userns, err)
				      : (int)syscall(SYS_open_tree, AT_FDCWD, src,
						     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0));
	/* a rootless parent may not clone mounts: the init binds the source
	 * itself, from inside its user namespace, as runc's rootless init does */
	if (!nu && tree < 0 && errno == EPERM && rootless_detect())
		return 0;
	if (!nu && tree < 0)
		return cerr_sys(err, errno, "%s: open_tree %s", what, src);
	if (tree < 0)
		return cerr_wrap(err, "%s", what);
	int r = suid ? rootfs_suid_give(tree, src, err) : 0;
	if (r < 0)
		return r;
	if (sync_send(sock, SYNC_MOUNT_FD, index, NULL, tree) < 0)
		return cerr_sys(err, errno, "%s: send the mount to the container init", what);
	return 0;
}

int idmap_send_mounts(int sock, const struct oci_spec *s, const char *rootfs, const char *bundle, pid_t init,
		      cerr *err)
{
	const struct oci_linux *l = &s->linux_;
	int r;
	(void)init;
	if (idmap_rootfs_wanted(s) &&
	    (r = send_one(sock, IDMAP_ROOTFS_INDEX, "root.path", rootfs, true, true, l->uid_mappings,
			  l->n_uid_mappings, l->gid_mappings, l->n_gid_mappings, rootfs_suid_wanted(s, rootfs), err)) < 0)
		return r;
	bool userns = spec_has_namespace(s, NS_USER) && !spec_namespace(s, NS_USER)->path;
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct oci_mount *m = &s->mounts[i];
		if (!m->idmap && !(userns && m->bind))
			continue;
		char what[32], src[PATH_MAX];
		snprintf(what, sizeof(what), "mounts[%zu]", i);
		snprintf(src, sizeof(src), "%s%s%s", m->source[0] == '/' ? "" : bundle, m->source[0] == '/' ? "" : "/",
			 m->source);
		bool own = m->n_uid_mappings > 0;
		size_t nu = !m->idmap ? 0 : own ? m->n_uid_mappings : l->n_uid_mappings;
		if ((r = send_one(sock, (int)i, what, src, m->recursive, m->idmap_recursive,
				  own ? m->uid_mappings : l->uid_mappings, nu, own ? m->gid_mappings : l->gid_mappings,
				  own ? m->n_gid_mappings : l->n_gid_mappings, false, err)) < 0)
			return r;
	}
	return 0;
}
