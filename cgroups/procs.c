/* The processes of a cgroup: entering, listing, signalling, and removing the
 * cgroup once they are gone. */
#include "cgroups.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "cgfile.h"
#include "common/monotonic.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int collect_pids(int dirfd, pid_t **pids, size_t *n, int depth)
{
	if (depth > 64)
		return -ELOOP;
	_cleanup_free_ char *s = NULL;
	int r = read_file_at(dirfd, "cgroup.procs", 1 << 24, &s, NULL, NULL);
	if (r < 0)
		return r;
	for (char *p = s; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		pid_t *np = realloc(*pids, (*n + 1) * sizeof(pid_t));
		if (!np)
			return -ENOMEM;
		*pids = np;
		(*pids)[(*n)++] = (pid_t)v;
		p = end + strspn(end, "\n");
	}
	int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	_cleanup_closedir_ DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		_cleanup_close_ int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub >= 0 && (r = collect_pids(sub, pids, n, depth + 1)) < 0)
			return r;
	}
	return 0;
}

int cg_pids(cg *c, pid_t **pids, size_t *n, cerr *err)
{
	*pids = NULL;
	*n = 0;
	int r = collect_pids(c->dirfd, pids, n, 0);
	if (r < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return cerr_sys(err, -r, "cgroup %s: list processes", c->path);
	}
	return 0;
}

/* Without cgroup.kill (before 5.14) a process could fork between our read of
 * cgroup.procs and its kill; freezing first closes that race. */
static int signal_each(cg *c, int sig, cerr *err)
{
	bool froze = cg_freeze(c, true, 1000, NULL) == 0;
	int r = 0;
	for (int round = 0; round < 16; round++) {
		_cleanup_free_ pid_t *pids = NULL;
		size_t n = 0;
		if ((r = cg_pids(c, &pids, &n, err)) < 0)
			break;
		size_t sent = 0;
		for (size_t i = 0; i < n; i++) {
			if (kill(pids[i], sig) == 0)
				sent++;
			else if (errno != ESRCH) {
				r = cerr_sys(err, errno, "cgroup %s: kill %d", c->path, (int)pids[i]);
				break;
			}
		}
		/* frozen: nobody forked; a non-fatal signal is sent once */
		if (r < 0 || froze || sig != SIGKILL || sent == 0)
			break;
	}
	if (froze)
		cg_freeze(c, false, 1000, NULL);
	return r;
}

int cg_signal_all(cg *c, int sig, cerr *err)
{
	if (!c)
		return 0;
	if (sig == SIGKILL) {
		int r = cg_write_at(c->dirfd, "cgroup.kill", "1");
		if (r == 0)
			return 0;
		if (r != -ENOENT)
			return cerr_sys(err, -r, "cgroup %s: cgroup.kill", c->path);
	}
	return signal_each(c, sig, err);
}

static int populated(int evfd)
{
	char buf[512];
	ssize_t n = pread(evfd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	char *p = strstr(buf, "populated ");
	return p ? p[10] == '1' : -ENOENT;
}

bool cg_is_empty(cg *c)
{
	_cleanup_close_ int fd = openat(c->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	int p = fd >= 0 ? populated(fd) : -ENOENT;
	if (p >= 0)
		return p == 0;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	return cg_pids(c, &pids, &n, NULL) == 0 && n == 0;
}

int cg_wait_empty(cg *c, int timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	_cleanup_close_ int fd = openat(c->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	for (;;) {
		int p = fd >= 0 ? populated(fd) : -ENOENT;
		if (p < 0)
			p = !cg_is_empty(c);
		if (p == 0)
			return 0;
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		/* kernfs signals a change of cgroup.events with POLLPRI */
		struct pollfd pfd = { .fd = fd, .events = POLLPRI };
		if (fd < 0 || poll(&pfd, 1, (int)(left < 20 ? left : 20)) < 0)
			poll(NULL, 0, 5);
	}
}

/* Remove child cgroups depth-first, then the directory itself. */
static int rmdir_tree(int parentfd, const char *name, int depth)
{
	if (depth > 64)
		return -ELOOP;
	int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && de->d_name[0] != '.')
			rmdir_tree(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	return unlinkat(parentfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}

int cg_destroy(cg *c, bool force, cerr *err)
{
	if (!c)
		return 0;
	char full[PATH_MAX];
	snprintf(full, sizeof(full), "%s%s", c->mount, c->path);
	char *slash = strrchr(full, '/');
	*slash = '\0';
	_cleanup_close_ int parent = open(full[0] ? full : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return cerr_sys(err, errno, "cgroup %s: open parent", c->path);
	int64_t deadline = mono_ms() + CG_DESTROY_TIMEOUT_MS;
	for (int attempt = 0;; attempt++) {
		if (force) {
			cg_signal_all(c, SIGKILL, NULL);
			cg_wait_empty(c, attempt ? 100 : 1000);
		}
		int r = rmdir_tree(parent, slash + 1, 0);
		/* -ENOENT: gone already (systemd removes a stopped scope's). The
		 * parent stays, as runc's, crun's and systemd's slices do: corral's
		 * default one (/corral), made again for each container, cost a
		 * second cgroup and its controllers on every create. */
		if (r == 0 || r == -ENOENT)
			return 0;
		if (r != -EBUSY)
			return cerr_sys(err, -r, "cgroup %s: remove", c->path);
		if (mono_ms() > deadline) {
			_cleanup_free_ pid_t *pids = NULL;
			size_t n = 0;
			cg_pids(c, &pids, &n, NULL);
			return cerr_set(err, EBUSY, "cgroup %s: still busy after %d ms (%zu process%s left)",
					c->path, CG_DESTROY_TIMEOUT_MS, n, n == 1 ? "" : "es");
		}
		if (!force)
			cg_wait_empty(c, 50);
		poll(NULL, 0, 5);
	}
}
