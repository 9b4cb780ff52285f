#include "cgroups.h"
#include "resources.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#define CG_DESTROY_TIMEOUT_MS 5000

int cg_find_mount(const char **mount)
{
	static const char *candidates[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		struct statfs fs;
		if (statfs(candidates[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC) {
			*mount = candidates[i];
			return 0;
		}
	}
	return -ENOENT;
}

int cg_root_controllers(const char *mount, char **out)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/cgroup.controllers", mount);
	char *s = NULL;
	int r = read_file(p, 4096, &s, NULL, NULL);
	if (r < 0)
		return r;
	s[strcspn(s, "\n")] = '\0';
	*out = s;
	return 0;
}

static int cg_new(const char *mount, const char *path, cg **out, cerr *err)
{
	cg *c = calloc(1, sizeof(*c));
	if (!c)
		return cerr_set(err, ENOMEM, "out of memory");
	c->dirfd = -1;
	c->mount = strdup(mount);
	if (asprintf(&c->path, "/%s", path + strspn(path, "/")) < 0)
		c->path = NULL;
	if (!c->mount || !c->path) {
		cg_free(c);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

static bool path_is_clean(const char *p)
{
	/* no "..", no empty or "." components: the path stays below the mount */
	_cleanup_free_ char *copy = strdup(p);
	if (!copy)
		return false;
	char *save = NULL;
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save))
		if (streq(t, "..") || streq(t, "."))
			return false;
	return true;
}

/* Enable the controllers res needs in each ancestor's subtree_control. */
static int enable_controllers(const cg *c, const char *want, cerr *err)
{
	if (!want || !*want)
		return 0;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", c->mount);
	_cleanup_free_ char *rel = strdup(c->path);
	if (!rel)
		return cerr_set(err, ENOMEM, "out of memory");
	char *save = NULL;
	for (char *t = strtok_r(rel, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		_cleanup_free_ char *w = strdup(want);
		if (!w)
			return cerr_set(err, ENOMEM, "out of memory");
		char *s2 = NULL;
		for (char *ctl = strtok_r(w, " ", &s2); ctl; ctl = strtok_r(NULL, " ", &s2)) {
			char f[PATH_MAX + 32], v[64];
			snprintf(f, sizeof(f), "%s/cgroup.subtree_control", dir);
			snprintf(v, sizeof(v), "+%s", ctl);
			int r = write_file_str(f, v);
			if (r < 0)
				return cerr_sys(err, -r, "enable controller %s in %s", ctl, dir);
		}
		size_t n = strlen(dir);
		snprintf(dir + n, sizeof(dir) - n, "/%s", t);
	}
	return 0;
}

int cg_create(const char *path, const struct cg_resources *res, cg **out, cerr *err)
{
	const char *mount;
	if (cg_find_mount(&mount) < 0) {
		if (res && !cg_resources_empty(res))
			return cerr_set(err, ENOTSUP, "cgroup: no cgroup2 mount, cannot apply linux.resources");
		*out = NULL;
		return 0; /* no cgroup v2 at all: proceed unconfined, as promised */
	}
	if (!path_is_clean(path))
		return cerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" must not contain \".\" or \"..\"", path);
	char need[256] = "";
	if (res)
		cg_resources_controllers(res, need, sizeof(need));
	if (need[0]) {
		_cleanup_free_ char *have = NULL;
		if (cg_root_controllers(mount, &have) < 0)
			have = strdup("");
		char missing[256] = "";
		_cleanup_free_ char *w = strdup(need);
		char *save = NULL;
		for (char *t = w ? strtok_r(w, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save)) {
			bool found = false;
			_cleanup_free_ char *h = strdup(have ? have : "");
			char *s2 = NULL;
			for (char *x = h ? strtok_r(h, " ", &s2) : NULL; x; x = strtok_r(NULL, " ", &s2))
				if (streq(x, t))
					found = true;
			if (!found) {
				size_t n = strlen(missing);
				snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? " " : "", t);
			}
		}
		if (missing[0])
			return cerr_set(err, ENOTSUP,
				"linux.resources: the cgroup2 hierarchy at %s has no %s controller%s (host offers: \"%s\")",
				mount, missing, strchr(missing, ' ') ? "s" : "", have ? have : "");
	}
	_cleanup_cg_ cg *c = NULL;
	int r = cg_new(mount, path, &c, err);
	if (r < 0)
		return r;
	char full[PATH_MAX];
	snprintf(full, sizeof(full), "%s%s", c->mount, c->path);
	struct stat st;
	if (stat(full, &st) == 0)
		return cerr_set(err, EEXIST, "cgroup %s: already exists", c->path);
	r = mkdir_p(full, 0755);
	if (r < 0)
		return cerr_sys(err, -r, "cgroup %s: create", c->path);
	c->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0) {
		r = cerr_sys(err, errno, "cgroup %s: open", c->path);
		rmdir(full);
		return r;
	}
	r = enable_controllers(c, need, err);
	if (r == 0 && res)
		r = cg_resources_apply(c, res, err);
	if (r < 0) {
		rmdir(full);
		return r;
	}
	*out = TAKE_PTR(c);
	return 0;
}

