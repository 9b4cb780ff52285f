/* A pull's ingest files: images/ingest/<owner uid>/<hex of the blob>, one
 * per layer, each locked (flock) for the whole pull; an owner's own, so
 * that one owner's slow registry never holds another's pull. A layer's compressed bytes are
 * appended there as they come, so that a pull cut off or killed goes on
 * where it stopped; once the unpacker has verified them, the file is the
 * store's blob, moved there when the image is committed. A pull that
 * fails commits nothing: verified layers wait in ingest for the next. */
#include "images/pull.h"
#include "images/pull_source.h"
#include "common/log.h"

#include <errno.h>
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

int regsrc_lock_layers(reg_source *rs, const img_manifest *man, cerr *err)
{
	for (size_t i = 0; i < man->n_layers && rs->n_ing < IMG_MAX_LAYERS; i++)
		if (!ingest_of(rs, man->layers[i].digest)) {
			struct ingest *in = &rs->ing[rs->n_ing++];
			memcpy(in->digest, man->layers[i].digest, DIGEST_STR_LEN);
			in->fd = -1;
			in->staged = false;
		}
	qsort(rs->ing, rs->n_ing, sizeof(rs->ing[0]), by_digest);
	for (size_t i = 0; i < rs->n_ing; i++)
		if ((rs->ing[i].fd = lock_ingest(rs->ingest_fd, digest_hex(rs->ing[i].digest))) < 0)
			return cerr_sys(err, -rs->ing[i].fd, "ingest %s", rs->ing[i].digest);
	return 0;
}

int regsrc_commit(reg_source *rs, int blobs_fd, cerr *err)
{
	for (size_t i = 0; i < rs->n_ing; i++) {
		struct ingest *in = &rs->ing[i];
		const char *hex = digest_hex(in->digest);
		if (!in->staged)
			continue;
		if (fchmod(in->fd, 0644) < 0 || renameat(rs->ingest_fd, hex, blobs_fd, hex) < 0)
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
			unlinkat(rs->ingest_fd, digest_hex(in->digest), 0);
		close(in->fd);
		in->fd = -1;
	}
	rs->n_ing = 0;
}
