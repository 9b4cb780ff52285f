/* CopyTo (copy.h): the client's tar, read from STDIN frames, unpacked into
 * a directory of the container by images/extract.c in its copy mode: each
 * entry's path is taken apart lexically below that directory, its parent
 * resolved in the container's root (RESOLVE_IN_ROOT), and its last name
 * made with calls that never follow it. Bounded by the extractor's limits
 * (entries, path length) and by the bytes a layer may have. */
#include "supervisor/copy/copy.h"
#include "images/extract.h"
#include "common/cleanup.h"
#include "common/safepath.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct feeder {
	int sock;
	stream_reader r;
	bool ended;       /* CLOSE_STDIN came */
	int sock_errno;   /* why the stream broke, when it did */
	uint64_t bytes;   /* of tar so far */
	char buf[STREAM_MAX_PAYLOAD];
} feeder;

/* The next STDIN frame's bytes for libarchive; 0 at CLOSE_STDIN. */
static la_ssize_t on_read(struct archive *a, void *data, const void **out)
{
	feeder *fd = data;
	for (;;) {
		if (fd->ended)
			return 0;
		stream_frame f;
		int k = stream_reader_next(&fd->r, &f);
		if (k < 0) {
			archive_set_error(a, EPROTO, "the client sent something that is not a Streams frame");
			return -1;
		}
		if (k > 0) {
			if (f.kind == STREAM_CLOSE_STDIN)
				fd->ended = true;
			if (f.kind != STREAM_STDIN || f.len == 0)
				continue; /* RESIZE and SIGNAL mean nothing to a copy */
			if ((fd->bytes += f.len) > LIMIT_LAYER_BYTES_DEFAULT) {
				archive_set_error(a, EFBIG, "more than %llu bytes", LIMIT_LAYER_BYTES_DEFAULT);
				return -1;
			}
			memcpy(fd->buf, f.data, f.len); /* f.data lives until the next read */
			*out = fd->buf;
			return (la_ssize_t)f.len;
		}
		char *p;
		size_t room;
		if (stream_reader_reserve(&fd->r, 65536, &p, &room) < 0) {
			archive_set_error(a, ENOMEM, "out of memory");
			return -1;
		}
		ssize_t n = read(fd->sock, p, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fd->sock_errno = n < 0 ? errno : ECONNRESET;
			archive_set_error(a, fd->sock_errno, "the client: %s",
					  n < 0 ? strerror(errno) : "it hung up before the end of its tar");
			return -1;
		}
		stream_reader_commit(&fd->r, (size_t)n);
	}
}

/* The directory the copy goes into, clean and relative to the root. */
static int target_dir(int rootfd, const char *path, char *under, size_t n, cerr *err)
{
	/* lexically: ".." never climbs above the root */
	if (path_clean(path, under, n) < 0)
		return cerr_set(err, ENAMETOOLONG, "%s: too long", path);
	_cleanup_close_ int fd = open_in_root(rootfd, under, O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0)
		return cerr_sys(err, -fd, "%s", path);
	return 0;
}

int copy_in(int rootfd, const char *path, int sock, cerr *err)
{
	char under[PATH_MAX];
	int r = target_dir(rootfd, path, under, sizeof(under), err);
	if (r < 0)
		return r;
	/* the extractor creates below a directory fd, not an O_PATH one */
	_cleanup_close_ int root = open_in_root(rootfd, "", O_RDONLY | O_DIRECTORY, 0);
	_cleanup_free_ feeder *fd = calloc(1, sizeof(*fd));
	if (root < 0)
		return cerr_sys(err, -root, "the container's root");
	if (!fd)
		return cerr_set(err, ENOMEM, "out of memory");
	fd->sock = sock;
	stream_reader_init(&fd->r, STREAM_AT_CONTAINER);
	struct archive *a = archive_read_new();
	extract_ctx x;
	extract_init(&x, root, EXTRACT_COPY, path, NULL);
	x.under = under;
	if (!a || archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open(a, fd, NULL, on_read, NULL) != ARCHIVE_OK) {
		r = cerr_set(err, EIO, "%s", a ? archive_error_string(a) ?: "tar" : "out of memory");
	}
	struct archive_entry *e;
	int k;
	while (r == 0 && (k = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (k < ARCHIVE_WARN)
			r = cerr_set(err, fd->sock_errno ? fd->sock_errno : EINVAL, "the tar: %s",
				     archive_error_string(a) ?: "unreadable");
		else
			r = extract_entry(&x, a, e, err);
	}
	/* the rest of the stream, to its CLOSE_STDIN: the client waits for
	 * our EXIT only once it has sent everything */
	const void *rest;
	while (r == 0 && on_read(a, fd, &rest) > 0)
		;
	extract_done(&x);
	if (a)
		archive_read_free(a);
	stream_reader_release(&fd->r);
	return r;
}
