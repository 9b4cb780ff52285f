#include "supervisor/daemon/containers/record/pins.h"
#include "supervisor/daemon/spec/ctr_spec_mounts.h"
#include "supervisor/daemon/netfiles/netns_pin.h"
#include "supervisor/daemon/core/owner.h"
#include "supervisor/daemon/containers/record/peer_pin.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

void ctr_pins_release(ctr_pins *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->fds[i] >= 0)
			close(p->fds[i]);
	free(p->fds);
	free(p->dirs);
	p->fds = NULL;
	p->dirs = NULL;
	p->n = 0;
}

/* A member's sources being opened: what peer_pin_paths reads stays here. */
typedef struct member_pinning {
	ctr_pins *p;
	char **srcs;
	bool *create;
	size_t n;
	void (*done)(void *data);
	void *data;
} member_pinning;

static void member_pinned(int *fds, bool *dirs, size_t failed, int code, void *data)
{
	member_pinning *m = data;
	ctr_pins *p = m->p;
	p->member_code = code;
	p->member_failed = failed;
	if (!code) {
		p->fds = fds;
		p->dirs = dirs;
		p->n = m->n;
	}
	void (*done)(void *) = m->done;
	void *done_data = m->data;
	free(m->srcs);
	free(m->create);
	free(m);
	done(done_data);
}

