/* CopyFrom's tar (copy.h): path is resolved in the container's root with
 * its last name not followed, then walked by fds, each name opened with
 * O_NOFOLLOW below a directory fd, so that no symlink is ever followed and
 * no ".." climbs: a name the container swaps for a link mid-walk fails to
 * open and is left out. Files, directories and symlinks are copied; device
 * nodes and FIFOs are not (a host tar run as root would make them real).
 * Modes are kept whole, sticky and setgid directories too, as podman cp
 * keeps them, except the setuid and setgid bits of files copied for root:
 * root's tar would make them root's, and nothing a container wrote may
 * become a privilege on the host (a member's tar makes them the member's).
 * A file is read up to the size it had when opened; if it shrinks, zeros
 * fill the rest. */
#include "supervisor/copy/copy.h"
#include "supervisor/copy/copy_out.h"
#include "supervisor/copy/path_stat.h"
#include "common/cleanup.h"
#include "common/safepath.h"
#include "images/extract.h"
#include "common/fileio.h"
#include "common/strbuf.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct walker {
	struct archive *a;
	int sock;
	size_t entries;
	int sock_errno; /* why the stream broke, when it did */
	bool keep_setid; /* files keep setuid and setgid */
	cerr *err;
} walker;

static la_ssize_t on_write(struct archive *a, void *data, const void *buf, size_t len)
{
	walker *w = data;
	int r = stream_send_all(w->sock, STREAM_STDOUT, buf, len);
	if (r < 0) {
		w->sock_errno = -r;
		archive_set_error(a, -r, "the client: %s", strerror(-r));
		return -1;
	}
	return (la_ssize_t)len;
}

static int archive_fault(walker *w, const char *name)
{
	if (w->sock_errno)
		return cerr_sys(w->err, w->sock_errno, "the client");
	return cerr_set(w->err, EIO, "%s: %s", name, archive_error_string(w->a) ?: "tar error");
}

/* The header of one entry, from the stat of what was opened. */
static int put_header(walker *w, const char *name, const struct stat *st, const char *link)
{
	if (++w->entries > COPY_MAX_ENTRIES)
		return cerr_set(w->err, E2BIG, "%s: more than %u entries", name, COPY_MAX_ENTRIES);
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return cerr_set(w->err, ENOMEM, "out of memory");
	archive_entry_copy_stat(e, st);
	mode_t perm = st->st_mode & 07777;
	if (!w->keep_setid && !S_ISDIR(st->st_mode))
		perm &= ~(mode_t)(S_ISUID | S_ISGID);
	archive_entry_set_perm(e, perm);
	archive_entry_set_pathname(e, name);
	archive_entry_set_nlink(e, 1); /* hard links are copied as files */
	if (link)
		archive_entry_set_symlink(e, link);
	int r = archive_write_header(w->a, e);
	archive_entry_free(e);
	return r < ARCHIVE_WARN ? archive_fault(w, name) : 0;
}

static int put_file(walker *w, int fd, const char *name, const struct stat *st)
{
	int r = put_header(w, name, st, NULL);
	if (r < 0)
		return r;
	static char buf[65536];
	off_t left = st->st_size;
	while (left > 0) {
		ssize_t n = read(fd, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cerr_sys(w->err, errno, "%s", name);
		if (n == 0) { /* it shrank: the header promised st_size bytes */
			n = left < (off_t)sizeof(buf) ? (ssize_t)left : (ssize_t)sizeof(buf);
			memset(buf, 0, (size_t)n);
		}
		if (archive_write_data(w->a, buf, (size_t)n) < 0)
			return archive_fault(w, name);
		left -= n;
	}
	return 0;
}

static int put_tree(walker *w, int fd, const char *name, int depth);
static int put_children(walker *w, int fd, const char *name, int depth);

/* The entry at dirfd/leaf (not followed), named name in the tar. A name
 * that is gone, or turned into another kind of file meanwhile, is left out. */
static int put_at(walker *w, int dirfd, const char *leaf, const char *name, int depth)
{
	struct stat st;
	if (fstatat(dirfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : cerr_sys(w->err, errno, "%s", name);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, leaf, target, sizeof(target) - 1);
		if (n < 0)
			return errno == ENOENT || errno == EINVAL ? 0 : cerr_sys(w->err, errno, "%s", name);
		target[n] = '\0';
		return put_header(w, name, &st, target);
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0; /* devices, FIFOs and sockets are not copied */
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0);
	_cleanup_close_ int fd = openat(dirfd, leaf, flags);
	struct stat now;
	if (fd < 0 || fstat(fd, &now) < 0 || (now.st_mode & S_IFMT) != (st.st_mode & S_IFMT))
		return 0;
	if (S_ISDIR(now.st_mode))
		return put_tree(w, TAKE_FD(fd), name, depth);
	return put_file(w, fd, name, &now);
}

/* A directory (fd, taken) and everything below it. */
static int put_tree(walker *w, int fd, const char *name, int depth)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return cerr_sys(w->err, errno, "%s", name);
	}
	int r = put_header(w, name, &st, NULL);
	if (r < 0) {
		close(fd);
		return r;
	}
	return put_children(w, fd, name, depth);
}

