#include "supervisor/daemon/volumes/vol_store.h"
#include "supervisor/daemon/core/random_id.h"
#include "common/cleanup.h"
#include "common/dir_usage.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool vol_name_valid(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > VOL_NAME_MAX)
		return false;
	static const char first[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	if (!strchr(first, name[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!strchr(first, name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

int vol_name_random(char buf[65])
{
	return random_hex(buf, 32);
}

void vol_info_release(vol_info *v)
{
	if (v->rec)
		yajl_tree_free(v->rec);
	v->rec = v->labels = v->options = NULL;
}

int vol_load(const char *dir, const char *name, vol_info *out, cerr *err)
{
	*out = (vol_info){ 0 };
	if (!vol_name_valid(name))
		return cerr_set(err, ENOENT, "no such volume: %s", name);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	_cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? cerr_set(err, ENOENT, "no such volume: %s", name)
									     : cerr_sys(err, errno, "%s", path);
	yajl_val rec = NULL;
	int r = json_parse_file_at(dfd, VOL_RECORD, 1 << 20, &rec, err);
	if (r < 0)
		return r == -ENOENT ? cerr_set(err, ENOENT, "no such volume: %s", name) : r;
	yajl_val o = json_get(rec, "owner"), c = json_get(rec, "createdNs"), a = json_get(rec, "anonymous");
	long long owner, created;
	if (!YAJL_IS_OBJECT(rec) || !json_int_in(o, 0, UINT32_MAX, &owner) || !json_int_in(c, 0, INT64_MAX, &created)) {
		yajl_tree_free(rec);
		return cerr_set(err, EBADMSG, "%s/%s: not a volume's record", path, VOL_RECORD);
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->owner = (uint32_t)owner;
	out->created_ns = created;
	out->anonymous = YAJL_IS_TRUE(a);
	out->labels = YAJL_IS_OBJECT(json_get(rec, "labels")) ? json_get(rec, "labels") : NULL;
	out->options = YAJL_IS_OBJECT(json_get(rec, "options")) ? json_get(rec, "options") : NULL;
	out->rec = rec;
	return 0;
}

/* dir, and its parent when that is missing too (a member's first volume) */
static int make_dir(const char *dir, cerr *err)
{
	if (mkdir(dir, 0711) == 0 || errno == EEXIST)
		return 0;
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", dir);
	char *slash = strrchr(parent, '/');
	if (errno != ENOENT || !slash || slash == parent)
		return cerr_sys(err, errno, "%s", dir);
	*slash = '\0';
	if (mkdir(parent, 0711) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s", parent);
	if (mkdir(dir, 0711) < 0 && errno != EEXIST)
		return cerr_sys(err, errno, "%s", dir);
	return 0;
}

int vol_make(const char *dir, const char *name, const char *rec, size_t len, uid_t data_uid, gid_t data_gid,
	     cerr *err)
{
	if (!vol_name_valid(name))
		return cerr_set(err, EINVAL, "invalid volume name: %s", name);
	int mr = make_dir(dir, err);
	if (mr < 0)
		return mr;
	/* made under a name of its own, and renamed into place whole: a
	 * reader never sees a volume without its record */
	char tmp[PATH_MAX], path[PATH_MAX], rand[65];
	if (vol_name_random(rand) < 0)
		return cerr_set(err, EIO, "getrandom");
	snprintf(tmp, sizeof(tmp), "%s/.new-%.16s", dir, rand);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (mkdir(tmp, 0711) < 0)
		return cerr_sys(err, errno, "%s", tmp);
	_cleanup_close_ int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = 0;
	char rp[PATH_MAX];
	snprintf(rp, sizeof(rp), "%s/%s", tmp, VOL_RECORD);
	if (dfd < 0)
		r = cerr_sys(err, errno, "%s", tmp);
	else if (mkdirat(dfd, VOL_DATA, 0755) < 0 || fchownat(dfd, VOL_DATA, data_uid, data_gid, AT_SYMLINK_NOFOLLOW) < 0)
		r = cerr_sys(err, errno, "%s/%s", tmp, VOL_DATA);
	else if ((r = write_file_atomic(rp, rec, len, 0600, err)) < 0)
		;
	else if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) < 0)
		r = errno == EEXIST ? -EEXIST : cerr_sys(err, errno, "%s", path);
	if (r < 0) {
		rm_rf(tmp);
		return r;
	}
	fsync_dir(dir);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const vol_info *)a)->name, ((const vol_info *)b)->name);
}

void vol_list_free(vol_info *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vol_info_release(&v[i]);
	free(v);
}

int vol_list(const char *dir, vol_info **out, size_t *n, cerr *err)
{
	*out = NULL;
	*n = 0;
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", dir);
	vol_info *v = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) && *n < VOL_MAX_COUNT) {
		if (!vol_name_valid(e->d_name))
			continue; /* ".", "..", .new-* and .rm-* are no volumes */
		if (*n == cap) {
			vol_info *g = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
			if (!g) {
				vol_list_free(v, *n);
				*n = 0;
				return cerr_set(err, ENOMEM, "out of memory");
			}
			v = g;
		}
		_cleanup_cerr_ cerr e2 = { 0 };
		if (vol_load(dir, e->d_name, &v[*n], &e2) == 0)
			(*n)++;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), by_name);
	*out = v;
	return 0;
}

int vol_unname(const char *dir, const char *name, char *gone, size_t n, cerr *err)
{
	if (!vol_name_valid(name))
		return cerr_set(err, ENOENT, "no such volume: %s", name);
	char path[PATH_MAX], rand[65];
	if (vol_name_random(rand) < 0)
		return cerr_set(err, EIO, "getrandom");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(gone, n, "%s/.rm-%.16s", dir, rand);
	if (rename(path, gone) < 0)
		return errno == ENOENT ? cerr_set(err, ENOENT, "no such volume: %s", name) : cerr_sys(err, errno, "%s", path);
	fsync_dir(dir);
	return 0;
}

uint64_t vol_size(const char *dir, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, VOL_DATA);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	uint64_t bytes = 0, disk = 0;
	if (fd >= 0)
		dir_usage(fd, &bytes, &disk);
	return disk;
}
