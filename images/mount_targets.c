#include "images/mount_targets.h"
#include "images/whiteout.h"
#include "common/cleanup.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const targets[] = { "etc/hosts", "etc/hostname", "etc/resolv.conf", "proc", "sys", "dev" };

static bool is_target(const char *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
		if (streq(p, targets[i]))
			return true;
	return false;
}

/* a directory some target is below */
static bool above_target(const char *p)
{
	size_t n = strlen(p);
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
		if (strncmp(targets[i], p, n) == 0 && targets[i][n] == '/')
			return true;
	return false;
}

/* Whether every entry of the directory is the engine's alone (none: the
 * directory is empty). */
static bool holds_only_targets(int dfd, const char *name, const char *path)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (wh_is_opaque(fd)) {
		close(fd);
		return false;
	}
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return false;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (streq(e->d_name, ".") || streq(e->d_name, ".."))
			continue;
		char child[64];
		struct stat st;
		if (snprintf(child, sizeof(child), "%s/%s", path, e->d_name) >= (int)sizeof(child) ||
		    fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !mount_target_only(fd, e->d_name, child, &st))
			return false;
	}
	return true;
}

bool mount_target_only(int dfd, const char *name, const char *path, const struct stat *st)
{
	while (*path == '/')
		path++;
	if (is_target(path))
		return S_ISREG(st->st_mode) ? st->st_size == 0 : S_ISDIR(st->st_mode) && holds_only_targets(dfd, name, path);
	return S_ISDIR(st->st_mode) && above_target(path) && holds_only_targets(dfd, name, path);
}