int ctr_pins_open_as_member(el_loop *l, const ctr_spec *cspec, const peer_cred *peer, ctr_pins *p,
			    void (*done)(void *data), void *data, cerr *err)
{
	member_pinning *m = calloc(1, sizeof(*m));
	if (!m || !(m->srcs = calloc(cspec->n_mounts + 1, sizeof(char *))) ||
	    !(m->create = calloc(cspec->n_mounts + 1, sizeof(bool)))) {
		if (m)
			free(m->srcs);
		free(m);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*m = (member_pinning){ .p = p, .srcs = m->srcs, .create = m->create, .n = cspec->n_mounts, .done = done, .data = data };
	for (size_t i = 0; i < cspec->n_mounts; i++) {
		m->srcs[i] = cspec->mounts[i].source;
		m->create[i] = cspec->mounts[i].create_source;
	}
	p->member_code = EINPROGRESS;
	int r = peer_pin_paths(l, peer, m->srcs, m->create, cspec->n_mounts, member_pinned, m, err);
	if (r < 0) {
		free(m->srcs);
		free(m->create);
		free(m);
	}
	return r;
}

int ctr_pins_open(const ctr_spec *cspec, const peer_cred *peer, ctr_pins *p, char ***real, size_t *denied,
		     cerr *err)
{
	*denied = SIZE_MAX;
	if (owner_is_member(peer) && cspec->n_mounts && (p->member_code || p->n != cspec->n_mounts)) {
		if (p->member_code && p->member_code != EINPROGRESS && p->member_failed < cspec->n_mounts)
			*denied = p->member_failed;
		return cerr_set(err, p->member_code ? p->member_code : EINVAL, "the member's bind sources: %s",
				p->member_code ? strerror(p->member_code) : "not opened as the member");
	}
	*real = calloc(cspec->n_mounts + 1, sizeof(char *));
	if (!p->fds)
		p->fds = calloc(cspec->n_mounts + 1, sizeof(int));
	if (!*real || !p->fds)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = p->n; i < cspec->n_mounts; i++) { /* root's, as root */
		const ctr_mount *m = &cspec->mounts[i];
		int fd = open(m->source, O_PATH | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && m->create_source && pin_source_make(m->source) == 0)
			fd = open(m->source, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return cerr_sys(err, errno, "spec.mounts[%zu].source: %s", i, cspec->mounts[i].source);
		p->fds[p->n++] = fd;
	}
	for (size_t i = 0; i < cspec->n_mounts; i++) {
		const char *src = cspec->mounts[i].source;
		char link[64], buf[PATH_MAX];
		struct stat st;
		mode_t want = cspec->mounts[i].source_type;
		if (want && (fstat(p->fds[i], &st) < 0 || (st.st_mode & S_IFMT) != want))
			return cerr_set(err, ENOTDIR, "spec.mounts[%zu].source: %s is not a %s (sourceType)", i, src,
					ctr_source_type_word(want));
		snprintf(link, sizeof(link), "/proc/self/fd/%d", p->fds[i]);
		ssize_t n = readlink(link, buf, sizeof(buf) - 1);
		if (n < 0)
			return cerr_sys(err, errno, "spec.mounts[%zu].source: %s", i, src);
		buf[n] = '\0';
		if (!((*real)[i] = strdup(buf)))
			return cerr_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

static void bind_path(char *buf, size_t n, const char *dir, size_t i)
{
	snprintf(buf, n, "%s/" CTR_PINS_DIR "/%zu", dir, i);
}

int ctr_pins_mount(ctr_pins *p, const char *dir, ctr_spec *cspec, cerr *err)
{
	if (p->n == 0)
		return 0;
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/" CTR_PINS_DIR, dir);
	if (mkdir(top, 0700) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s", top);
	for (size_t i = 0; i < p->n; i++) {
		char target[PATH_MAX];
		bind_path(target, sizeof(target), dir, i);
		struct stat st;
		if (!p->dirs && fstat(p->fds[i], &st) < 0) /* root's own */
			return cerr_sys(err, errno, "%s", cspec->mounts[i].source);
		bool is_dir = p->dirs ? p->dirs[i] : S_ISDIR(st.st_mode);
		int r = is_dir ? mkdir(target, 0700) : mknodat(AT_FDCWD, target, S_IFREG | 0600, 0);
		if (r < 0 && errno != EEXIST)
			return cerr_sys(err, errno, "%s", target);
		_cleanup_close_ int tree = (int)syscall(SYS_open_tree, p->fds[i], "",
							 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
		if (tree < 0)
			return cerr_sys(err, errno, "open_tree %s", cspec->mounts[i].source);
		if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return cerr_sys(err, errno, "move_mount %s to %s", cspec->mounts[i].source, target);
		char *s = strdup(target);
		if (!s)
			return cerr_set(err, ENOMEM, "out of memory");
		free(cspec->mounts[i].source);
		cspec->mounts[i].source = s;
	}
	return 0;
}

int ctr_pins_remount(ctr_pins *p, const char *dir, ctr_spec *cspec, cerr *err)
{
	for (size_t i = 0; i < p->n; i++) {
		char target[PATH_MAX];
		bind_path(target, sizeof(target), dir, i);
		for (int k = 0; k < 16 && umount2(target, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; k++)
			; /* a mount stacked on it too */
	}
	return ctr_pins_mount(p, dir, cspec, err);
}

/* The mount id of what path names, from its O_PATH fd's fdinfo: never a
 * stat, which a member's file system mounted there would answer (or hold,
 * or refuse root) */
static bool mnt_id_of(const char *path, int flags, unsigned long long *id)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_CLOEXEC | flags);
	char info[64];
	_cleanup_free_ char *text = NULL;
	_cleanup_cerr_ cerr err = { 0 };
	size_t len;
	snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
	const char *line = fd >= 0 && read_file(info, 4096, &text, &len, &err) == 0 ? strstr(text, "mnt_id:") : NULL;
	return line && sscanf(line, "mnt_id: %llu", id) == 1;
}

/* A mount point: its mount id differs from its directory's (path is
 * absolute; a pinned file has no "path/..", hence the cut). */
static bool is_mount(const char *path)
{
	unsigned long long a, b;
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return false;
	*slash = '\0';
	return mnt_id_of(path, O_NOFOLLOW, &a) && mnt_id_of(parent, 0, &b) && a != b;
}

/* Each pin of dir's binds/ (the spec's binds, and a member's bind volumes,
 * added at Create): fn on its path until it answers nonzero, which is given */
static int each_pin(const char *dir, int (*fn)(const char *path, const char *name, cerr *err), cerr *err)
{
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/" CTR_PINS_DIR, dir);
	_cleanup_closedir_ DIR *d = opendir(top);
	struct dirent *de;
	for (size_t n = 0; d && (de = readdir(d)) && n < 4096; n++) {
		if (de->d_name[0] == '.')
			continue;
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", top, de->d_name);
		int r = fn(path, de->d_name, err);
		if (r)
			return r;
	}
	return 0;
}

/* The pinned source was deleted (an editor's save, rm and mkdir): the
 * kernel names its mount root " (deleted)", read from an O_PATH fd, so
 * nothing of a member's file system is asked */
static bool pin_deleted(const char *path)
{
	_cleanup_close_ int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	char link[32], target[PATH_MAX + 16];
	static const char mark[] = " (deleted)";
	ssize_t n = fd >= 0 ? readlink(fd_path(fd, link), target, sizeof(target) - 1) : -1;
	return n >= (ssize_t)strlen(mark) && !memcmp(target + n - strlen(mark), mark, strlen(mark));
}

static int check_mounted(const char *path, const char *name, cerr *err)
{
	bool pidns = streq(name, "pidns");
	if (!is_mount(path) && pidns) /* its container is gone with it: nothing to pin again */
		return cerr_set(err, ENOENT, "spec.pidNamespace: the namespace it joined is gone (the host restarted?): "
					     "create the container again");
	if (!pidns && !is_mount(path))
		return cerr_set(err, ENOENT, "spec.mounts[%s]: its pinned source is no longer mounted", name);
	if (!pidns && pin_deleted(path))
		return cerr_set(err, ENOENT, "spec.mounts[%s]: its pinned source was deleted", name);
	return 0;
}

int ctr_pins_present(const char *dir, cerr *err) { return each_pin(dir, check_mounted, err); }

static int detach(const char *path, const char *name, cerr *err)
{
	(void)name, (void)err;
	for (int k = 0; k < 16 && umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0; k++)
		; /* a mount stacked on it too */
	return 0;
}

void ctr_pins_unmount(const char *dir) { each_pin(dir, detach, NULL); }

/* Whether pid's cgroup (cgroup v2's "0::" line) is cgroup */
static bool in_cgroup(pid_t pid, const char *cgroup)
{
	char p[64], line[PATH_MAX + 8];
	snprintf(p, sizeof(p), "/proc/%d/cgroup", (int)pid);
	_cleanup_fclose_ FILE *f = fopen(p, "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = '\0';
			return streq(line + 3, cgroup);
		}
	return false;
}

int ctr_pin_ns_of(const char *path, pid_t pid, const char *kind, const char *cgroup, cerr *err)
{
	/* with the pidfd open, /proc/pid is that process until it ends: it is
	 * looked at, its namespace pinned, then it is asked whether it still runs */
	_cleanup_close_ int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0)
		return cerr_set(err, ESRCH, "its process %d has ended", (int)pid);
	if (!in_cgroup(pid, cgroup)) /* ended and reused, or moved below its cgroup */
		return cerr_set(err, ESRCH, "its process %d is not in its cgroup %s", (int)pid, cgroup);
	if (ns_bind(path, pid, kind, err) < 0)
		return -1;
	if (syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0) < 0) {
		umount2(path, MNT_DETACH);
		unlink(path);
		return cerr_set(err, ESRCH, "its process %d has ended", (int)pid);
	}
	return 0;
}

int ctr_pins_pid_ns(const char *dir, pid_t pid, const char *cgroup, cerr *err)
{
	char top[PATH_MAX], path[PATH_MAX];
	snprintf(top, sizeof(top), "%s/" CTR_PINS_DIR, dir);
	snprintf(path, sizeof(path), "%s/" CTR_PID_NS_PIN, dir);
	if (mkdir(top, 0700) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s", top);
	return ctr_pin_ns_of(path, pid, "pid", cgroup, err);
}
