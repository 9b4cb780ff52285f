/* CopyTo (copy.h): the client's tar, read from STDIN frames, unpacked into
 * a directory of the container by images/extract.c in its copy mode: each
 * entry's path is taken apart lexically below that directory, its parent
 * resolved in the container's root (RESOLVE_IN_ROOT), and its last name
 * made with calls that never follow it. Bounded by the extractor's limits
 * (entries, path length) and by the bytes a layer may have. */
#include "supervisor/copy/copy.h"
#include "supervisor/copy/stdin_frames.h"
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
	stdin_frames *in;
	cerr why; /* why the stream broke, when it did */
} feeder;

/* The next STDIN frame's bytes for libarchive; 0 at CLOSE_STDIN. */
static la_ssize_t on_read(struct archive *a, void *data, const void **out)
{
	feeder *fd = data;
	cerr_clear(&fd->why);
	long n = stdin_frames_next(fd->in, out, &fd->why);
	if (n < 0)
		archive_set_error(a, -(int)n, "%s", cerr_msg(&fd->why));
	return n;
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
	if (root < 0)
		return cerr_sys(err, -root, "the container's root");
	feeder f = { .in = stdin_frames_new(sock, LIMIT_LAYER_BYTES_DEFAULT) }, *fd = &f;
	if (!f.in)
		return cerr_set(err, ENOMEM, "out of memory");
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
			r = cerr_set(err, fd->why.code ? fd->why.code : EINVAL, "the tar: %s",
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
	stdin_frames_free(f.in);
	cerr_clear(&f.why);
	return r;
}
