#include "images/extract.h"
#include "images/whiteout.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/log.h"
#include "common/safepath.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

void extract_limits_default(extract_limits *l)
{
	l->max_bytes = LIMIT_LAYER_BYTES_DEFAULT;
	l->max_ratio = LIMIT_RATIO_DEFAULT;
	l->max_entries = LIMIT_ENTRIES_DEFAULT;
	l->max_path = LIMIT_PATH_DEFAULT;
}

void extract_init(extract_ctx *x, int rootfd, enum extract_mode mode, const char *what,
		  const extract_limits *lim)
{
	memset(x, 0, sizeof(*x));
	x->rootfd = rootfd;
	x->mode = mode;
	x->what = what;
	if (lim)
		x->lim = *lim;
	else
		extract_limits_default(&x->lim);
	x->cache_fd = -1;
	x->under = "";
}

static void cache_drop(extract_ctx *x)
{
	if (x->cache_fd >= 0)
		close(x->cache_fd);
	x->cache_fd = -1;
	free(x->cache_path);
	x->cache_path = NULL;
}

void extract_done(extract_ctx *x) { cache_drop(x); }

int path_clean(const char *in, char *out, size_t outsz)
{
	size_t n = 0;
	if (outsz == 0)
		return -ENAMETOOLONG;
	out[0] = '\0';
	while (*in) {
		while (*in == '/')
			in++;
		const char *c = in;
		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - c);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			/* drop the last component; at the root, stay there */
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			out[n] = '\0';
			continue;
		}
		if (n + (n ? 1 : 0) + len + 1 > outsz)
			return -ENAMETOOLONG;
		if (n)
			out[n++] = '/';
		memcpy(out + n, c, len);
		n += len;
		out[n] = '\0';
	}
	return 0;
}

/* An entry's path, cleaned, below x->under (itself clean, no leading "/"). */
static int entry_path(const extract_ctx *x, const char *raw, char *out, size_t n)
{
	char clean[PATH_MAX];
	if (path_clean(raw, clean, sizeof(clean)) < 0)
		return -ENAMETOOLONG;
	int len = snprintf(out, n, "%s%s%s", x->under, *x->under && *clean ? "/" : "", clean);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

bool device_allowed(bool is_char, unsigned major, unsigned minor)
{
	static const unsigned safe[][2] = {
		{ 1, 3 } /* null */, { 1, 5 } /* zero */, { 1, 7 } /* full */,
		{ 1, 8 } /* random */, { 1, 9 } /* urandom */, { 5, 0 } /* tty */,
	};
	if (!is_char)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(safe); i++)
		if (safe[i][0] == major && safe[i][1] == minor)
			return true;
	return false;
}

/* Open (creating as needed) the directory path inside the root, for reading.
 * A whiteout of this layer in the way becomes an opaque directory: the layer
 * deleted the lower entry and then added under a new one. */
