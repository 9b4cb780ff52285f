/* rm_rf and rm_rf_at (fileio.h), without recursion: a tree of any depth or
 * width goes with at most three descriptors open and a fixed amount of
 * memory. The walk goes down with openat and back up by "..", checked
 * against the directory it came from; it never follows a symlink and never
 * enters another mount. A subtree deeper than RM_MAX_DEPTH is first moved
 * up under the top, so that no level is ever forgotten. */
#include "fileio.h"
#include "common/rm_rf.h"
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define RM_MAX_DEPTH 256 /* levels remembered at once */
#define RM_MAX_STUCK 64  /* directories that would not go, skipped when met again */
#define RM_MOVE_TRIES 64 /* names tried for a subtree moved up */

typedef struct rm_id {
	dev_t dev;
	ino_t ino;
	uint64_t mnt; /* 0 where statx cannot say */
} rm_id;

typedef struct rm_level {
	rm_id id;
	long pos;     /* where reading goes on after coming back up */
	bool resumed; /* read once more from the start before leaving it: an
		       * offset need not survive removals on every filesystem */
	char name[NAME_MAX + 1]; /* in its parent */
} rm_level;

typedef struct rm_walk {
	int top; /* the tree's root, borrowed: deep subtrees move under it */
	int depth;
	int err; /* the first error; the walk goes on past most */
	unsigned long moved;
	size_t n_stuck;
	rm_id stuck[RM_MAX_STUCK];
	rm_level lv[RM_MAX_DEPTH];
} rm_walk;

static int id_of(int fd, rm_id *id)
{
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_INO | STATX_MNT_ID, &sx) == 0) {
		id->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
		id->ino = sx.stx_ino;
		id->mnt = sx.stx_mask & STATX_MNT_ID ? sx.stx_mnt_id : 0;
		return 0;
	}
	struct stat st; /* no statx (old kernel, seccomp): the device tells mounts apart */
	if (errno != ENOSYS || fstat(fd, &st) < 0)
		return -errno;
	*id = (rm_id){ .dev = st.st_dev, .ino = st.st_ino };
	return 0;
}

static bool same_mount(const rm_id *a, const rm_id *b) { return a->dev == b->dev && a->mnt == b->mnt; }
static bool same_dir(const rm_id *a, const rm_id *b) { return same_mount(a, b) && a->ino == b->ino; }

static void note(rm_walk *w, int r)
{
	if (r < 0 && w->err == 0)
		w->err = r;
}

static bool is_stuck(const rm_walk *w, const rm_id *id)
{
	for (size_t i = 0; i < w->n_stuck; i++)
		if (same_dir(&w->stuck[i], id))
			return true;
	return false;
}

/* Move a subtree too deep to enter from here up under the top: it is met
 * again when the top is read once more. */
static void move_up(rm_walk *w, int dfd, const char *name)
{
	for (int i = 0; i < RM_MOVE_TRIES; i++) {
		char to[32];
		snprintf(to, sizeof(to), ".rm_rf.%lu", w->moved++);
		/* anything already there is part of the tree too: replacing an
		 * empty directory is harmless, and anything else refuses */
		if (renameat(dfd, name, w->top, to) == 0) {
			w->lv[0].resumed = true;
			return;
		}
		if (errno != EEXIST && errno != ENOTEMPTY && errno != ENOTDIR && errno != EISDIR)
			break;
	}
	note(w, -errno);
}

/* One entry of dfd: removed (or its error noted), unless it is a directory
 * with something in it, which is opened in *child, to be entered. */
static void take_entry(rm_walk *w, int dfd, const struct dirent *de, int *child, rm_id *cid)
{
	const char *name = de->d_name;
	bool dir = de->d_type == DT_DIR;
	struct stat st;
	if (de->d_type == DT_UNKNOWN) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			note(w, errno == ENOENT ? 0 : -errno);
			return;
		}
		dir = S_ISDIR(st.st_mode);
	}
	if (!dir) {
		if (unlinkat(dfd, name, 0) < 0 && errno != ENOENT)
			note(w, -errno);
		return;
	}
	/* an empty directory goes at once, without being entered */
	if (unlinkat(dfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
		return;
	if (errno != ENOTEMPTY && errno != EEXIST) {
		note(w, errno == EBUSY ? -EXDEV : -errno); /* EBUSY: a mount point */
		return;
	}
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		note(w, errno == ENOENT ? 0 : -errno);
		return;
	}
	int r = id_of(fd, cid);
	if (r == 0 && !same_mount(cid, &w->lv[0].id))
		r = -EXDEV; /* a mount point after all */
	if (r < 0 || is_stuck(w, cid)) {
		close(fd);
		note(w, r);
		return;
	}
	if (w->depth + 1 == RM_MAX_DEPTH) {
		close(fd);
		move_up(w, dfd, name);
		return;
	}
	*child = fd;
}

