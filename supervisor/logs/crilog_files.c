#include "supervisor/logs/crilog_files.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int crilog_tail_offset(int fd, long want, off_t *start, long *found)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	_cleanup_free_ char *buf = malloc(CRILOG_TAIL_BLOCK);
	if (!buf)
		return -ENOMEM;
	long seen = 0; /* newlines: each ends a record */
	for (off_t end = st.st_size; end > 0;) {
		size_t n = end < (off_t)CRILOG_TAIL_BLOCK ? (size_t)end : CRILOG_TAIL_BLOCK;
		off_t off = end - (off_t)n;
		for (size_t got = 0; got < n;) {
			ssize_t r = pread(fd, buf + got, n - got, off + (off_t)got);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return r < 0 ? -errno : -EIO; /* truncated under us */
			got += (size_t)r;
		}
		for (size_t i = n; i-- > 0;) {
			if (buf[i] != '\n')
				continue;
			if (seen == want) { /* the end of the record before the last want */
				*start = off + (off_t)i + 1;
				*found = want;
				return 0;
			}
			seen++;
		}
		end = off;
	}
	*start = 0;
	*found = seen;
	return 0;
}

void crilog_files_close(crilog_files *f)
{
	for (unsigned i = 0; i < f->n; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
	f->n = 0;
}

/* A file already opened under another name: a rotation came between. */
static bool seen_before(const crilog_files *f, const struct stat *st)
{
	for (unsigned i = 0; i < f->n; i++) {
		struct stat o;
		if (fstat(f->fd[i], &o) == 0 && o.st_dev == st->st_dev && o.st_ino == st->st_ino)
			return true;
	}
	return false;
}

int crilog_files_open(crilog_files *f, const char *path, unsigned keep, long tail, cerr *err)
{
	memset(f, 0, sizeof(*f));
	if (keep < 1 || keep > CRILOG_MAX_FILES)
		keep = keep < 1 ? 1 : CRILOG_MAX_FILES;
	long want = tail;
	/* newest first into fd[], reversed at the end */
	for (unsigned i = 0; i < keep && (want != 0 || f->n == 0); i++) {
		char p[PATH_MAX];
		if (i)
			snprintf(p, sizeof(p), "%s.%u", path, i);
		else
			snprintf(p, sizeof(p), "%s", path);
		int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct stat st;
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0 || fstat(fd, &st) < 0) {
			int e = errno;
			closep(&fd);
			crilog_files_close(f);
			return cerr_sys(err, e, "%s", p);
		}
		if (seen_before(f, &st)) {
			close(fd);
			continue;
		}
		f->live |= i == 0;
		f->fd[f->n++] = fd;
		if (tail < 0)
			continue;
		long found;
		int r = crilog_tail_offset(fd, want, &f->start, &found);
		if (r < 0) {
			crilog_files_close(f);
			return cerr_sys(err, -r, "%s", p);
		}
		want -= found;
		if (want == 0)
			break; /* the tail begins in this file, at f->start */
	}
	if (want != 0)
		f->start = 0; /* all of it, or fewer records than asked: from the start */
	for (unsigned i = 0; i < f->n / 2; i++) {
		int t = f->fd[i];
		f->fd[i] = f->fd[f->n - 1 - i];
		f->fd[f->n - 1 - i] = t;
	}
	return 0;
}
