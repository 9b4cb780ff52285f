#include "fileio.h"
#include "common/fsync_all.h"
#include "cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <unistd.h>

/* <path>.tmp.<64 random bits>: unpredictable, so nobody can plant it ahead */
#define WFA_TMP_FORMAT "%s.tmp.%016" PRIx64

int read_fd(int fd, const char *path, size_t max, char **out, size_t *len, cerr *err)
{
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

int read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len, cerr *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", path);
	return read_fd(fd, path, max, out, len, err);
}

int read_file_if_there(int dirfd, const char *path, size_t max, char **out, size_t *len, cerr *err)
{
	*out = NULL;
	if (len)
		*len = 0;
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return cerr_sys(err, errno, "%s", path);
	return read_fd(fd, path, max, out, len, err);
}

int write_all(int fd, const void *data, size_t len)
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

/* A temporary file beside path under a new, unpredictable name, made with
 * O_EXCL|O_NOFOLLOW: whatever someone planted beside path (say a symlink to
 * a host file, where a --pid-file goes) is never written through. p->tmp
 * names the file only once it is ours. */
static int open_new_tmp(wfa_pending *p, const char *path, mode_t mode, char **tried)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		uint64_t rnd;
		if (getrandom(&rnd, sizeof(rnd), GRND_INSECURE) != sizeof(rnd))
			return -errno;
		free(*tried);
		if (asprintf(tried, WFA_TMP_FORMAT, path, rnd) < 0) {
			*tried = NULL;
			return -ENOMEM;
		}
		p->fd = open(*tried, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (p->fd >= 0) {
			p->tmp = TAKE_PTR(*tried);
			return 0;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* The temporary file made ahead of time (WFA_PREMADE): opened, never
 * created or followed, and only a plain file with no other name is written;
 * -ENOENT when there is none. */
static int open_premade(wfa_pending *p, const char *path, char **tried)
{
	if (asprintf(tried, WFA_PREMADE_FORMAT, path) < 0) {
		*tried = NULL;
		return -ENOMEM;
	}
	_cleanup_close_ int fd = open(*tried, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1)
		return -EEXIST;
	if (ftruncate(fd, 0) < 0)
		return -errno;
	p->fd = TAKE_FD(fd);
	p->tmp = TAKE_PTR(*tried);
	return 0;
}

/* The temporary file of path, written; p->fd open on it. */
static int write_tmp(wfa_pending *p, const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		     cerr *err)
{
	*p = (wfa_pending)WFA_PENDING_INIT;
	if (!(p->path = strdup(path)))
		return cerr_set(err, ENOMEM, "out of memory");
	_cleanup_free_ char *tried = NULL;
	int r = -ENOENT;
	if (flags & WFA_PREMADE)
		r = open_premade(p, path, &tried);
	if (r == -ENOENT)
		r = open_new_tmp(p, path, mode, &tried);
	if (r == 0)
		r = write_all(p->fd, data, len);
	if (r < 0) {
		cerr_sys(err, -r, "%s", p->tmp ? p->tmp : tried ? tried : path);
		wfa_abort(p); /* removes the temporary file only if it is ours */
		return r;
	}
	return 0;
}

int wfa_begin_ex(wfa_pending *p, const char *path, const void *data, size_t len, mode_t mode, unsigned flags,
		 cerr *err)
{
	int r = write_tmp(p, path, data, len, mode, flags, err);
	if (r < 0)
		return r;
	/* start the writeback now; commit's fsync then mostly waits for less */
	sync_file_range(p->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 0;
}

int wfa_begin(wfa_pending *p, const char *path, const void *data, size_t len, mode_t mode, cerr *err)
{
	return wfa_begin_ex(p, path, data, len, mode, 0, err);
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
		if ((r = write_tmp(&p, path, data, len, mode, 0, err)) == 0)
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

int fds_cloexec_from(unsigned first)
{
	return syscall(SYS_close_range, first, ~0u, CLOSE_RANGE_CLOEXEC) < 0 ? -errno : 0;
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
