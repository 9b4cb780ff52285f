#include "supervisor/logs/rotate.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rotate_files(int dirfd, const char *name, unsigned keep, cerr *err)
{
	char from[NAME_MAX + 16], to[NAME_MAX + 16];
	if (keep <= 1) {
		/* nothing kept beside the live file: drop it by unlinking, not truncating */
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return cerr_sys(err, errno, "%s: remove", name);
		return 0;
	}
	for (unsigned i = keep - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", name);
		else
			snprintf(from, sizeof(from), "%s.%u", name, i - 1);
		snprintf(to, sizeof(to), "%s.%u", name, i);
		if (renameat(dirfd, from, dirfd, to) < 0 && errno != ENOENT)
			return cerr_sys(err, errno, "rotate %s to %s", from, to);
	}
	return 0;
}

static int open_live(rotfile *f, cerr *err)
{
	f->fd = openat(f->dirfd, f->name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, f->mode);
	if (f->fd < 0)
		return cerr_sys(err, errno, "%s", f->name);
	struct stat st;
	if (fstat(f->fd, &st) < 0)
		return cerr_sys(err, errno, "%s: stat", f->name);
	f->size = (size_t)st.st_size;
	return 0;
}

int rotfile_reopen(rotfile *f, cerr *err)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	return open_live(f, err);
}

int rotfile_open(rotfile *f, const char *path, size_t max_size, unsigned keep, mode_t mode, cerr *err)
{
	memset(f, 0, sizeof(*f));
	f->fd = f->dirfd = -1;
	_cleanup_free_ char *d = strdup(path), *b = strdup(path);
	if (!d || !b)
		return cerr_set(err, ENOMEM, "out of memory");
	f->name = strdup(basename(b));
	if (!f->name)
		return cerr_set(err, ENOMEM, "out of memory");
	f->dirfd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (f->dirfd < 0) {
		int e = errno;
		rotfile_close(f);
		return cerr_sys(err, e, "%s: open directory", path);
	}
	f->max_size = max_size;
	f->keep = keep ? keep : 1;
	f->mode = mode;
	int r = open_live(f, err);
	if (r < 0)
		rotfile_close(f);
	return r;
}

int rotfile_write(rotfile *f, const void *data, size_t len, cerr *err)
{
	if (f->max_size && f->size > 0 && f->size + len > f->max_size) {
		int r = rotate_files(f->dirfd, f->name, f->keep, err);
		if (r < 0)
			return r;
		close(f->fd);
		if ((r = open_live(f, err)) < 0)
			return r;
	}
	const char *p = data;
	size_t left = len, before = f->size;
	while (left > 0) {
		ssize_t w = write(f->fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			/* a record goes in whole or not at all: a full disk cuts
			 * none in half for the next one to land after */
			if (f->size > before && ftruncate(f->fd, (off_t)before) == 0)
				f->size = before;
			return cerr_sys(err, e, "%s: write", f->name);
		}
		p += w;
		left -= (size_t)w;
		f->size += (size_t)w;
	}
	return 0;
}

void rotfile_close(rotfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->name);
	f->name = NULL;
	f->fd = f->dirfd = -1;
}
