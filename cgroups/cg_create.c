/* Creating a container's cgroup in the cgroup2 mount, with the controllers
 * it needs enabled down the tree, and updating its resources. */
#include "cgroups.h"
#include "resources.h"
#include "cgroups/apply.h"
#include "cgroups/cg_create.h"
#include "cg_internal.h"
#include "cgroups/cgroup.h"
#include "resources_int.h"
#include "cgfile.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Enabled opportunistically when the host offers them, so that stats work
 * even when no limit asks for them (runc enables every controller). */
static const char *const stats_controllers[] = { "cpu", "io", "memory", "pids" };

static bool path_is_clean(const char *p)
{
	/* no "..", no "." components: the path stays below the mount */
	_cleanup_free_ char *copy = strdup(p);
	if (!copy)
		return false;
	char *save = NULL;
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save))
		if (streq(t, "..") || streq(t, "."))
			return false;
	return true;
}

static bool word_in(const char *list, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = list; p && (p = strstr(p, w)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '+') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
	return false;
}

/* Processes in a cgroup that must now delegate controllers move to a leaf
 * child: cgroup v2 allows processes only in leaves (the no-internal-process
 * rule), the root excepted. */
static int move_to_leaf(int dirfd, const char *dir, cerr *err)
{
	if (mkdirat(dirfd, CG_LEAF_NAME, 0755) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "cgroup %s: create leaf %s", dir, CG_LEAF_NAME);
	_cleanup_free_ char *procs = NULL;
	if (read_file_at(dirfd, "cgroup.procs", 1 << 22, &procs, NULL, err) < 0)
		return cerr_wrap(err, "cgroup %s", dir);
	char leafprocs[64];
	snprintf(leafprocs, sizeof(leafprocs), "%s/cgroup.procs", CG_LEAF_NAME);
	for (char *save = NULL, *t = strtok_r(procs, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		int r = cg_write_at(dirfd, leafprocs, t);
		if (r < 0 && r != -ESRCH)
			return cerr_sys(err, -r, "cgroup %s: move pid %s to leaf %s", dir, t, CG_LEAF_NAME);
	}
	log_debug("cgroup %s: moved its processes to %s/%s", dir, dir, CG_LEAF_NAME);
	return 0;
}

/* Write "+a +b" for the controllers of want that dir does not delegate yet. */
static int enable_at(int dirfd, const char *dir, bool is_root, const char *want, cerr *err)
{
	_cleanup_free_ char *have = NULL;
	if (read_file_at(dirfd, "cgroup.subtree_control", 4096, &have, NULL, NULL) < 0)
		have = NULL;
	char line[512] = "";
	_cleanup_free_ char *w = strdup(want);
	if (!w)
		return cerr_set(err, ENOMEM, "out of memory");
	for (char *save = NULL, *t = strtok_r(w, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		if (have && word_in(have, t))
			continue;
		size_t n = strlen(line);
		snprintf(line + n, sizeof(line) - n, "%s+%s", n ? " " : "", t);
	}
	if (!line[0])
		return 0;
	int r = cg_write_at(dirfd, "cgroup.subtree_control", line);
	if (r == -EBUSY && !is_root) {
		if ((r = move_to_leaf(dirfd, dir, err)) < 0)
			return r;
		r = cg_write_at(dirfd, "cgroup.subtree_control", line);
	}
	return r < 0 ? cerr_sys(err, -r, "cgroup %s: enable controllers \"%s\"", dir, line) : 0;
}

/* Enable want in the mount root and every ancestor of c (not c itself). */
static int enable_controllers(const cg *c, const char *need, const char *opt, cerr *err)
{
	if (!need[0] && !opt[0])
		return 0;
	char want[512];
	snprintf(want, sizeof(want), "%s%s%s", need, need[0] && opt[0] ? " " : "", opt);
	_cleanup_free_ char *rel = strdup(c->path);
	if (!rel)
		return cerr_set(err, ENOMEM, "out of memory");
	char *last = strrchr(rel, '/');
	*last = '\0'; /* the ancestors only */
	_cleanup_close_ int fd = open(c->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "cgroup mount %s", c->mount);
	char dir[PATH_MAX] = "/";
	char *save = NULL, *t = strtok_r(rel, "/", &save);
	for (bool root = true;; root = false) {
		int r = enable_at(fd, dir, root, want, err);
		if (r < 0 && opt[0] && need[0]) {
			/* an optional controller may be refused: retry with what is needed */
			cerr_clear(err);
			snprintf(want, sizeof(want), "%s", need);
			opt = "";
			r = enable_at(fd, dir, root, want, err);
		} else if (r < 0 && !need[0]) {
			cerr_clear(err);
			return 0; /* nothing needed: stats just stay partial */
		}
		if (r < 0)
			return r;
		if (!t)
			return 0;
		int sub = openat(fd, t, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sub < 0)
			return cerr_sys(err, errno, "cgroup %s/%s", root ? "" : dir, t);
		close(fd);
		fd = sub;
		size_t n = strlen(dir);
		snprintf(dir + n, sizeof(dir) - n, "%s%s", root ? "" : "/", t);
		t = strtok_r(NULL, "/", &save);
	}
}

/* The controllers of need that avail lacks, space-separated. */
static void missing_controllers(const char *need, const char *avail, char *out, size_t len)
{
	out[0] = '\0';
	_cleanup_free_ char *w = strdup(need);
	for (char *save = NULL, *t = w ? strtok_r(w, " ", &save) : NULL; t; t = strtok_r(NULL, " ", &save)) {
		if (word_in(avail, t))
			continue;
		size_t n = strlen(out);
		snprintf(out + n, len - n, "%s%s", n ? " " : "", t);
	}
}

/* mkdir each missing component; *first is the topmost one made ("" if none). */
static int mkdir_path(const char *mount, const char *path, char *first, size_t flen)
{
	char full[PATH_MAX];
	int n = snprintf(full, sizeof(full), "%s%s", mount, path);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -ENAMETOOLONG;
	first[0] = '\0';
	size_t base = strlen(mount);
	for (char *p = full + base + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(full, 0755) == 0) {
			if (!first[0])
				snprintf(first, flen, "%s", full);
		} else if (errno != EEXIST) {
			return -errno;
		}
		*p = saved;
		if (!saved)
			return 0;
	}
}

/* Undo mkdir_path: remove from the leaf up to first. */
static void rmdir_upto(const char *mount, const char *path, const char *first)
{
	if (!first[0])
		return;
	char full[PATH_MAX];
	snprintf(full, sizeof(full), "%s%s", mount, path);
	size_t stop = strlen(first);
	while (strlen(full) >= stop) {
		if (rmdir(full) < 0)
			return;
		char *s = strrchr(full, '/');
		if (!s)
			return;
		*s = '\0';
	}
}

void cg_resources_drop_absent(struct cg_resources *r, const char *optional, char *dropped, size_t n)
{
	dropped[0] = '\0';
	if (!r || !optional)
		return;
	const char *mount;
	_cleanup_free_ char *avail = NULL;
	if (cg_find_mount(&mount) < 0 || cg_root_controllers(mount, &avail) < 0)
		avail = NULL; /* nothing offered */
	struct {
		const char *name;
		struct cg_opt64 *limit;
	} opt[] = { { "memory", &r->mem_limit }, { "pids", &r->pids_limit } };
	for (size_t i = 0; i < ARRAY_SIZE(opt); i++) {
		if (!word_in(optional, opt[i].name) || !opt[i].limit->set || (avail && word_in(avail, opt[i].name)))
			continue;
		opt[i].limit->set = false;
		size_t k = strlen(dropped);
		snprintf(dropped + k, n - k, "%s%s", k ? " " : "", opt[i].name);
	}
}

int cg_create(const char *path, const struct cg_resources *res, cg **out, cerr *err)
{
	const char *mount;
	char need[256] = "";
	if (res)
		cg_resources_controllers(res, need, sizeof(need));
	*out = NULL;
	if (cg_find_mount(&mount) < 0) {
		if (need[0])
			return cerr_set(err, ENOTSUP, "linux.resources: no cgroup2 mount; needed for controllers: %s",
					need);
		return 0; /* no cgroup v2 at all: proceed unconfined */
	}
	if (!path || !*path || !path_is_clean(path))
		return cerr_set(err, EINVAL, "linux.cgroupsPath: \"%s\" must be a path without \".\" or \"..\"",
				path ? path : "");
	_cleanup_free_ char *avail = NULL;
	if (cg_root_controllers(mount, &avail) < 0 && !(avail = strdup("")))
		return cerr_set(err, ENOMEM, "out of memory");
	char missing[256];
	missing_controllers(need, avail, missing, sizeof(missing));
	if (missing[0]) {
		char why[1024];
		cg_explain_missing(missing, why, sizeof(why));
		return cerr_set(err, ENOTSUP,
				"linux.resources: the cgroup2 hierarchy at %s lacks the %s controller%s (%s); corral "
				"needs them on cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1)",
				mount, missing, strchr(missing, ' ') ? "s" : "", why);
	}
	char opt[128] = "";
	for (size_t i = 0; i < ARRAY_SIZE(stats_controllers); i++) {
		if (word_in(avail, stats_controllers[i]) && !word_in(need, stats_controllers[i])) {
			size_t n = strlen(opt);
			snprintf(opt + n, sizeof(opt) - n, "%s%s", n ? " " : "", stats_controllers[i]);
		}
	}
	_cleanup_cg_ cg *c = NULL;
	int r = cg_new(mount, path, &c, err);
	if (r < 0)
		return r;
	if (streq(c->path, "/"))
		return cerr_set(err, EINVAL, "linux.cgroupsPath: must not be the root cgroup");
	char first[PATH_MAX];
	r = mkdir_path(c->mount, c->path, first, sizeof(first));
	if (r < 0)
		return cerr_sys(err, -r, "cgroup %s: create", c->path);
	char full[PATH_MAX];
	snprintf(full, sizeof(full), "%s%s", c->mount, c->path);
	c->dirfd = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->dirfd < 0) {
		r = cerr_sys(err, errno, "cgroup %s: open", c->path);
		rmdir_upto(c->mount, c->path, first);
		return r;
	}
	if (!first[0] && !cg_is_empty(c)) {
		/* reusing a cgroup someone prepared is fine; sharing a live one is not */
		return cerr_set(err, EEXIST, "cgroup %s: already exists and holds processes", c->path);
	}
	r = enable_controllers(c, need, opt, err);
	if (r == 0 && res)
		r = cg_resources_apply(c, res, err);
	if (r < 0) {
		close(c->dirfd);
		c->dirfd = -1;
		rmdir_upto(c->mount, c->path, first);
		return r;
	}
	*out = TAKE_PTR(c);
	return 0;
}

int cg_update(cg *c, const struct cg_resources *res, cerr *err)
{
	if (!c || !res)
		return 0;
	char need[256] = "";
	cg_resources_controllers(res, need, sizeof(need));
	_cleanup_free_ char *avail = NULL;
	if (need[0] && cg_root_controllers(c->mount, &avail) == 0) {
		char missing[256];
		missing_controllers(need, avail, missing, sizeof(missing));
		if (missing[0]) {
			char why[1024];
			cg_explain_missing(missing, why, sizeof(why));
			return cerr_set(err, ENOTSUP, "the cgroup2 hierarchy at %s lacks the %s controller%s (%s)",
					c->mount, missing, strchr(missing, ' ') ? "s" : "", why);
		}
	}
	int r = enable_controllers(c, need, "", err);
	return r < 0 ? r : cg_resources_apply(c, res, err);
}

void cg_missing_standard(const char **mount, char *out, size_t len)
{
	out[0] = '\0';
	_cleanup_free_ char *avail = NULL;
	if (cg_find_mount(mount) < 0) {
		*mount = NULL;
		return;
	}
	if (cg_root_controllers(*mount, &avail) < 0 && !(avail = strdup("")))
		return;
	missing_controllers("cpu memory pids io", avail, out, len);
}
