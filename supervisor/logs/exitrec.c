#include "supervisor/logs/exitrec.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/json_build.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* text into the room kept for it, then in place of exit.json: it takes no
 * new block where the disk is full. -ENOENT: no room was kept. */
static int write_reserved(const char *dir, const char *text, size_t n, cerr *err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = dfd < 0 ? -1 : openat(dfd, EXITREC_RESERVE, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : cerr_sys(err, errno, "%s/%s", dir, EXITREC_RESERVE);
	if (n > EXITREC_ROOM)
		return -ENOENT;
	if (pwrite(fd, text, n, 0) != (ssize_t)n || ftruncate(fd, (off_t)n) < 0 || fsync(fd) < 0 ||
	    renameat(dfd, EXITREC_RESERVE, dfd, EXITREC_FILE) < 0 || fsync(dfd) < 0)
		return cerr_sys(err, errno, "%s/%s", dir, EXITREC_FILE);
	return 0;
}

int exitrec_write(const char *dir, const exitrec *e, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	jg_object(g, JG_INT("code", e->code), JG_INT("signal", e->signal), JG_BOOL("oomKilled", e->oom_killed),
		     JG_BOOL("stopKilled", e->stop_killed), JG_STR("startedAt", e->started_at),
		     JG_STR("finishedAt", e->finished_at), JG_END);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" EXITREC_FILE, dir);
	size_t n;
	_cleanup_free_ char *text = jg_finish(g, &n);
	if (!text)
		return cerr_set(err, ENOMEM, "%s: cannot serialise", path);
	int r = write_reserved(dir, text, n, err);
	return r != -ENOENT ? r : write_file_atomic(path, text, n, 0644, err);
}

int exitrec_reserve(const char *dir, cerr *err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = dfd < 0 ? -1
					 : openat(dfd, EXITREC_RESERVE, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return cerr_sys(err, errno, "%s/%s", dir, EXITREC_RESERVE);
	static const char zeros[EXITREC_ROOM];
	if (fallocate(fd, 0, 0, EXITREC_ROOM) < 0 && pwrite(fd, zeros, sizeof(zeros), 0) != (ssize_t)sizeof(zeros)) {
		int e = errno;
		unlinkat(dfd, EXITREC_RESERVE, 0);
		return cerr_sys(err, e, "%s/%s: keep room for the exit record", dir, EXITREC_RESERVE);
	}
	return fsync(fd) < 0 ? cerr_sys(err, errno, "%s/%s: fsync", dir, EXITREC_RESERVE) : 0;
}

static void copy_str(yajl_val v, char *dst, size_t n)
{
	if (YAJL_IS_STRING(v))
		snprintf(dst, n, "%s", v->u.string);
}

int exitrec_read(const char *dir, exitrec *e, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" EXITREC_FILE, dir);
	memset(e, 0, sizeof(*e));
	_cleanup_json_ yajl_val v = NULL;
	int r = json_parse_file_at(AT_FDCWD, path, 1 << 16, &v, err);
	if (r < 0)
		return r;
	long long x;
	if (!json_int_in(json_get(v, "code"), -1, 255, &x))
		return cerr_set(err, EINVAL, "%s: code: must be an integer in [-1, 255]", path);
	e->code = (int)x;
	if (json_int_in(json_get(v, "signal"), 0, 64, &x))
		e->signal = (int)x;
	/* a monitor that predates the key style wrote snake_case */
	e->oom_killed = YAJL_IS_TRUE(json_get_camel(v, "oomKilled"));
	e->stop_killed = YAJL_IS_TRUE(json_get_camel(v, "stopKilled"));
	copy_str(json_get_camel(v, "startedAt"), e->started_at, sizeof(e->started_at));
	copy_str(json_get_camel(v, "finishedAt"), e->finished_at, sizeof(e->finished_at));
	return 0;
}

long long exitrec_oom_kills(const char *cgroup_dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/memory.events", cgroup_dir);
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	char key[64];
	long long v;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (streq(key, "oom_kill"))
			return v;
	return 0;
}
