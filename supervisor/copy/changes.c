/* corral-copy changes (copy.h): what a container changed, from its overlay
 * upper directory, each path against the image's layers beside it: a
 * whiteout is deleted (D), a name the layers have is changed (C), any
 * other added (A), as docker diff and podman diff say; the engine's own
 * mount points are not the container's changes (mount_targets.h). The
 * upper directory is the container's: it is walked by fds, no name
 * followed. */
#include "supervisor/copy/copy.h"
#include "supervisor/copy/changes.h"
#include "common/cleanup.h"
#include "images/mount_targets.h"
#include "images/whiteout.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOWERS_MAX 256

typedef struct walk {
	FILE *out;
	size_t entries;
	cerr *err;
} walk;

/* Whether name is in one of the lower directories (not as a whiteout). */
static bool in_lower(const int *lower, size_t n, const char *name)
{
	for (size_t i = n; i-- > 0;) {
		struct stat st;
		if (lower[i] >= 0 && fstatat(lower[i], name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return !wh_is_overlay(&st);
	}
	return false;
}

static int walk_dir(walk *w, int dfd, const int *lower, size_t n, const char *path, unsigned depth)
{
	if (depth > COPY_MAX_DEPTH)
		return cerr_set(w->err, ELOOP, "%s: deeper than %d directories", path, COPY_MAX_DEPTH);
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	_cleanup_closedir_ DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return cerr_sys(w->err, errno, "%s", *path ? path : "/");
	}
	rewinddir(d); /* a dup shares the offset of a directory read before */
	for (struct dirent *e; (e = readdir(d));) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (++w->entries > COPY_MAX_ENTRIES)
			return cerr_set(w->err, E2BIG, "more than %u entries", COPY_MAX_ENTRIES);
		struct stat st;
		if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue; /* gone meanwhile */
		_cleanup_free_ char *p = NULL;
		if (asprintf(&p, "%s/%s", path, e->d_name) < 0)
			return cerr_set(w->err, ENOMEM, "out of memory");
		if (mount_target_only(dfd, e->d_name, p, &st))
			continue;
		if (wh_is_overlay(&st)) {
			if (in_lower(lower, n, e->d_name))
				fprintf(w->out, "D %s\n", p);
			continue;
		}
		fprintf(w->out, "%c %s\n", in_lower(lower, n, e->d_name) ? 'C' : 'A', p);
		if (!S_ISDIR(st.st_mode))
			continue;
		_cleanup_close_ int sub = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		/* below an opaque directory the layers have nothing */
		int below[LOWERS_MAX];
		bool opaque = wh_is_opaque(sub);
		for (size_t i = 0; i < n; i++)
			below[i] = !opaque && lower[i] >= 0 ? openat(lower[i], e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
		int r = walk_dir(w, sub, below, n, p, depth + 1);
		for (size_t i = 0; i < n; i++)
			if (below[i] >= 0)
				close(below[i]);
		if (r < 0)
			return r;
	}
	return 0;
}

int copy_changes(const char *upper, char *const *lowers, FILE *out, cerr *err)
{
	size_t n = 0;
	int lower[LOWERS_MAX] = { 0 };
	for (; lowers[n]; n++) {
		if (n >= LOWERS_MAX)
			return cerr_set(err, E2BIG, "more than %d layers", LOWERS_MAX);
		lower[n] = open(lowers[n], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (lower[n] < 0) {
			int e = errno;
			while (n--)
				close(lower[n]);
			return cerr_sys(err, e, "%s", lowers[n]);
		}
	}
	_cleanup_close_ int ufd = open(upper, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	walk w = { .out = out, .err = err };
	int r = ufd < 0 ? cerr_sys(err, errno, "%s", upper) : walk_dir(&w, ufd, lower, n, "", 0);
	for (size_t i = 0; i < n; i++)
		close(lower[i]);
	return r;
}
