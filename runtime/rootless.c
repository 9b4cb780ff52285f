#include "rootless.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "cgroups/cgroups.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read on every call of the runtime: one read(2) and strtoul, not stdio's
 * buffer and scanf */
bool rootless_in_userns(void)
{
	_cleanup_close_ int fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	char buf[128];
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return false; /* no user namespaces in this kernel */
	buf[len] = '\0';
	char *p = buf, *end;
	unsigned long v[3];
	for (int i = 0; i < 3; i++, p = end) {
		errno = 0;
		v[i] = strtoul(p, &end, 10);
		if (end == p || errno)
			return false;
	}
	return !(v[0] == 0 && v[1] == 0 && v[2] == 4294967295UL);
}

bool rootless_detect(void)
{
	return geteuid() != 0 || rootless_in_userns();
}

int rootless_parse(const char *v, bool *out)
{
	if (streq(v, "true") || streq(v, "false"))
		*out = streq(v, "true");
	else if (streq(v, "auto"))
		*out = rootless_detect();
	else
		return -1;
	return 0;
}

const char *rootless_state_root(void)
{
	static char root[PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *user = getenv("USER");
	/* root in a user namespace honours it unless it is the real root's
	 * session ($USER root), as runc decides */
	bool honour = xdg && xdg[0] == '/' &&
		      (geteuid() != 0 || (rootless_in_userns() && !(user && streq(user, "root"))));
	if (!honour || (size_t)snprintf(root, sizeof(root), "%s/corral", xdg) >= sizeof(root))
		return "/run/corral/runtime";
	return root;
}

int rootless_cgroup_path_in(const char *proc_cgroup, const char *id, char **out, cerr *err)
{
	_cleanup_free_ char *text = strdup(proc_cgroup);
	if (!text)
		return cerr_set(err, ENOMEM, "out of memory");
	char *own = strstr(text, "0::/");
	while (own && own != text && own[-1] != '\n')
		own = strstr(own + 1, "0::/");
	if (!own)
		return cerr_set(err, ENOENT, "rootless cgroup: /proc/self/cgroup has no cgroup v2 line");
	own += 3;
	own[strcspn(own, "\n")] = '\0';
	size_t n = strlen(own);
	/* a scope holds the caller: a new cgroup goes beside it (cgroup v2
	 * keeps processes in leaves) */
	if (n > 6 && streq(own + n - 6, ".scope"))
		*strrchr(own, '/') = '\0';
	if (asprintf(out, "%s/%s", streq(own, "/") ? "" : own, id) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

int rootless_cgroup_path(const char *id, char **out, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	if (read_file("/proc/self/cgroup", 1 << 16, &text, NULL, err) < 0)
		return cerr_wrap(err, "rootless cgroup");
	return rootless_cgroup_path_in(text, id, out, err);
}

bool rootless_cgroup_delegated(char *where, size_t len)
{
	_cleanup_free_ char *path = NULL;
	const char *mount;
	snprintf(where, len, "(none)");
	if (cg_find_mount(&mount) < 0 || rootless_cgroup_path("x", &path, NULL) < 0)
		return false;
	*strrchr(path, '/') = '\0';
	char dir[PATH_MAX], procs[PATH_MAX + 16];
	snprintf(dir, sizeof(dir), "%s%s", mount, path);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	snprintf(where, len, "%s", path[0] ? path : "/");
	return access(dir, W_OK) == 0 && access(procs, W_OK) == 0;
}
