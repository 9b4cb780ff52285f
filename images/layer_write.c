/* layer_write.h: an overlay upper directory as a layer tar, walked with
 * openat and O_NOFOLLOW below dirfd, in name order so that the same tree
 * gives the same tar; the engine's own mount points left out
 * (mount_targets.h). */
#include "images/layer_write.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "images/mount_targets.h"
#include "images/whiteout.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WALK_MAX_DEPTH 256

static inline void entry_freep(struct archive_entry **e)
{
	if (*e)
		archive_entry_free(*e);
}
#define _cleanup_entry_ __attribute__((cleanup(entry_freep)))

typedef struct hard_link {
	dev_t dev;
	ino_t ino;
	char *path;
} hard_link;

typedef struct walker {
	struct archive *a;
	const layer_ids *ids;
	int out_fd;
	digest_ctx *dg;
	layer_written *w;
	hard_link *links;
	size_t n_links;
	cerr *err;
	int out_errno;
} walker;

static la_ssize_t out_write(struct archive *a, void *ud, const void *buf, size_t n)
{
	walker *k = ud;
	for (size_t done = 0; done < n;) {
		ssize_t r = write(k->out_fd, (const char *)buf + done, n - done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			k->out_errno = errno;
			if (a)
				archive_set_error(a, errno, "write");
			return -1;
		}
		done += (size_t)r;
	}
	digest_update(k->dg, buf, n);
	k->w->size += n;
	return (la_ssize_t)n;
}

static int tar_failed(walker *k, const char *path)
{
	if (k->out_errno)
		return cerr_sys(k->err, k->out_errno, "write the layer");
	return cerr_set(k->err, EIO, "%s: %s", path, archive_error_string(k->a));
}

static uint32_t map_id(uint32_t id, const struct oci_idmap *m, unsigned n)
{
	if (!n)
		return id;
	for (unsigned i = 0; i < n; i++)
		if (id >= m[i].host_id && id - m[i].host_id < m[i].size)
			return m[i].container_id + (id - m[i].host_id);
	return 65534;
}

static struct archive_entry *entry_for(walker *k, const char *path, const struct stat *st)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return NULL;
	archive_entry_set_pathname(e, path);
	archive_entry_copy_stat(e, st);
	archive_entry_set_uid(e, map_id(st->st_uid, k->ids->uid, k->ids->n_uid));
	archive_entry_set_gid(e, map_id(st->st_gid, k->ids->gid, k->ids->n_gid));
	archive_entry_set_nlink(e, 1);
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	return e;
}

static int put_header(walker *k, struct archive_entry *e, const char *path)
{
	k->w->entries++;
	if (archive_write_header(k->a, e) != ARCHIVE_OK)
		return tar_failed(k, path);
	return 0;
}

/* An empty file that says what the lower layers had is gone. */
static int put_marker(walker *k, const char *path, const struct stat *st)
{
	_cleanup_entry_ struct archive_entry *e = archive_entry_new();
	if (!e)
		return cerr_set(k->err, ENOMEM, "out of memory");
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, 0);
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	return put_header(k, e, path);
}

/* File capabilities are the one xattr an image keeps (as Docker does). */
static void add_caps(struct archive_entry *e, int fd)
{
	char v[64];
	ssize_t n = fgetxattr(fd, "security.capability", v, sizeof(v));
	if (n > 0)
		archive_entry_xattr_add_entry(e, "security.capability", v, (size_t)n);
}

/* Hard links are kept as links while the table is small: a container with
 * more gets its further ones as plain files, not a quadratic search. */
#define HARD_LINKS_MAX 4096

static const char *seen_link(walker *k, const struct stat *st, const char *path)
{
	for (size_t i = 0; i < k->n_links; i++)
		if (k->links[i].dev == st->st_dev && k->links[i].ino == st->st_ino)
			return k->links[i].path;
	if (k->n_links >= HARD_LINKS_MAX)
		return NULL;
	hard_link *more = realloc(k->links, (k->n_links + 1) * sizeof(*more));
	if (!more)
		return NULL;
	k->links = more;
	k->links[k->n_links] = (hard_link){ st->st_dev, st->st_ino, strdup(path) };
	if (k->links[k->n_links].path)
		k->n_links++;
	return NULL;
}

static int put_file(walker *k, int dfd, const char *name, const char *path, const struct stat *st)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat now;
	if (fd < 0 || fstat(fd, &now) < 0)
		return cerr_sys(k->err, errno, "%s", path);
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino)
		return cerr_set(k->err, EAGAIN, "%s changed while it was read", path);
	_cleanup_entry_ struct archive_entry *e = entry_for(k, path, &now);
	if (!e)
		return cerr_set(k->err, ENOMEM, "out of memory");
	const char *first = now.st_nlink > 1 ? seen_link(k, &now, path) : NULL;
	if (first) {
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
		return put_header(k, e, path);
	}
	add_caps(e, fd);
	int r = put_header(k, e, path);
	if (r < 0)
		return r;
	char buf[65536];
	uint64_t left = (uint64_t)now.st_size;
	while (left) {
		ssize_t n = read(fd, buf, left < sizeof(buf) ? left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cerr_sys(k->err, errno, "%s", path);
		if (n == 0) /* shrunk while read: the header's size is kept with zeros */
			memset(buf, 0, sizeof(buf)), n = (ssize_t)(left < sizeof(buf) ? left : sizeof(buf));
		if (archive_write_data(k->a, buf, (size_t)n) < 0)
			return tar_failed(k, path);
		left -= (uint64_t)n;
	}
	return 0;
}

