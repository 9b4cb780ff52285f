#include "preserved_fds.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the most --preserve-fds accepts */
#define PRESERVE_MAX 1024

static int count_of(const char *s)
{
	char *end;
	long n = s ? strtol(s, &end, 10) : 0;
	return s && *s && !*end && n > 0 ? (int)(n < PRESERVE_MAX ? n : PRESERVE_MAX) : 0;
}

static int wanted(int argc, char *const *argv)
{
	int n = count_of(getenv("LISTEN_FDS"));
	for (int i = 1; i < argc; i++) {
		int m = 0;
		if (!strcmp(argv[i], "--preserve-fds") && i + 1 < argc)
			m = count_of(argv[i + 1]);
		else if (!strncmp(argv[i], "--preserve-fds=", 15))
			m = count_of(argv[i] + 15);
		if (m > n)
			n = m;
	}
	return n;
}

void preserved_fds_plug(int argc, char *const *argv)
{
	int end = 3 + wanted(argc, argv);
	for (int fd = 0; fd < end; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* every fd below this one is taken: open lands on it */
		if (open("/dev/null", O_RDONLY | O_CLOEXEC) != fd)
			return;
	}
}

int preserved_fds_pass(int preserve, cerr *err)
{
	/* the range itself is left as it is: a close-on-exec fd there is a
	 * plug, never the caller's, and goes with the execve */
	int r = fds_cloexec_from(3u + (unsigned)preserve);
	return r < 0 ? cerr_sys(err, -r, "close_range") : 0;
}