static int open_parent(extract_ctx *x, const char *path, cerr *err)
{
	if (x->cache_path && streq(x->cache_path, path))
		return x->cache_fd;
	cache_drop(x);
	int fd = open_in_root(x->rootfd, path, O_RDONLY | O_DIRECTORY, 0);
	if (fd == -ENOENT || fd == -ENOTDIR) {
		/* walk it, creating what is missing */
		char buf[PATH_MAX];
		snprintf(buf, sizeof(buf), "%s", path);
		_cleanup_close_ int cur = open_in_root(x->rootfd, "", O_RDONLY | O_DIRECTORY, 0);
		if (cur < 0)
			return cerr_sys(err, -cur, "%s: open root", x->what);
		char *p = buf;
		while (p && *p) {
			char *slash = strchr(p, '/');
			if (slash)
				*slash = '\0';
			int next = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (next < 0) {
				struct stat st;
				int e = errno;
				bool wh = fstatat(cur, p, &st, AT_SYMLINK_NOFOLLOW) == 0 && wh_is_overlay(&st) &&
					  x->mode == EXTRACT_LAYER;
				if (e == ELOOP || (e == ENOTDIR && !wh)) {
					/* a symlink: resolve it, scoped, from the root */
					*(slash ? slash : p + strlen(p)) = '\0';
					next = open_in_root(x->rootfd, buf, O_RDONLY | O_DIRECTORY, 0);
					if (next == -ENOENT && fstatat(cur, p, &st, AT_SYMLINK_NOFOLLOW) == 0) {
						/* dangling: replace the link with a directory */
						if (unlinkat(cur, p, 0) < 0 || mkdirat(cur, p, 0755) < 0)
							return cerr_sys(err, errno, "%s: %s", x->what, buf);
						next = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
						if (next < 0)
							next = -errno;
					}
					if (next < 0)
						return cerr_sys(err, -next, "%s: %s", x->what, buf);
				} else {
					if (wh && unlinkat(cur, p, 0) < 0)
						return cerr_sys(err, errno, "%s: %s", x->what, path);
					if (e != ENOENT && !wh)
						return cerr_sys(err, e, "%s: %s", x->what, path);
					if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST)
						return cerr_sys(err, errno, "%s: mkdir %s", x->what, path);
					next = openat(cur, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
					if (next < 0)
						return cerr_sys(err, errno, "%s: %s", x->what, path);
					if (wh && wh_set_opaque(next) < 0) {
						close(next);
						return cerr_sys(err, errno, "%s: %s: set opaque", x->what, path);
					}
				}
			}
			close(cur);
			cur = next;
			if (slash)
				*slash = '/';
			p = slash ? slash + 1 : NULL;
		}
		fd = TAKE_FD(cur);
	} else if (fd < 0) {
		return cerr_sys(err, -fd, "%s: %s", x->what, path);
	}
	x->cache_path = strdup(path);
	if (!x->cache_path) {
		close(fd);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	x->cache_fd = fd;
	return fd;
}

static bool xattr_kept(const char *name)
{
	return streq(name, "security.capability") || strncmp(name, "user.", 5) == 0;
}

static void apply_xattrs(extract_ctx *x, int fd, struct archive_entry *e, const char *path)
{
	const char *name;
	const void *val;
	size_t size;
	if (archive_entry_xattr_reset(e) == 0)
		return;
	while (archive_entry_xattr_next(e, &name, &val, &size) == ARCHIVE_OK) {
		if (!name || !xattr_kept(name)) {
			log_debug("%s: %s: xattr %s dropped", x->what, path, name ? name : "?");
			continue;
		}
		if (fsetxattr(fd, name, val, size, 0) < 0) {
			x->warnings++;
			log_warn("%s: %s: xattr %s: %s", x->what, path, name, strerror(errno));
		}
	}
}

static int write_data(extract_ctx *x, struct archive *a, int fd, const char *path, int64_t size, cerr *err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int64_t end = 0; /* of what was written */
	int r;
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		const char *p = buf;
		if (off + (int64_t)len > end)
			end = off + (int64_t)len;
		while (len > 0) {
			ssize_t w = pwrite(fd, p, len, off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return cerr_sys(err, errno, "%s: %s: write", x->what, path);
			}
			p += w;
			len -= (size_t)w;
			off += w;
		}
	}
	if (r != ARCHIVE_EOF && x->unpadded_end && x->input_ended && end == size)
		x->ended = true; /* all its data came, then the stream's end */
	else if (r != ARCHIVE_EOF)
		return cerr_set(err, EBADMSG, "%s: %s: %s", x->what, path, archive_error_string(a) ?: "read error");
	/* sparse entries end in a hole */
	if (size > 0 && ftruncate(fd, size) < 0)
		return cerr_sys(err, errno, "%s: %s: truncate", x->what, path);
	return 0;
}

/* Remove whatever is at dirfd/name, unless it is a directory and a directory
 * comes. The cached parent stays valid: only its child goes. Returns 1 if an existing directory is kept, 2 if an overlay
 * whiteout was removed, 0 otherwise. */
static int clear_name(extract_ctx *x, int dirfd, const char *name, bool new_is_dir, const char *path, cerr *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return cerr_sys(err, errno, "%s: %s", x->what, path);
	}
	if (S_ISDIR(st.st_mode) && new_is_dir)
		return 1;
	if (x->keep_kinds && (S_ISDIR(st.st_mode) || new_is_dir))
		return cerr_set(err, EEXIST, "%s: %s: cannot overwrite %s with %s", x->what, path,
				new_is_dir ? "a non-directory" : "a directory", new_is_dir ? "a directory" : "a non-directory");
	int r;
	if (S_ISDIR(st.st_mode)) {
		r = rm_rf_at(dirfd, name);
	} else {
		r = unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
	}
	if (r < 0)
		return cerr_sys(err, -r, "%s: %s: replace", x->what, path);
	return wh_is_overlay(&st) ? 2 : 0;
}

static int do_whiteout(extract_ctx *x, const char *parent, const char *name, enum wh_kind k,
		       const char *target, const char *path, cerr *err)
{
	if (k == WH_META)
		return 0;
	if (k == WH_INVALID) {
		x->warnings++;
		log_warn("%s: %s: invalid whiteout skipped", x->what, path);
		return 0;
	}
	int dfd = open_parent(x, parent, err);
	if (dfd < 0)
		return dfd;
	int r = k == WH_OPAQUE ? wh_set_opaque(dfd) : wh_make(dfd, target);
	if (r < 0)
		return cerr_sys(err, -r, "%s: %s: whiteout", x->what, path);
	(void)name;
	return 0;
}