int cg_open(const char *mount, const char *path, cg **out, cerr *err)
{
	_cleanup_cg_ cg *c = NULL;
	int r = cg_new(mount, path, &c, err);
	if (r < 0)
		return r;
	char full[PATH_MAX];
	snprintf(full, sizeof(full), "%s%s", c->mount, c->path);
	c->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0)
		return cerr_sys(err, errno, "cgroup %s", c->path);
	*out = TAKE_PTR(c);
	return 0;
}

void cg_free(cg *c)
{
	if (!c)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->mount);
	free(c->path);
	free(c);
}

int cg_enter(cg *c, pid_t pid, cerr *err)
{
	char v[32];
	snprintf(v, sizeof(v), "%d", (int)pid);
	int r = write_file_str_at(c->dirfd, "cgroup.procs", v);
	return r < 0 ? cerr_sys(err, -r, "cgroup %s: add pid %d", c->path, (int)pid) : 0;
}

static int collect_pids(int dirfd, pid_t **pids, size_t *n)
{
	_cleanup_free_ char *s = NULL;
	if (read_file_at(dirfd, "cgroup.procs", 1 << 24, &s, NULL, NULL) < 0)
		return -errno;
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
	int dfd = dup(dirfd);
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
		if (sub >= 0) {
			int r = collect_pids(sub, pids, n);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int cg_pids(cg *c, pid_t **pids, size_t *n, cerr *err)
{
	*pids = NULL;
	*n = 0;
	int r = collect_pids(c->dirfd, pids, n);
	if (r < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return cerr_sys(err, -r, "cgroup %s: list processes", c->path);
	}
	return 0;
}

int cg_signal_all(cg *c, int sig, cerr *err)
{
	if (sig == SIGKILL && write_file_str_at(c->dirfd, "cgroup.kill", "1") == 0)
		return 0;
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = cg_pids(c, &pids, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			return cerr_sys(err, errno, "kill %d", (int)pids[i]);
	return 0;
}

bool cg_is_empty(cg *c)
{
	_cleanup_free_ char *s = NULL;
	if (read_file_at(c->dirfd, "cgroup.events", 4096, &s, NULL, NULL) == 0) {
		char *p = strstr(s, "populated ");
		if (p)
			return p[10] == '0';
	}
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	return cg_pids(c, &pids, &n, NULL) == 0 && n == 0;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Remove child cgroups depth-first, then the directory itself. */
static int rmdir_tree(int parentfd, const char *name)
{
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
			rmdir_tree(dirfd(d), de->d_name);
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
	long deadline = now_ms() + CG_DESTROY_TIMEOUT_MS;
	for (;;) {
		if (force)
			cg_signal_all(c, SIGKILL, NULL);
		int r = rmdir_tree(parent, slash + 1);
		if (r == 0) {
			/* corral's default parent goes too once its last child is gone */
			if (streq(strrchr(full, '/') ? strrchr(full, '/') + 1 : full, "corral"))
				rmdir(full);
			return 0;
		}
		if (r != -EBUSY)
			return cerr_sys(err, -r, "cgroup %s: remove", c->path);
		if (now_ms() > deadline)
			return cerr_set(err, EBUSY, "cgroup %s: still busy after %d ms", c->path,
					CG_DESTROY_TIMEOUT_MS);
		poll(NULL, 0, 10);
	}
}