/* What the directory fd (taken) holds, each named name/LEAF ("" : LEAF). */
static int put_children(walker *w, int fd, const char *name, int depth)
{
	if (depth >= COPY_MAX_DEPTH) {
		close(fd);
		return cerr_set(w->err, ELOOP, "%s: deeper than %d directories", name, COPY_MAX_DEPTH);
	}
	int r;
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return cerr_sys(w->err, errno, "%s", name);
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		_cleanup_free_ char *child = NULL;
		if (asprintf(&child, "%s%s%s", name, name[0] ? "/" : "", de->d_name) < 0)
			return cerr_set(w->err, ENOMEM, "out of memory");
		if ((r = put_at(w, dirfd(d), de->d_name, child, depth + 1)) < 0)
			return r;
	}
	return 0;
}

int copy_out(int rootfd, const char *path, int sock, enum copy_out_what what, bool keep_setid, cerr *err)
{
	/* taken apart lexically (".." never climbs above the root), then the
	 * parent resolved in the root and the last name looked at from it; a
	 * path that ends in "/." sends what the directory holds, as docker cp */
	char clean[PATH_MAX], whole[PATH_MAX];
	size_t len = strlen(path);
	bool contents = len >= 2 && !strcmp(path + len - 2, "/.");
	if (path_clean(path, clean, sizeof(clean)) < 0)
		return cerr_set(err, ENAMETOOLONG, "%s: too long", path);
	memcpy(whole, clean, sizeof(whole));
	char *slash = strrchr(clean, '/'), leaf[NAME_MAX + 1] = ".";
	if (!contents && clean[0]) {
		snprintf(leaf, sizeof(leaf), "%s", slash ? slash + 1 : clean);
		*(slash ? slash : clean) = '\0';
	}
	_cleanup_close_ int dirfd = open_in_root(rootfd, clean, O_RDONLY | O_DIRECTORY, 0);
	if (dirfd < 0)
		return cerr_sys(err, -dirfd, "%s", path);
	struct stat st;
	if (fstatat(dirfd, leaf, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cerr_sys(err, errno, "%s", path);
	int r = what != COPY_OUT_TAR ? copy_send_stat(rootfd, whole, &st, sock, err) : 0;
	if (r < 0 || what == COPY_OUT_STAT)
		return r;
	walker w = { .a = archive_write_new(), .sock = sock, .keep_setid = keep_setid, .err = err };
	if (!w.a)
		return cerr_set(err, ENOMEM, "out of memory");
	if (archive_write_set_format_pax_restricted(w.a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w.a, 1) != ARCHIVE_OK ||
	    archive_write_open(w.a, &w, NULL, on_write, NULL) != ARCHIVE_OK)
		r = archive_fault(&w, path);
	if (r == 0)
		r = put_at(&w, dirfd, leaf, leaf, 0);
	if (r == 0 && archive_write_close(w.a) != ARCHIVE_OK)
		r = archive_fault(&w, path);
	archive_write_free(w.a);
	return r;
}
