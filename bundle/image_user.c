#include "bundle/image_user.h"
#include "bundle/image_ids.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/safepath.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* An image's /etc/passwd or /etc/group is the image author's, and in a
 * running container (an exec's user) its processes may still be writing
 * it: it is read whole, once, up to a bound. */
#define MAX_ID_FILE (4u << 20)

static void id_reader_close(id_reader *r)
{
	free(r->text);
}

/* Reads path inside the rootfs; when it is not there, or not a regular file
 * within the bound, the reader has no entries. */
static void id_reader_open(id_reader *r, int rootfs_fd, const char *path)
{
	_cleanup_close_ int fd = open_in_root(rootfs_fd, path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || read_fd(fd, path, MAX_ID_FILE, &r->text, NULL, NULL) < 0)
		return;
	r->rest = r->text;
}

/* The passwd entry named user, or when user is NULL the first with *uid:
 * its uid, its gid and its name. */
static int find_passwd(int rootfs_fd, const char *user, uint32_t *uid, uint32_t *gid, char **name)
{
	_cleanup_(id_reader_close) id_reader r = { 0 };
	id_reader_open(&r, rootfs_fd, "/etc/passwd");
	while (image_ids_next(&r)) {
		uint32_t u, g;
		if (image_id_parse(r.id, &u) <= 0 || image_id_parse(r.fourth, &g) <= 0)
			continue;
		if (user ? streq(r.name, user) : u == *uid) {
			if (!(*name = strdup(r.name)))
				return -ENOMEM;
			*uid = u;
			*gid = g;
			return 0;
		}
	}
	return -ENOENT;
}

static int find_group(int rootfs_fd, const char *group, uint32_t *gid)
{
	_cleanup_(id_reader_close) id_reader r = { 0 };
	id_reader_open(&r, rootfs_fd, "/etc/group");
	return r.text ? image_id_lookup(r.text, group, gid) : -ENOENT;
}

/* Is user in a group's comma-separated member list? */
static bool listed(const char *users, const char *user)
{
	size_t len = strlen(user);
	for (const char *m = users;; m++) {
		size_t n = strcspn(m, ",");
		if (n == len && !strncmp(m, user, n))
			return true;
		m += n;
		if (!*m)
			return false;
	}
}

/* The groups that list user as a member, but its primary one, each once. */
static int groups_of(int rootfs_fd, const char *user, uint32_t primary, uint32_t **gids, size_t *n, cerr *err)
{
	_cleanup_(id_reader_close) id_reader r = { 0 };
	id_reader_open(&r, rootfs_fd, "/etc/group");
	while (image_ids_next(&r)) {
		uint32_t g;
		if (image_id_parse(r.id, &g) <= 0 || g == primary || !listed(r.fourth, user))
			continue;
		bool seen = false;
		for (size_t i = 0; i < *n && !seen; i++)
			seen = (*gids)[i] == g;
		if (seen)
			continue;
		if (*n == IMAGE_USER_MAX_GROUPS)
			return cerr_set(err, E2BIG, "user \"%s\" is in more than %d groups of the image's /etc/group", user,
					IMAGE_USER_MAX_GROUPS);
		uint32_t *more = realloc(*gids, (*n + 1) * sizeof(**gids));
		if (!more)
			return cerr_set(err, ENOMEM, "out of memory");
		*gids = more;
		(*gids)[(*n)++] = g;
	}
	return 0;
}

int image_user_resolve(int rootfs_fd, const char *spec, struct oci_user *u, cerr *err)
{
	uint32_t uid = 0, gid = 0;
	_cleanup_free_ uint32_t *gids = NULL;
	size_t n_gids = 0;
	if (spec && *spec) {
		_cleanup_free_ char *user = strdup(spec);
		if (!user)
			return cerr_set(err, ENOMEM, "out of memory");
		char *group = strchr(user, ':');
		if (group)
			*group++ = '\0';
		int numeric = image_id_parse(user, &uid);
		if (numeric < 0)
			return cerr_set(err, ERANGE, "user \"%s\" is out of range", user);
		_cleanup_free_ char *name = NULL;
		int r = find_passwd(rootfs_fd, numeric ? NULL : user, &uid, &gid, &name);
		if (r == -ENOMEM)
			return cerr_set(err, ENOMEM, "out of memory");
		/* a uid that passwd does not know: group root, as Docker does */
		if (r < 0 && !numeric)
			return cerr_set(err, ENOENT, "no such user \"%s\" in the image's /etc/passwd", user);
		if (group && *group) {
			int g = image_id_parse(group, &gid);
			if (g < 0)
				return cerr_set(err, ERANGE, "group \"%s\" is out of range", group);
			if (!g && find_group(rootfs_fd, group, &gid) < 0)
				return cerr_set(err, ENOENT, "no such group \"%s\" in the image's /etc/group", group);
		} else if (name && (r = groups_of(rootfs_fd, name, gid, &gids, &n_gids, err)) < 0) {
			return r;
		}
	}
	image_user_release(u);
	u->uid = uid;
	u->gid = gid;
	u->additional_gids = TAKE_PTR(gids);
	u->n_additional_gids = n_gids;
	return 0;
}

int image_user_resolve_path(const char *rootfs, const char *spec, struct oci_user *u, cerr *err)
{
	if (!spec || !*spec) /* root: nothing to read */
		return image_user_resolve(-EBADF, spec, u, err);
	_cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", rootfs);
	return image_user_resolve(fd, spec, u, err);
}

int image_group_add(const char *rootfs, const char *const *groups, struct oci_user *u, cerr *err)
{
	size_t n = 0;
	while (groups && groups[n])
		n++;
	if (!n)
		return 0;
	if (u->n_additional_gids + n > IMAGE_USER_MAX_GROUPS)
		return cerr_set(err, E2BIG, "more than %d groups", IMAGE_USER_MAX_GROUPS);
	_cleanup_close_ int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", rootfs);
	_cleanup_free_ uint32_t *gids = calloc(n, sizeof(*gids));
	_cleanup_free_ bool *found = calloc(n, sizeof(*found));
	uint32_t *more = gids && found ? realloc(u->additional_gids, (u->n_additional_gids + n) * sizeof(*more)) : NULL;
	if (!more)
		return cerr_set(err, ENOMEM, "out of memory");
	u->additional_gids = more;
	/* one pass over the file, whatever the number of names */
	_cleanup_(id_reader_close) id_reader r = { 0 };
	id_reader_open(&r, fd, "/etc/group");
	while (image_ids_next(&r)) {
		uint32_t gid;
		for (size_t i = 0; i < n; i++)
			if (!found[i] && streq(r.name, groups[i]) && image_id_parse(r.id, &gid) > 0) {
				gids[i] = gid;
				found[i] = true;
			}
	}
	for (size_t i = 0; i < n; i++)
		if (!found[i])
			return cerr_set(err, ENOENT, "no such group \"%s\" in the image's /etc/group", groups[i]);
	memcpy(u->additional_gids + u->n_additional_gids, gids, n * sizeof(*gids));
	u->n_additional_gids += n;
	return 0;
}

void image_user_release(struct oci_user *u)
{
	free(u->additional_gids);
	free(u->username);
	u->additional_gids = NULL;
	u->username = NULL;
	u->n_additional_gids = 0;
}

int image_user_name(int rootfs_fd, uint32_t uid, char **name)
{
	uint32_t gid;
	return find_passwd(rootfs_fd, NULL, &uid, &gid, name);
}

int image_user_home(int rootfs_fd, uint32_t uid, char **home)
{
	_cleanup_(id_reader_close) id_reader r = { 0 };
	id_reader_open(&r, rootfs_fd, "/etc/passwd");
	while (image_ids_next(&r)) {
		uint32_t u;
		if (image_id_parse(r.id, &u) <= 0 || u != uid)
			continue;
		/* gecos:home:shell; an entry without a home field has an empty one */
		char *h = r.more ? strchr(r.more, ':') : NULL;
		h = h ? h + 1 : "";
		return (*home = strndup(h, strcspn(h, ":"))) ? 0 : -ENOMEM;
	}
	return -ENOENT;
}