static int put_symlink(walker *k, int dfd, const char *name, const char *path, const struct stat *st)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
	if (n < 0)
		return cerr_sys(k->err, errno, "%s", path);
	target[n] = '\0';
	_cleanup_entry_ struct archive_entry *e = entry_for(k, path, st);
	if (!e)
		return cerr_set(k->err, ENOMEM, "out of memory");
	archive_entry_set_symlink(e, target);
	return put_header(k, e, path);
}

static int put_special(walker *k, const char *path, const struct stat *st)
{
	/* a socket is not content, and a device node would fail the store's
	 * extraction unless it is one an image may hold: neither goes in */
	if (!S_ISFIFO(st->st_mode))
		return 0;
	_cleanup_entry_ struct archive_entry *e = entry_for(k, path, st);
	if (!e)
		return cerr_set(k->err, ENOMEM, "out of memory");
	return put_header(k, e, path);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* dfd's entry names, sorted; NULL-terminated. */
static char **list_dir(int dfd, cerr *err)
{
	int fd = dup(dfd);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		cerr_sys(err, errno, "read a directory");
		return NULL;
	}
	rewinddir(dir);
	size_t n = 0, cap = 16;
	char **v = calloc(cap, sizeof(*v));
	struct dirent *de;
	while (v && (de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n + 2 > cap) {
			char **more = realloc(v, (cap *= 2) * sizeof(*v));
			if (!more)
				break;
			v = more;
		}
		if (!(v[n] = strdup(de->d_name)))
			break;
		v[++n] = NULL;
	}
	closedir(dir);
	if (!v || de) {
		for (size_t i = 0; v && i < n; i++)
			free(v[i]);
		free(v);
		cerr_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	qsort(v, n, sizeof(*v), cmp_names);
	return v;
}

static int walk(walker *k, int dfd, strbuf *path, unsigned depth);

static int put_dir(walker *k, int dfd, const char *name, strbuf *path, const struct stat *st, unsigned depth)
{
	if (depth >= WALK_MAX_DEPTH)
		return cerr_set(k->err, ELOOP, "%s: more than %d directories deep", path->buf, WALK_MAX_DEPTH);
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat now;
	if (fd < 0 || fstat(fd, &now) < 0)
		return cerr_sys(k->err, errno, "%s", path->buf);
	_cleanup_entry_ struct archive_entry *e = entry_for(k, path->buf, st);
	if (!e)
		return cerr_set(k->err, ENOMEM, "out of memory");
	int r = put_header(k, e, path->buf);
	if (r < 0)
		return r;
	size_t at = path->len;
	if (wh_is_opaque(fd)) {
		sb_adds(path, "/" WH_OPAQUE_NAME);
		r = put_marker(k, path->buf, st);
		path->len = at, path->buf[at] = '\0';
		if (r < 0)
			return r;
	}
	return walk(k, fd, path, depth + 1);
}

static int put_entry(walker *k, int dfd, const char *name, strbuf *path, unsigned depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : cerr_sys(k->err, errno, "%s", path->buf);
	if (mount_target_only(dfd, name, path->buf, &st))
		return 0;
	if (wh_is_overlay(&st)) {
		size_t at = path->len - strlen(name);
		path->len = at, path->buf[at] = '\0';
		sb_addf(path, WH_PREFIX "%s", name);
		return put_marker(k, path->buf, &st);
	}
	if (S_ISDIR(st.st_mode))
		return put_dir(k, dfd, name, path, &st, depth);
	if (S_ISREG(st.st_mode))
		return put_file(k, dfd, name, path->buf, &st);
	if (S_ISLNK(st.st_mode))
		return put_symlink(k, dfd, name, path->buf, &st);
	return put_special(k, path->buf, &st);
}

static int walk(walker *k, int dfd, strbuf *path, unsigned depth)
{
	char **names = list_dir(dfd, k->err);
	if (!names)
		return -k->err->code;
	int r = 0;
	size_t at = path->len;
	for (size_t i = 0; names[i]; i++) {
		if (r == 0) {
			if (at)
				sb_adds(path, "/");
			if (sb_adds(path, names[i]) < 0)
				r = cerr_set(k->err, ENOMEM, "out of memory");
			else
				r = put_entry(k, dfd, names[i], path, depth);
			path->len = at;
			if (path->buf)
				path->buf[at] = '\0';
		}
		free(names[i]);
	}
	free(names);
	return r;
}

static void walker_free(walker *k)
{
	for (size_t i = 0; i < k->n_links; i++)
		free(k->links[i].path);
	free(k->links);
	if (k->a)
		archive_write_free(k->a);
	digest_free(k->dg);
}

static int open_tar(walker *k, cerr *err)
{
	if (!(k->dg = digest_new()))
		return cerr_set(err, ENOMEM, "libcrypto: cannot hash the layer");
	if (!(k->a = archive_write_new()))
		return cerr_set(err, ENOMEM, "out of memory");
	archive_write_set_format_pax_restricted(k->a);
	archive_write_set_bytes_in_last_block(k->a, 1);
	if (archive_write_open2(k->a, k, NULL, out_write, NULL, NULL) != ARCHIVE_OK)
		return cerr_set(err, EIO, "layer: %s", archive_error_string(k->a));
	return 0;
}

static int close_tar(walker *k, cerr *err)
{
	if (archive_write_close(k->a) != ARCHIVE_OK)
		return tar_failed(k, "the end of the layer");
	digest_final(k->dg, k->w->diffid);
	return 0;
}

int layer_write_upper(int dirfd, const layer_ids *ids, int out_fd, layer_written *w, cerr *err)
{
	static const layer_ids none = { 0 };
	*w = (layer_written){ 0 };
	walker k = { .ids = ids ? ids : &none, .out_fd = out_fd, .w = w, .err = err };
	_cleanup_strbuf_ strbuf path = STRBUF_INIT;
	int r = open_tar(&k, err);
	if (r == 0)
		r = walk(&k, dirfd, &path, 0);
	if (r == 0)
		r = close_tar(&k, err);
	walker_free(&k);
	return r;
}

/* The stream's first bytes, read to tell its compression, then the rest. */
typedef struct peeked {
	int fd;
	char head[8];
	size_t n, given;
	char buf[65536];
} peeked;

static la_ssize_t peeked_read(struct archive *a, void *data, const void **out)
{
	peeked *p = data;
	if (p->given < p->n) {
		*out = p->head + p->given;
		la_ssize_t k = (la_ssize_t)(p->n - p->given);
		p->given = p->n;
		return k;
	}
	for (;;) {
		ssize_t k = read(p->fd, p->buf, sizeof(p->buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			if (a)
				archive_set_error(a, errno, "read");
		*out = p->buf;
		return k;
	}
}

static bool compressed(const peeked *p)
{
	static const struct { const char *magic; size_t n; } kinds[] = {
		{ "\x1f\x8b", 2 }, { "\x28\xb5\x2f\xfd", 4 }, { "BZh", 3 }, { "\xfd" "7zXZ", 5 },
	};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (p->n >= kinds[i].n && !memcmp(p->head, kinds[i].magic, kinds[i].n))
			return true;
	return false;
}

int layer_write_stream(int in_fd, uint64_t max, int out_fd, layer_written *w, cerr *err)
{
	*w = (layer_written){ 0 };
	walker k = { .out_fd = out_fd, .w = w, .err = err };
	_cleanup_free_ peeked *p = calloc(1, sizeof(*p));
	struct archive *in = NULL;
	int r = !p || !(k.dg = digest_new()) ? cerr_set(err, ENOMEM, "out of memory") : 0;
	while (r == 0 && p->n < sizeof(p->head)) {
		ssize_t n = read(in_fd, p->head + p->n, sizeof(p->head) - p->n);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			r = n < 0 ? cerr_sys(err, errno, "the tar") : 0;
			break;
		}
		p->n += (size_t)n;
	}
	if (r == 0 && p->n == 0)
		r = cerr_set(err, ENODATA, "the tar is empty (not even a tar's end)");
	if (r == 0)
		p->fd = in_fd;
	/* compressed: decompressed by libarchive; else the bytes as they are */
	if (r == 0 && compressed(p)) {
		in = archive_read_new();
		struct archive_entry *e;
		if (!in || archive_read_support_filter_all(in) < ARCHIVE_WARN || archive_read_support_format_raw(in) != ARCHIVE_OK ||
		    archive_read_open(in, p, NULL, peeked_read, NULL) != ARCHIVE_OK || archive_read_next_header(in, &e) != ARCHIVE_OK)
			r = cerr_set(err, EBADMSG, "the tar: %s", in ? archive_error_string(in) : "out of memory");
	}
	char buf[65536];
	while (r == 0) {
		const void *data = buf;
		la_ssize_t n = in ? archive_read_data(in, buf, sizeof(buf)) : peeked_read(NULL, p, &data);
		if (n == 0)
			break;
		if (n < 0)
			r = cerr_set(err, EBADMSG, "the tar: %s", in ? archive_error_string(in) : strerror(errno));
		else if (w->size + (uint64_t)n > max)
			r = cerr_set(err, EFBIG, "the tar is larger than %llu bytes", (unsigned long long)max);
		else if (out_write(NULL, &k, data, (size_t)n) < 0)
			r = cerr_sys(err, k.out_errno, "write the layer");
	}
	if (r == 0)
		digest_final(k.dg, w->diffid);
	if (in)
		archive_read_free(in);
	walker_free(&k);
	return r;
}
