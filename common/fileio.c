#include "fileio.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len, cerr *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", path);
	size_t cap = 4096, n = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return cerr_set(err, ENOMEM, "%s: out of memory", path);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > max + 1)
				return cerr_set(err, EFBIG, "%s: larger than %zu bytes", path, max);
			cap *= 2;
			char *nb = realloc(buf, cap);
			if (!nb)
				return cerr_set(err, ENOMEM, "%s: out of memory", path);
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return cerr_sys(err, errno, "%s: read", path);
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max)
			return cerr_set(err, EFBIG, "%s: larger than %zu bytes", path, max);
	}
	buf[n] = '\0';
	if (len)
		*len = n;
	*out = TAKE_PTR(buf);
	return 0;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fsync_dir(const char *dir)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return dfd < 0 || fsync(dfd) < 0 ? -errno : 0;
}

int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode, cerr *err)
{
	return write_file_atomic_ex(path, data, len, mode, 0, err);
}

void wfa_abort(wfa_pending *p)
{
	if (p->fd >= 0)
		close(p->fd);
	if (p->tmp)
		unlink(p->tmp);
	free(p->tmp);
	free(p->path);
	*p = (wfa_pending)WFA_PENDING_INIT;
}

/* The temporary file of path, written; p->fd open on it. */
static int write_tmp(wfa_pending *p, const char *path, const void *data, size_t len, mode_t mode, cerr *err)
{
	*p = (wfa_pending)WFA_PENDING_INIT;
	if (asprintf(&p->tmp, WFA_TMP_FORMAT, path, (int)getpid()) < 0) {
		p->tmp = NULL;
		return cerr_set(err, ENOMEM, "out of memory");
	}
	if (!(p->path = strdup(path))) {
		free(p->tmp);
		p->tmp = NULL;
		return cerr_set(err, ENOMEM, "out of memory");
	}
	p->fd = open(p->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	int r = p->fd < 0 ? -errno : write_all(p->fd, data, len);
	if (r < 0) {
		cerr_sys(err, -r, "%s", p->tmp);
		wfa_abort(p);
		return r;
	}
	return 0;
}

int wfa_begin(wfa_pending *p, const char *path, const void *data, size_t len, mode_t mode, cerr *err)
{
	int r = write_tmp(p, path, data, len, mode, err);
	if (r < 0)
		return r;
	/* start the writeback now; commit's fsync then mostly waits for less */
	sync_file_range(p->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 0;
}

/* Rename the temporary file over path: nothing is left to unlink then. */
static int wfa_rename(wfa_pending *p, cerr *err)
{
	if (rename(p->tmp, p->path) < 0)
		return cerr_sys(err, errno, "rename %s", p->path);
	free(p->tmp);
	p->tmp = NULL;
	return 0;
}

int wfa_commit_all(wfa_pending *const *p, size_t n, cerr *err)
{
	int fds[FSYNC_ALL_MAX] = { 0 };
	int r = n > FSYNC_ALL_MAX ? cerr_set(err, E2BIG, "too many files at once") : 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		fds[i] = p[i]->fd;
	if (r == 0 && (r = fsync_all(fds, n)) < 0)
		cerr_sys(err, -r, "%s%s: write", p[0]->tmp, n > 1 ? " (or a file written with it)" : "");
	for (size_t i = 0; r == 0 && i < n; i++)
		r = wfa_rename(p[i], err);
	for (size_t i = 0; i < n; i++)
		wfa_abort(p[i]);
	return r;
}

int wfa_commit(wfa_pending *p, cerr *err)
{
	return wfa_commit_all(&p, 1, err);
}

int write_file_atomic_ex(const char *path, const void *data, size_t len, mode_t mode, unsigned flags, cerr *err)
{
	wfa_pending p;
	int r;
	if (flags & WFA_NO_SYNC) {
		if ((r = write_tmp(&p, path, data, len, mode, err)) == 0)
			r = wfa_rename(&p, err);
		wfa_abort(&p);
		return r;
	}
	if ((r = wfa_begin(&p, path, data, len, mode, err)) < 0 || (r = wfa_commit(&p, err)) < 0 ||
	    (flags & WFA_NO_DIRSYNC))
		return r;
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		fsync_dir(dir);
	}
	return 0;
}

int write_file_str_at(int dirfd, const char *path, const char *s)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	size_t len = strlen(s);
	ssize_t w = write(fd, s, len);
	if (w < 0)
		return -errno;
	return (size_t)w == len ? 0 : -EIO;
}

int write_file_str(const char *path, const char *s) { return write_file_str_at(AT_FDCWD, path, s); }

int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}
