/* build_cache.h: small files, one per step, written atomically. In core:
 * the build room writes it, the image room's list and prune read it. */
#include "supervisor/daemon/store/build_cache.h"
#include "supervisor/daemon/core/corrald.h"
#include "supervisor/daemon/store/img_owner.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/store.h"
#include "common/strv.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void owner_dir(struct corrald *d, uid_t uid, char *buf, size_t n)
{
	snprintf(buf, n, "%s/build-cache/%u", d->cfg->state_dir, (unsigned)uid);
}

int build_cache_put(struct corrald *d, const peer_cred *peer, const char *key, const char *manifest, cerr *err)
{
	if (!digest_valid(key) || !digest_valid(manifest))
		return cerr_set(err, EINVAL, "build cache: not a digest");
	char dir[PATH_MAX], path[PATH_MAX + 80];
	snprintf(dir, sizeof(dir), "%s/build-cache", d->cfg->state_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s", dir);
	owner_dir(d, peer->uid, dir, sizeof(dir));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, digest_hex(key));
	return write_file_atomic_ex(path, manifest, strlen(manifest), 0600, WFA_NO_SYNC, err);
}

int build_cache_get(struct corrald *d, const peer_cred *peer, const char *key, char out[DIGEST_STR_LEN])
{
	if (!digest_valid(key))
		return 0;
	char dir[PATH_MAX], path[PATH_MAX + 80], text[DIGEST_STR_LEN + 1] = "";
	owner_dir(d, peer->uid, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, digest_hex(key));
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (n != DIGEST_STR_LEN - 1 || (text[n] = '\0', !digest_valid(text)))
		return 0;
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_refs_ refs_db db = { 0 };
	_cleanup_cerr_ cerr err = { 0 };
	refs_view view;
	img_view(peer, &view);
	int i = store_open_nowait(&s, d->cfg->state_dir, &err) < 0 || refs_load(&s, &db, &err) < 0
		    ? -1
		    : refs_find(&db, &view, text, NULL, &err);
	if (i < 0 || strcmp(db.images[i].manifest, text)) {
		unlink(path);
		return 0;
	}
	memcpy(out, text, DIGEST_STR_LEN);
	return 1;
}

static size_t clear_owner(const char *dir)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	unsigned n = 0;
	if (fd >= 0)
		clear_dir(fd, NULL, NULL, &n);
	return n;
}

size_t build_cache_clear(struct corrald *d, const peer_cred *peer)
{
	char dir[PATH_MAX];
	if (peer->uid != 0) {
		owner_dir(d, peer->uid, dir, sizeof(dir));
		return clear_owner(dir);
	}
	char top[PATH_MAX];
	snprintf(top, sizeof(top), "%s/build-cache", d->cfg->state_dir);
	_cleanup_closedir_ DIR *dh = opendir(top);
	size_t n = 0;
	for (struct dirent *e; dh && (e = readdir(dh));)
		if (e->d_name[0] != '.' && snprintf(dir, sizeof(dir), "%s/%s", top, e->d_name) < (int)sizeof(dir))
			n += clear_owner(dir);
	return n;
}

char **build_cache_manifests(struct corrald *d, uid_t uid)
{
	char dir[PATH_MAX];
	owner_dir(d, uid, dir, sizeof(dir));
	_cleanup_closedir_ DIR *dh = opendir(dir);
	char **v = calloc(1, sizeof(*v));
	for (struct dirent *e; v && dh && (e = readdir(dh));) {
		char text[DIGEST_STR_LEN] = "";
		_cleanup_close_ int fd = e->d_name[0] == '.' ? -1 : openat(dirfd(dh), e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && read(fd, text, sizeof(text) - 1) == DIGEST_STR_LEN - 1 && digest_valid(text) &&
		    strv_push(&v, strdup(text)) < 0)
			strv_free(v), v = NULL;
	}
	return v;
}
