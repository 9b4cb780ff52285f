/* Host paths the client resolves: corrald resolves nothing relative, and
 * the user's working directory is the client's. */
#include "supervisor/ctl/ctl.h"
#include "supervisor/ctl/paths.h"
#include "supervisor/ctl/ctl_call.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ctl_absolute(const char *path)
{
	char cwd[PATH_MAX], *out = NULL;
	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	while (path[0] == '.' && path[1] == '/')
		path += 2 + strspn(path + 2, "/");
	if (streq(path, "."))
		path = "";
	return asprintf(&out, "%s%s%s", cwd, path[0] && !streq(cwd, "/") ? "/" : "", path) < 0 ? NULL : out;
}

int ctl_output_file(const char *what, const char *file, mode_t mode, char **path, bool *made)
{
	struct stat st;
	*made = stat(file, &st) < 0;
	if (!(*path = ctl_absolute(file))) {
		ctl_fail(what, "out of memory");
		return -1;
	}
	int fd = open(*path, O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC, mode);
	if (fd < 0)
		ctl_failf("%s: %s: %s", what, file, strerror(errno));
	return fd;
}
