/* CopyTo (copy.h): the client's tar, read from STDIN frames, unpacked into
 * a directory of the container by images/extract.c in its copy mode: each
 * entry's path is taken apart lexically below that directory, its parent
 * resolved in the container's root (RESOLVE_IN_ROOT), and its last name
 * made with calls that never follow it. Bounded by the extractor's limits
 * (entries, path length) and by the bytes a layer may have. */
#include "supervisor/copy/copy.h"
#include "supervisor/copy/copy_in.h"
#include "supervisor/varlink/stdin_frames.h"
#include "images/extract_stream.h"
#include "common/cleanup.h"
#include "common/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long next_frame(void *ctx, const void **out, cerr *err)
{
	return stdin_frames_next(ctx, out, err);
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

int copy_in(int rootfd, const char *path, int sock, const extract_how *how, cerr *err)
{
	char under[PATH_MAX];
	int r = target_dir(rootfd, path, under, sizeof(under), err);
	if (r < 0)
		return r;
	/* the extractor creates below a directory fd, not an O_PATH one */
	_cleanup_close_ int root = open_in_root(rootfd, "", O_RDONLY | O_DIRECTORY, 0);
	if (root < 0)
		return cerr_sys(err, -root, "the container's root");
	stdin_frames *in = stdin_frames_new(sock, LIMIT_LAYER_BYTES_DEFAULT);
	if (!in)
		return cerr_set(err, ENOMEM, "out of memory");
	r = extract_stream(root, under, how, path, next_frame, in, err);
	stdin_frames_free(in);
	return r;
}
