/* Writing one value to a cgroup file. O_TRUNC is a no-op on cgroupfs but
 * keeps a fake cgroupfs (the unit tests') showing the last value written. */
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static inline int cg_write_at(int dirfd, const char *file, const char *val)
{
	int fd = openat(dirfd, file, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t n = strlen(val);
	ssize_t w = write(fd, val, n);
	int e = w < 0 ? -errno : (size_t)w == n ? 0 : -EIO;
	close(fd);
	return e;
}