static int link_entry(extract_ctx *x, int dfd, const char *name, const char *target, const char *path, cerr *err)
{
	char t[PATH_MAX];
	if (entry_path(x, target, t, sizeof(t)) < 0)
		return cerr_set(err, ENAMETOOLONG, "%s: %s: hardlink target too long", x->what, path);
	/* the target is resolved inside the root; its last component is not
	 * followed, so a link to a symlink links the symlink itself */
	_cleanup_close_ int tfd = open_in_root(x->rootfd, t, O_PATH | O_NOFOLLOW, 0);
	if (tfd < 0)
		return cerr_sys(err, -tfd, "%s: %s: hardlink target /%s", x->what, path, t);
	struct stat st;
	if (fstat(tfd, &st) < 0 || S_ISDIR(st.st_mode))
		return cerr_set(err, EPERM, "%s: %s: hardlink to a directory", x->what, path);
	if (linkat(tfd, "", dfd, name, AT_EMPTY_PATH) < 0) {
		/* without CAP_DAC_READ_SEARCH (a user namespace): through /proc */
		char p[32];
		if (errno != ENOENT && errno != EPERM)
			return cerr_sys(err, errno, "%s: %s: hardlink to /%s", x->what, path, t);
		if (linkat(AT_FDCWD, fd_path(tfd, p), dfd, name, AT_SYMLINK_FOLLOW) < 0)
			return cerr_sys(err, errno, "%s: %s: hardlink to /%s", x->what, path, t);
	}
	return 0;
}

/* An entry made at dfd's name that could not be given its owner goes
 * (unlinkat's flags; -1: it was there before), so that none stays owned
 * otherwise than asked; EINVAL is an id that the user namespace we act in
 * does not map. */
static int chown_failed(const extract_ctx *x, int dfd, const char *name, int made, const char *path, uid_t uid,
			gid_t gid, cerr *err)
{
	int e = errno;
	if (made >= 0)
		unlinkat(dfd, name, made);
	if (e == EINVAL)
		return cerr_set(err, EINVAL, "%s: %s: owner %u:%u is not an id of the user namespace it is unpacked in",
				x->what, path, (unsigned)uid, (unsigned)gid);
	return cerr_sys(err, e, "%s: %s: chown", x->what, path);
}

