#include "exec_path.h"
#include "common/cleanup.h"
#include "common/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool is_executable(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

int exec_find(const char *arg0, char *const *env, char **out, cerr *err)
{
	if (strchr(arg0, '/')) {
		struct stat st;
		if (stat(arg0, &st) < 0)
			return cerr_sys(err, errno, "exec: \"%s\"", arg0);
		if (!is_executable(arg0))
			/* execve's word, as runc gives it: podman maps it to 126 */
			return cerr_set(err, EACCES, "exec: \"%s\": permission denied (not an executable file)", arg0);
		*out = strdup(arg0);
		return *out ? 0 : cerr_set(err, ENOMEM, "out of memory");
	}
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (char *const *e = env; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return cerr_set(err, ENOMEM, "out of memory");
	char *save = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char full[PATH_MAX];
		if (snprintf(full, sizeof(full), "%s/%s", *dir ? dir : ".", arg0) >= (int)sizeof(full))
			continue;
		if (is_executable(full)) {
			*out = strdup(full);
			return *out ? 0 : cerr_set(err, ENOMEM, "out of memory");
		}
	}
	return cerr_set(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
}

int enter_cwd_in_root(const char *cwd, bool create, cerr *err)
{
	if (cwd[0] != '/')
		return cerr_set(err, EINVAL, "process.cwd: \"%s\" must be an absolute path", cwd);
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return cerr_sys(err, errno, "process.cwd: open /");
	_cleanup_close_ int fd = open_in_root(root, cwd, O_PATH | O_DIRECTORY, 0);
	if (fd == -ENOENT && create)
		fd = mkdir_in_root(root, cwd, 0755);
	if (fd < 0)
		return cerr_sys(err, -fd, "process.cwd: %s", cwd);
	if (fchdir(fd) < 0)
		return cerr_sys(err, errno, "process.cwd: %s", cwd);
	/* outside the root, getcwd fails or says "(unreachable)" */
	char buf[PATH_MAX];
	if (!getcwd(buf, sizeof(buf)) || buf[0] != '/')
		return cerr_set(err, EPERM, "process.cwd: %s is outside the container's root", cwd);
	return 0;
}
