/* A path's stat for the copy's client, with the place its links lead to
 * found as Docker's FollowSymlinkInScope finds it: a name at a time, each
 * looked at below its directory opened inside the root, so that neither a
 * link nor ".." leaves it. */
#include "supervisor/copy/path_stat.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/json_build.h"
#include "common/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* *dir becomes done (relative to the root) opened in it, or -1 when a name
 * on the way is not there (what follows is then kept as it is) */
static void reopen(int *dir, int rootfd, const char *done)
{
	if (*dir >= 0)
		close(*dir);
	*dir = open_in_root(rootfd, done[0] ? done : "/", O_PATH | O_DIRECTORY, 0);
	*dir = *dir < 0 ? -1 : *dir;
}

/* The absolute path in the root that path (clean, relative) leads to. It
 * holds the directory reached so far open, so that each name costs one
 * lookup below it, whatever the depth: only ".." and an absolute link
 * open again from the root. */
static int resolve(int rootfd, const char *path, char *out, size_t n, cerr *err)
{
	char rest[2 * PATH_MAX], target[PATH_MAX], done[PATH_MAX] = "";
	size_t len = 0;
	int links = 0;
	_cleanup_close_ int dir = -1;
	reopen(&dir, rootfd, "");
	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest))
		return cerr_set(err, ENAMETOOLONG, "/%s: too long", path);
	for (char *p = rest; *p;) {
		char *end = strchrnul(p, '/');
		size_t cl = (size_t)(end - p);
		char *next = *end ? end + 1 : end;
		if (cl == 0 || (cl == 1 && p[0] == '.')) {
			p = next;
			continue;
		}
		if (cl == 2 && p[0] == '.' && p[1] == '.') { /* the last name taken off: never above the root */
			char *slash = memrchr(done, '/', len);
			len = slash ? (size_t)(slash - done) : 0;
			done[len] = '\0';
			reopen(&dir, rootfd, done);
			p = next;
			continue;
		}
		if (cl > NAME_MAX || len + 1 + cl >= sizeof(done))
			return cerr_set(err, ENAMETOOLONG, "/%s: too long", path);
		char name[NAME_MAX + 1];
		snprintf(name, sizeof(name), "%.*s", (int)cl, p);
		ssize_t tl = dir < 0 ? -1 : readlinkat(dir, name, target, sizeof(target));
		if (tl < 0 && dir >= 0 && errno != EINVAL && errno != ENOENT && errno != ENOTDIR)
			return cerr_sys(err, errno, "/%s", path);
		if (tl < 0) { /* no link: the name stays, and is the directory to look in next */
			len += (size_t)snprintf(done + len, sizeof(done) - len, "%s%s", len ? "/" : "", name);
			int below = dir < 0 ? -1 : openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (dir >= 0)
				close(dir);
			dir = below;
			p = next;
			continue;
		}
		if ((size_t)tl == sizeof(target))
			return cerr_set(err, ENAMETOOLONG, "/%s: a link's target is too long", path);
		if (++links > COPY_LINKS_MAX)
			return cerr_set(err, ELOOP, "/%s: more than %d links", path, COPY_LINKS_MAX);
		target[tl] = '\0';
		char joined[sizeof(rest)];
		if (snprintf(joined, sizeof(joined), "%s/%s", target, next) >= (int)sizeof(joined))
			return cerr_set(err, ENAMETOOLONG, "/%s: its links lead too far", path);
		memcpy(rest, joined, sizeof(rest));
		p = rest;
		if (target[0] == '/') {
			len = 0;
			done[0] = '\0';
			reopen(&dir, rootfd, "");
		}
	}
	snprintf(out, n, "/%s", done);
	return 0;
}

int copy_send_stat(int rootfd, const char *clean, const struct stat *st, int sock, cerr *err)
{
	char link[PATH_MAX] = "";
	int r = S_ISLNK(st->st_mode) ? resolve(rootfd, clean, link, sizeof(link), err) : 0;
	if (r < 0)
		return r;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	long long mtime = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
	size_t n;
	_cleanup_free_ char *json = NULL;
	if (!g || jg_object(g, JG_INT("size", (long long)st->st_size), JG_INT("mode", (long long)st->st_mode),
			    JG_INT("mtimeNs", mtime), JG_STR("linkTarget", link), JG_END) ||
	    !(json = jg_finish(g, &n)))
		return cerr_set(err, ENOMEM, "out of memory");
	r = stream_send(sock, STREAM_STAT, json, n);
	return r < 0 ? cerr_sys(err, -r, "the client") : 0;
}