int extract_entry(extract_ctx *x, struct archive *a, struct archive_entry *e, cerr *err)
{
	const char *raw = archive_entry_pathname(e);
	if (!raw)
		return cerr_set(err, EINVAL, "%s: entry %llu: no path", x->what, (unsigned long long)x->entries);
	if (++x->entries > x->lim.max_entries)
		return cerr_set(err, E2BIG, "%s: more than %llu entries (limit)", x->what,
				(unsigned long long)x->lim.max_entries);
	size_t rawlen = strlen(raw);
	if (rawlen > x->lim.max_path)
		return cerr_set(err, ENAMETOOLONG, "%s: entry path of %zu bytes exceeds the limit of %zu", x->what,
				rawlen, x->lim.max_path);
	char path[PATH_MAX];
	if (entry_path(x, raw, path, sizeof(path)) < 0)
		return cerr_set(err, ENAMETOOLONG, "%s: %.100s: path too long", x->what, raw);
	mode_t type = archive_entry_filetype(e);
	const char *hardlink = archive_entry_hardlink(e);
	mode_t perm = archive_entry_perm(e) & 07777;
	bool layer = x->mode == EXTRACT_LAYER;
	bool modes = x->mode != EXTRACT_PLAIN; /* an entry's own mode and times */
	bool owners = layer || x->mode == EXTRACT_COPY_OWNED;

	if (!path[0] || streq(path, x->under)) {
		/* the root itself (or where a copy goes): a layer's sets its mode
		 * and owner; a copy's stays as the container has it */
		if (layer && type == AE_IFDIR && !hardlink) {
			if (fchown(x->rootfd, (uid_t)archive_entry_uid(e), (gid_t)archive_entry_gid(e)) < 0 ||
			    fchmod(x->rootfd, perm) < 0)
				return cerr_sys(err, errno, "%s: /: chown", x->what);
		}
		return 0;
	}
	char parent[PATH_MAX];
	snprintf(parent, sizeof(parent), "%s", path);
	char *slash = strrchr(parent, '/');
	const char *name;
	if (slash) {
		*slash = '\0';
		name = path + (slash - parent) + 1;
	} else {
		parent[0] = '\0';
		name = path;
	}
	if (layer) {
		const char *target = NULL;
		enum wh_kind k = wh_classify(name, &target);
		if (k != WH_NONE)
			return do_whiteout(x, parent, name, k, target, path, err);
	}
	/* decide before touching the disk what this entry will be */
	bool is_dev = !hardlink && (type == AE_IFCHR || type == AE_IFBLK);
	if (is_dev) {
		unsigned maj = (unsigned)archive_entry_rdevmajor(e), min = (unsigned)archive_entry_rdevminor(e);
		if (!layer || !device_allowed(type == AE_IFCHR, maj, min)) {
			x->warnings++;
			log_warn("%s: %s: %s device %u:%u skipped", x->what, path,
				 type == AE_IFCHR ? "character" : "block", maj, min);
			return 0;
		}
	}
	if (!hardlink && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && !is_dev &&
	    !(type == AE_IFIFO && layer)) {
		log_debug("%s: %s: entry of type 0%o skipped", x->what, path, (unsigned)type);
		return 0;
	}
	int dfd = open_parent(x, parent, err);
	if (dfd < 0)
		return dfd;
	bool is_dir = !hardlink && type == AE_IFDIR;
	int kept = clear_name(x, dfd, name, is_dir, path, err);
	if (kept < 0)
		return kept;
	uid_t uid = x->chown ? x->uid : (uid_t)archive_entry_uid(e);
	gid_t gid = x->chown ? x->gid : (gid_t)archive_entry_gid(e);

	if (hardlink)
		return link_entry(x, dfd, name, hardlink, path, err);

	switch (type) {
	case AE_IFREG: {
		_cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0)
			return cerr_sys(err, errno, "%s: %s: create", x->what, path);
		int r = write_data(x, a, fd, path, archive_entry_size(e), err);
		if (r < 0)
			return r;
		if (owners) {
			/* chown first: it clears setuid and setgid, fchmod puts them back */
			if (fchown(fd, uid, gid) < 0)
				return chown_failed(x, dfd, name, 0, path, uid, gid, err);
			if (layer)
				apply_xattrs(x, fd, e, path);
		}
		if (fchmod(fd, modes ? perm : 0644) < 0)
			return cerr_sys(err, errno, "%s: %s: chmod", x->what, path);
		struct timespec ts[2] = {
			{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
			{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
		};
		if (modes)
			futimens(fd, ts);
		return 0;
	}
	case AE_IFDIR: {
		if (kept != 1 && mkdirat(dfd, name, 0700) < 0)
			return cerr_sys(err, errno, "%s: %s: mkdir", x->what, path);
		_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return cerr_sys(err, errno, "%s: %s: open", x->what, path);
		if (owners && fchown(fd, uid, gid) < 0)
			return chown_failed(x, dfd, name, kept == 1 ? -1 : AT_REMOVEDIR, path, uid, gid, err);
		if (layer) {
			apply_xattrs(x, fd, e, path);
			if (kept == 2 && wh_set_opaque(fd) < 0)
				return cerr_sys(err, errno, "%s: %s: set opaque", x->what, path);
		}
		if (fchmod(fd, modes ? perm : 0755) < 0)
			return cerr_sys(err, errno, "%s: %s: chmod", x->what, path);
		return 0;
	}
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (!target)
			return cerr_set(err, EINVAL, "%s: %s: symlink without target", x->what, path);
		if (symlinkat(target, dfd, name) < 0)
			return cerr_sys(err, errno, "%s: %s: symlink", x->what, path);
		if (owners && fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return chown_failed(x, dfd, name, 0, path, uid, gid, err);
		if (layer) {
			struct timespec ts[2] = { { archive_entry_mtime(e), 0 }, { archive_entry_mtime(e), 0 } };
			utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW);
		}
		return 0;
	}
	default: {
		dev_t dev = is_dev ? makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e)) : 0;
		mode_t t = type == AE_IFCHR ? S_IFCHR : type == AE_IFBLK ? S_IFBLK : S_IFIFO;
		if (mknodat(dfd, name, t | 0600, dev) < 0)
			return cerr_sys(err, errno, "%s: %s: mknod", x->what, path);
		if (fchownat(dfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return chown_failed(x, dfd, name, 0, path, uid, gid, err);
		if (fchmodat(dfd, name, perm, 0) < 0)
			return cerr_sys(err, errno, "%s: %s: chmod", x->what, path);
		return 0;
	}
	}
}
