#include "images/layer_proof.h"
#include "common/cleanup.h"
#include "common/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROOFS "proofs"
#define LINKS "diffids"

static int sub_dir(img_store *s, const char *name, bool create)
{
	if (create && mkdirat(s->dirfd, name, 0700) < 0 && errno != EEXIST)
		return -errno;
	int fd = openat(s->dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static int owner_dir(img_store *s, uid_t owner, bool create)
{
	_cleanup_close_ int top = sub_dir(s, PROOFS, create);
	if (top < 0)
		return top;
	char name[16];
	snprintf(name, sizeof(name), "%u", (unsigned)owner);
	if (create && mkdirat(top, name, 0700) < 0 && errno != EEXIST)
		return -errno;
	int fd = openat(top, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool proof_has(img_store *s, uid_t owner, const char *diffid)
{
	if (owner == 0)
		return true;
	_cleanup_close_ int dir = owner_dir(s, owner, false);
	return dir >= 0 && faccessat(dir, digest_hex(diffid), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

int proof_add(img_store *s, uid_t owner, const char *diffid, cerr *err)
{
	if (owner == 0)
		return 0;
	_cleanup_close_ int dir = owner_dir(s, owner, true);
	int fd = dir < 0 ? dir : openat(dir, digest_hex(diffid), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, fd == dir ? -dir : errno, "store %s: proof of layer %s for uid %u", s->root, diffid,
				(unsigned)owner);
	close(fd);
	return 0;
}

int proof_link(img_store *s, const char *blob, const char *diffid, cerr *err)
{
	_cleanup_close_ int dir = sub_dir(s, LINKS, true);
	if (dir < 0)
		return cerr_sys(err, -dir, "store %s: %s", s->root, LINKS);
	if (proof_linked(s, blob, diffid))
		return 0;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" LINKS "/%s", s->dir, digest_hex(blob));
	/* a fact about content: a crash may lose it, never halve it */
	return write_file_atomic_ex(path, diffid, strlen(diffid), 0600, WFA_NO_SYNC, err);
}

bool proof_linked(img_store *s, const char *blob, const char *diffid)
{
	_cleanup_close_ int dir = sub_dir(s, LINKS, false);
	char got[DIGEST_STR_LEN + 1] = "";
	_cleanup_close_ int fd = dir < 0 ? -1 : openat(dir, digest_hex(blob), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, got, sizeof(got) - 1);
	return n > 0 && (got[n] = '\0', strcmp(got, diffid) == 0);
}
