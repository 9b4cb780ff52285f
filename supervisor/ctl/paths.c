/* Host paths the client resolves: corrald resolves nothing relative, and
 * the user's working directory is the client's. */
#include "supervisor/ctl/ctl.h"
#include "common/cleanup.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
