#include "exec_path.h"
#include "common/cleanup.h"

#include <errno.h>
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
			return cerr_set(err, EACCES, "exec: \"%s\": not an executable file", arg0);
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
