#include "supervisor/daemon/containers/engine/ctr_privileged.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Enough for any host's /dev, and a bound on what the walk may read. */
#define MAX_DEVICES 4096
#define MAX_DEPTH 3

bool ctr_privileged_drops(const char *k)
{
	return streq(k, "seccomp") || streq(k, "maskedPaths") || streq(k, "readonlyPaths") || streq(k, "devices");
}

/* The container has its own of these: a devpts, a shm, an mqueue, and the
 * console and ptmx the runtime sets up. */
static bool own_entry(const char *rel)
{
	static const char *const own[] = { "pts", "shm", "mqueue", "console", "ptmx", "fd", "core", NULL };
	for (const char *const *o = own; *o; o++)
		if (streq(rel, *o))
			return true;
	return false;
}

void ctr_gen_device_node(yajl_gen g, const char *path, const struct stat *st)
{
	jg_object(g, JG_STR("path", path), JG_STR("type", S_ISCHR(st->st_mode) ? "c" : "b"),
		     JG_INT("major", major(st->st_rdev)), JG_INT("minor", minor(st->st_rdev)),
		     JG_INT("fileMode", st->st_mode & 07777), JG_INT("uid", st->st_uid), JG_INT("gid", st->st_gid),
		     JG_END);
}

static void walk(yajl_gen g, int fd, const char *prefix, int depth, size_t *n)
{
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) && *n < MAX_DEVICES) {
		if (de->d_name[0] == '.')
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", prefix, de->d_name);
		if (depth == 0 && own_entry(de->d_name))
			continue;
		struct stat st;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			ctr_gen_device_node(g, path, &st);
			(*n)++;
		} else if (S_ISDIR(st.st_mode) && depth + 1 < MAX_DEPTH) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk(g, sub, path, depth + 1, n);
		}
	}
}

void ctr_privileged_gen_devices(yajl_gen g)
{
	jg_key(g, "devices");
	yajl_gen_array_open(g);
	size_t n = 0;
	int fd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0)
		walk(g, fd, "/dev", 0, &n);
	yajl_gen_array_close(g);
}

void ctr_privileged_gen_device_rule(yajl_gen g)
{
	jg_key(g, "devices");
	yajl_gen_array_open(g);
	jg_object(g, JG_BOOL("allow", true), JG_STR("access", "rwm"), JG_END);
	yajl_gen_array_close(g);
}
