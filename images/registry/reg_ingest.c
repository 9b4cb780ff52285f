/* A pull's ingest files: images/ingest/<owner uid>/<hex of the blob>, one
 * per layer, each locked (flock) for the whole pull; an owner's own, so
 * that one owner's slow registry never holds another's pull. A layer's compressed bytes are
 * appended there as they come, so that a pull cut off or killed goes on
 * where it stopped; once the unpacker has verified them, the file is the
 * store's blob, moved there when the image is committed. A pull that
 * fails commits nothing: verified layers wait in ingest for the next; one
 * whose bytes were refused, or that failed for any reason but a cut
 * transfer, is dropped (reg_layer.c). An owner's ingest counts against its
 * quota, and a file no pull came back for goes after a day (reg_ingest_sweep). */
#include "images/registry/regsrc_state.h"
#include "images/registry/reg_ingest.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct ingest *ingest_of(reg_source *rs, const char *digest)
{
	for (size_t i = 0; i < rs->n_ing; i++)
		if (!strcmp(rs->ing[i].digest, digest))
			return &rs->ing[i];
	return NULL;
}

/* Open and lock the file; one that another pull removed while this waited
 * (an empty one, at its unlock) is opened again. */
static int lock_ingest(int dirfd, const char *hex)
{
	for (;;) {
		int fd = openat(dirfd, hex, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return -errno;
		struct stat a, b;
		int r = 0;
		while ((r = flock(fd, LOCK_EX)) < 0 && errno == EINTR)
			;
		if (r < 0 || fstat(fd, &a) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
		if (fstatat(dirfd, hex, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
}

static int by_digest(const void *a, const void *b)
{
	return strcmp(((const struct ingest *)a)->digest, ((const struct ingest *)b)->digest);
}

/* A walk of dirfd's entries, on a descriptor of its own. */
static DIR *walk_dir(int dirfd)
{
	int fd = dirfd < 0 ? -1 : openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d && fd >= 0)
		close(fd);
	return d;
}

/* Bytes of the files in an ingest directory; *needed less what is there
 * already of the layers. */
static uint64_t dir_bytes(int dirfd, const src_layer *layers, size_t n_layers, uint64_t *needed)
{
	_cleanup_closedir_ DIR *d = walk_dir(dirfd);
	if (!d)
		return 0;
	uint64_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		n += (uint64_t)st.st_size;
		/* a layer of this pull that is there in part needs only the rest */
		for (size_t i = 0; i < n_layers; i++)
			if (!strcmp(regsrc_hex(layers[i].digest), de->d_name) && *needed >= (uint64_t)st.st_size) {
				*needed -= (uint64_t)st.st_size;
				break;
			}
	}
	return n;
}

static int check_quota(reg_source *rs, const src_layer *layers, size_t n, cerr *err)
{
	if (!rs->p.max_ingest)
		return 0;
	uint64_t needed = 0;
	for (size_t i = 0; i < n; i++)
		needed += layers[i].size;
	uint64_t held = dir_bytes(rs->p.ingest_fd, layers, n, &needed);
	if (held + needed <= rs->p.max_ingest)
		return 0;
	return cerr_set(err, EDQUOT,
			"ingest: %llu bytes kept and %llu to fetch is past the owner's quota of %llu "
			"(unprivileged.max_ingest)",
			(unsigned long long)held, (unsigned long long)needed, (unsigned long long)rs->p.max_ingest);
}

int regsrc_lock_layers(void *state, const src_layer *layers, size_t n, cerr *err)
{
	reg_source *rs = state;
	int q = check_quota(rs, layers, n, err);
	if (q < 0)
		return q;
	struct ingest *ing = realloc(rs->ing, (rs->n_ing + n + 1) * sizeof(*ing));
	if (!ing)
		return cerr_set(err, ENOMEM, "out of memory");
	rs->ing = ing;
	for (size_t i = 0; i < n; i++)
		if (!ingest_of(rs, layers[i].digest)) {
			struct ingest *in = &rs->ing[rs->n_ing++];
			snprintf(in->digest, sizeof(in->digest), "%s", layers[i].digest);
			in->fd = -1;
			in->staged = false;
		}
	qsort(rs->ing, rs->n_ing, sizeof(rs->ing[0]), by_digest);
	for (size_t i = 0; i < rs->n_ing; i++)
		if ((rs->ing[i].fd = lock_ingest(rs->p.ingest_fd, regsrc_hex(rs->ing[i].digest))) < 0)
			return cerr_sys(err, -rs->ing[i].fd, "ingest %s", rs->ing[i].digest);
	return 0;
}

int regsrc_commit(void *state, int blobs_fd, cerr *err)
{
	reg_source *rs = state;
	for (size_t i = 0; i < rs->n_ing; i++) {
		struct ingest *in = &rs->ing[i];
		const char *hex = regsrc_hex(in->digest);
		if (!in->staged)
			continue;
		if (fchmod(in->fd, 0644) < 0 || renameat(rs->p.ingest_fd, hex, blobs_fd, hex) < 0)
			return cerr_sys(err, errno, "blob %s: from ingest", in->digest);
		in->staged = false;
	}
	return 0;
}

void regsrc_unlock(reg_source *rs)
{
	for (size_t i = 0; i < rs->n_ing; i++) {
		struct ingest *in = &rs->ing[i];
		struct stat st;
		if (in->fd < 0)
			continue;
		/* empty: a layer the store had, or bytes found wrong */
		if (fstat(in->fd, &st) == 0 && st.st_size == 0 && st.st_nlink)
			unlinkat(rs->p.ingest_fd, regsrc_hex(in->digest), 0);
		close(in->fd);
		in->fd = -1;
	}
	rs->n_ing = 0;
}

/* One owner's directory: the files older than cutoff that no pull locks. */
static unsigned sweep_owner(int dirfd, time_t cutoff)
{
	_cleanup_closedir_ DIR *d = walk_dir(dirfd);
	if (!d)
		return 0;
	unsigned n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.' || fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode) || st.st_mtime > cutoff)
			continue;
		_cleanup_close_ int f = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (f >= 0 && flock(f, LOCK_EX | LOCK_NB) == 0 && unlinkat(dirfd, de->d_name, 0) == 0)
			n++;
	}
	return n;
}

unsigned reg_ingest_sweep(int ingest_fd, unsigned max_age)
{
	_cleanup_closedir_ DIR *d = walk_dir(ingest_fd);
	if (!d)
		return 0;
	time_t cutoff = time(NULL) - (time_t)max_age;
	unsigned n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		_cleanup_close_ int own = openat(ingest_fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (own >= 0)
			n += sweep_owner(own, cutoff);
	}
	return n;
}
