#include "images/store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

const char *store_root_default(const char *opt)
{
	if (opt && *opt)
		return opt;
	const char *e = getenv("CORRAL_STORE");
	return e && *e ? e : STORE_DEFAULT_ROOT;
}

static int open_sub(int dirfd, const char *name, cerr *err, const char *root)
{
	const int fl = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, name, fl);
	if (fd < 0 && errno == ENOENT) { /* a new store */
		if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
			return cerr_sys(err, errno, "store %s: mkdir %s", root, name);
		fd = openat(dirfd, name, fl);
	}
	if (fd < 0)
		return cerr_sys(err, errno, "store %s: open %s", root, name);
	return fd;
}

static int flock_retry(int fd, int op)
{
	int r;
	do
		r = flock(fd, op);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

static int open_store(img_store *s, const char *root, int lock, cerr *err);

/* What a crashed import left in staging: each import holds a lock on its
 * own directory (store_mkstage) while it lives, so one that can be locked
 * has no owner. A directory still being made (".new-", named before its
 * lock is taken) is left to its maker for a minute. */
#define STAGE_NEW ".new-"
static void clean_staging(img_store *s)
{
	_cleanup_closedir_ DIR *d = NULL;
	int fd = openat(s->staging_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	time_t minute_ago = time(NULL) - 60;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		struct stat st;
		if (!strncmp(de->d_name, STAGE_NEW, strlen(STAGE_NEW)) &&
		    (fstatat(s->staging_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || st.st_mtime > minute_ago))
			continue;
		_cleanup_close_ int own =
		    openat(s->staging_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (own >= 0 && flock(own, LOCK_EX | LOCK_NB) < 0)
			continue; /* its import runs */
		rm_rf_at(s->staging_fd, de->d_name);
	}
}

int store_open(img_store *s, const char *root, bool exclusive, cerr *err)
{
	return open_store(s, root, exclusive ? LOCK_EX : LOCK_SH, err);
}

int store_open_nowait(img_store *s, const char *root, cerr *err)
{
	return open_store(s, root, LOCK_SH | LOCK_NB, err);
}

static int open_store(img_store *s, const char *root, int lock, cerr *err)
{
	bool exclusive = lock & LOCK_EX;
	_cleanup_close_ int blobs = -1;
	*s = (img_store)IMG_STORE_INIT;
	s->root = strdup(root);
	if (!s->root || asprintf(&s->dir, "%s/images", root) < 0) {
		s->dir = NULL;
		store_close(s);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	int r;
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0 && errno == ENOENT) { /* a new store */
		if ((r = mkdir_p(s->dir, 0700)) < 0) {
			cerr_sys(err, -r, "store %s", root);
			goto fail;
		}
		s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (s->dirfd < 0) {
		r = cerr_sys(err, errno, "store %s", root);
		goto fail;
	}
	s->lock_fd = openat(s->dirfd, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lock_fd < 0) {
		r = cerr_sys(err, errno, "store %s: lock", root);
		goto fail;
	}
	if ((r = blobs = open_sub(s->dirfd, "blobs", err, root)) < 0 ||
	    (r = s->blobs_fd = open_sub(blobs, "sha256", err, root)) < 0 ||
	    (r = s->layers_fd = open_sub(s->dirfd, "layers", err, root)) < 0 ||
	    (r = s->staging_fd = open_sub(s->dirfd, "staging", err, root)) < 0)
		goto fail;
	int hold = open_sub(s->dirfd, "holds", err, root);
	if (hold < 0) {
		r = hold;
		goto fail;
	}
	close(hold);
	/* only a gc takes the lock whole: every other open shares it (a
	 * crashed import's staging is found by its own lock, not by taking
	 * the store's) */
	if ((r = flock_retry(s->lock_fd, lock)) == -EWOULDBLOCK) {
		cerr_set(err, EBUSY, "store %s: busy: a gc holds it; try again", root);
		r = -EBUSY;
		goto fail;
	} else if (r < 0) {
		cerr_sys(err, -r, "store %s: lock", root);
		goto fail;
	}
	/* corrald's loop (LOCK_NB) removes nothing: that is for the helpers */
	if (!(lock & LOCK_NB))
		clean_staging(s);
	s->exclusive = exclusive;
	return 0;
fail:
	store_close(s);
	return r;
}

void store_close(img_store *s)
{
	int *fds[] = { &s->blobs_fd, &s->layers_fd, &s->staging_fd, &s->dirfd, &s->lock_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	free(s->root);
	free(s->dir);
	s->root = s->dir = NULL;
}

int store_mkstage(img_store *s, const char *prefix, char **name, int *stage_fd, cerr *err)
{
	*stage_fd = -1;
	for (int i = 0; i < 100; i++) {
		unsigned rnd = 0;
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = 0;
		rnd ^= (unsigned)getpid() * 2654435761u + (unsigned)i;
		_cleanup_free_ char *n = NULL, *made = NULL;
		if (asprintf(&n, "%s-%08x", prefix, rnd) < 0 || asprintf(&made, STAGE_NEW "%s", n) < 0)
			return cerr_set(err, ENOMEM, "out of memory");
		/* made under a name the cleaners leave, locked, then named: a
		 * directory under its own name is always held while it lives */
		if (mkdirat(s->staging_fd, made, 0700) < 0) {
			if (errno == EEXIST)
				continue;
			return cerr_sys(err, errno, "store %s: staging", s->root);
		}
		int fd = openat(s->staging_fd, made, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || renameat(s->staging_fd, made, s->staging_fd, n) < 0) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			rm_rf_at(s->staging_fd, made);
			return cerr_sys(err, e, "store %s: staging", s->root);
		}
		*stage_fd = fd;
		*name = n;
		n = NULL;
		return 0;
	}
	return cerr_set(err, EEXIST, "store %s: staging: no free name", s->root);
}

bool store_has_blob(img_store *s, const char *digest)
{
	struct stat st;
	return digest_valid(digest) && fstatat(s->blobs_fd, digest_hex(digest), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

bool store_has_layer(img_store *s, const char *diffid)
{
	struct stat st;
	return digest_valid(diffid) && fstatat(s->layers_fd, digest_hex(diffid), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

char *store_layer_path(img_store *s, const char *diffid)
{
	char *p = NULL;
	if (asprintf(&p, "%s/layers/%s", s->dir, digest_hex(diffid)) < 0)
		return NULL;
	return p;
}

int store_read_blob(img_store *s, const char *digest, size_t max, char **out, size_t *len, cerr *err)
{
	if (!digest_valid(digest))
		return cerr_set(err, EINVAL, "blob %.80s: malformed digest", digest);
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	int r = read_file_at(s->blobs_fd, digest_hex(digest), max, &buf, &n, err);
	if (r < 0)
		return cerr_wrap(err, "store blob %s", digest);
	char got[DIGEST_STR_LEN];
	if ((r = digest_buf(buf, n, got, err)) < 0)
		return r;
	if (!streq(got, digest))
		return cerr_set(err, EIO, "store blob %s: corrupt: content hashes to %s", digest, got);
	*out = TAKE_PTR(buf);
	if (len)
		*len = n;
	return 0;
}

int store_lock_refs(img_store *s, cerr *err)
{
	int fd = openat(s->dirfd, "refs.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, errno, "store %s: refs.lock", s->root);
	int r = flock_retry(fd, LOCK_EX);
	if (r < 0) {
		close(fd);
		return cerr_sys(err, -r, "store %s: refs.lock", s->root);
	}
	return fd;
}
