/* Registry credentials for image pull, push and login. */
#include "images/cli/img_cli.h"
#include "images/cli/cli_auth.h"
#include "images/registry/auth.h"
#include "common/fileio.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int cli_read_auth(const char *file, int fd, char **out, cerr *err)
{
	if (!file && fd < 0)
		return 0;
	char self[64];
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	int r = read_file_at(AT_FDCWD, file ? file : self, REG_MAX_AUTH_JSON, out, NULL, err);
	if (fd >= 0)
		close(fd);
	return r < 0 ? cerr_wrap(err, "credentials") : 0;
}