static DIR *open_level(rm_walk *w, int fd)
{
	DIR *d = fdopendir(fd);
	if (!d) {
		closep(&fd); /* keeps errno */
		return NULL;
	}
	if (w->lv[w->depth].pos)
		seekdir(d, w->lv[w->depth].pos);
	return d;
}

/* Back up from d (closed) to its parent, checked to be the directory we came
 * down from, and remove the one we left; NULL when the walk must end. */
static DIR *climb(rm_walk *w, DIR *d)
{
	int up = openat(dirfd(d), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	closedir(d);
	rm_id uid;
	int r = up < 0 ? -errno : id_of(up, &uid);
	if (r == 0 && !same_dir(&uid, &w->lv[w->depth - 1].id))
		r = -ESTALE; /* the tree was moved under us */
	rm_level *left = &w->lv[w->depth--];
	if (r == 0 && unlinkat(up, left->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		note(w, -errno);
		if (w->n_stuck < RM_MAX_STUCK)
			w->stuck[w->n_stuck++] = left->id;
		else
			r = w->err; /* too much will not go: give up */
	}
	if (r < 0) {
		note(w, r);
		closep(&up);
		return NULL;
	}
	DIR *pd = open_level(w, up);
	if (!pd)
		note(w, -errno);
	return pd;
}

/* Everything below the top; the first error, or 0. */
static int empty_top(rm_walk *w)
{
	int fd = openat(w->top, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* an offset of its own */
	DIR *d = fd < 0 ? NULL : open_level(w, fd);
	if (!d)
		return -errno;
	while (d) {
		rm_level *l = &w->lv[w->depth];
		int child = -1;
		rm_id cid = { 0 };
		struct dirent *de = NULL;
		errno = 0;
		while (child < 0 && (de = readdir(d))) {
			if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
				take_entry(w, dirfd(d), de, &child, &cid);
			errno = 0;
		}
		if (child >= 0) {
			l->pos = telldir(d);
			l->resumed = true;
			rm_level *n = &w->lv[++w->depth];
			*n = (rm_level){ .id = cid };
			snprintf(n->name, sizeof(n->name), "%s", de->d_name);
			closedir(d);
			if (!(d = open_level(w, child)))
				note(w, -errno);
			continue;
		}
		note(w, -errno); /* a readdir error ends this directory */
		if (l->resumed) {
			/* on a new descriptor: ext4 does not rewind one that was
			 * opened at its end */
			l->resumed = false;
			l->pos = 0;
			int again = openat(dirfd(d), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			closedir(d);
			if (!(d = again < 0 ? NULL : open_level(w, again)))
				note(w, -errno);
		} else if (w->depth == 0) {
			closedir(d);
			return w->err;
		} else {
			d = climb(w, d);
		}
	}
	return w->err ? w->err : -EIO;
}

int rm_rf_at(int atfd, const char *name)
{
	struct stat st;
	if (fstatat(atfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(atfd, name, 0) < 0 && errno != ENOENT ? -errno : 0;
	_cleanup_close_ int fd = openat(atfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	_cleanup_free_ rm_walk *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->top = fd;
	rm_id parent;
	int r = id_of(fd, &w->lv[0].id);
	if (r == 0 && atfd != AT_FDCWD && (r = id_of(atfd, &parent)) == 0 && !same_mount(&parent, &w->lv[0].id))
		return -EXDEV; /* a mount point: never descend into another filesystem */
	if (r == 0)
		r = empty_top(w);
	if (unlinkat(atfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int rm_rf(const char *path) { return rm_rf_at(AT_FDCWD, path); }

int clear_dir(int dfd, bool (*keep)(const char *name, void *ud), void *ud, unsigned *removed)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	struct dirent *de;
	int r = 0;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, "..") || (keep && keep(de->d_name, ud)))
			continue;
		int q = rm_rf_at(dfd, de->d_name);
		if (q < 0 && r == 0)
			r = q;
		else if (q == 0 && removed)
			(*removed)++;
	}
	closedir(d);
	return r;
}
