#include "sealed_exe.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define ORIGIN_ENV "_CORRAL_SEALED_ORIGIN"
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static char origin[PATH_MAX];

const char *sealed_exe_origin(void)
{
	if (!origin[0]) {
		const char *o = getenv(ORIGIN_ENV);
		if (o && strlen(o) < sizeof(origin)) {
			strcpy(origin, o);
		} else {
			ssize_t n = readlink("/proc/self/exe", origin, sizeof(origin) - 1);
			origin[n > 0 ? n : 0] = '\0';
		}
	}
	return origin;
}

/* What the kernel says of our binary decides, not the environment. */
static bool running_sealed(int exe)
{
	int seals = fcntl(exe, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

int sealed_exe_ensure(char **argv, cerr *err)
{
	_cleanup_close_ int exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (exe < 0)
		return cerr_sys(err, errno, "open /proc/self/exe");
	if (running_sealed(exe)) {
		sealed_exe_origin();
		unsetenv(ORIGIN_ENV);
		return 0;
	}
	struct stat st;
	if (fstat(exe, &st) < 0)
		return cerr_sys(err, errno, "stat /proc/self/exe");
	_cleanup_close_ int copy = memfd_create("corral", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (copy < 0)
		return cerr_sys(err, errno, "sealed copy of the runtime: memfd_create");
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(copy, exe, NULL, (size_t)(st.st_size - done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cerr_sys(err, n < 0 ? errno : EIO, "sealed copy of the runtime: copy");
		done += n;
	}
	if (fcntl(copy, F_ADD_SEALS, SEALS) < 0)
		return cerr_sys(err, errno, "sealed copy of the runtime: seal");
	if (setenv(ORIGIN_ENV, sealed_exe_origin(), 1) < 0)
		return cerr_sys(err, errno, "setenv");
	fexecve(copy, argv, environ);
	int e = errno;
	unsetenv(ORIGIN_ENV);
	return cerr_sys(err, e, "sealed copy of the runtime: exec");
}
