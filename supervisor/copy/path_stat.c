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

/* name's target when it is a link in the root's directory dir ("" the
 * root): its length, 0 when it is no link (or is not there), or -errno */
static ssize_t read_link(int rootfd, const char *dir, const char *name, char *target, size_t n)
{
	_cleanup_close_ int dfd = open_in_root(rootfd, dir[0] ? dir : "/", O_PATH | O_DIRECTORY, 0);
	if (dfd < 0)
		return dfd == -ENOENT || dfd == -ENOTDIR ? 0 : dfd;
	ssize_t len = readlinkat(dfd, name, target, n);
	if (len < 0)
		return errno == EINVAL || errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	return (size_t)len < n ? len : -ENAMETOOLONG;
}

/* The absolute path in the root that path (clean, relative) leads to */
static int resolve(int rootfd, const char *path, char *out, size_t n, cerr *err)
{
	char rest[2 * PATH_MAX], target[PATH_MAX], done[PATH_MAX] = "";
	size_t len = 0;
	int links = 0;
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
			p = next;
			continue;
		}
		if (len + 1 + cl >= sizeof(done))
			return cerr_set(err, ENAMETOOLONG, "/%s: too long", path);
		char name[NAME_MAX + 1];
		snprintf(name, sizeof(name), "%.*s", (int)cl, p);
		ssize_t tl = read_link(rootfd, done, name, target, sizeof(target));
		if (tl < 0)
			return cerr_sys(err, (int)-tl, "/%s", path);
		if (tl == 0) { /* no link: the name stays */
			len += (size_t)snprintf(done + len, sizeof(done) - len, "%s%s", len ? "/" : "", name);
			p = next;
			continue;
		}
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
