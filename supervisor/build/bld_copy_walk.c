/* A COPY's sources in the context (bld_copy.h): each named path resolved
 * inside the context (RESOLVE_IN_ROOT: a symlink among its names leads
 * nowhere outside), below it every name opened without following it, and
 * what .dockerignore excludes left out as if it were not there. The same
 * walk hashes the sources and writes them. */
#include "supervisor/build/bld_copy.h"
#include "supervisor/build/bld_copy_put.h"
#include "supervisor/build/bld_copy_walk.h"
#include "images/extract.h"
#include "common/cleanup.h"
#include "common/safepath.h"
#include "common/strv.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WALK_MAX_DEPTH 256

typedef struct walk {
	bld *b;
	const copy_op *j;
	struct archive *out; /* NULL: hash */
	digest_ctx *dg;
	uint64_t found;
	size_t matched; /* sources a wildcard matched */
	cerr *err;
} walk;

/* One entry: into the hash (its name, kind, mode, size and bytes), or the
 * tar, root's (the context's files are, in an image, unless --chown says). */
static int put(walk *w, const char *name, const struct stat *st, const char *link, int fd)
{
	w->found++;
	struct stat roots = *st;
	roots.st_uid = roots.st_gid = 0;
	if (w->out)
		return copy_put(w->j, w->out, name, &roots, link, fd, NULL, w->err);
	char head[PATH_MAX + 64];
	int n = snprintf(head, sizeof(head), "%s\n%o %lld\n%s\n", name, (unsigned)st->st_mode, (long long)st->st_size,
			 link ? link : "");
	digest_update(w->dg, head, (size_t)n);
	char buf[65536];
	for (ssize_t k; fd >= 0 && (k = read(fd, buf, sizeof(buf))) != 0;) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return cerr_sys(w->err, errno, "%s", name);
		digest_update(w->dg, buf, (size_t)k);
	}
	return 0;
}

static char *join(const char *a, const char *b)
{
	char *s = NULL;
	return asprintf(&s, "%s%s%s", a, *a && *b ? "/" : "", b) < 0 ? NULL : s;
}

static int put_tree(walk *w, int dfd, const char *rel, const char *dest, unsigned depth);

/* Whether a context path of this mode is in the context as Docker's client
 * sends it: not excluded, or an excluded directory searched for the files
 * an exception keeps ("!d/keep"). *excluded: which of the two. */
static bool in_context(const walk *w, const char *path, mode_t mode, bool *excluded)
{
	*excluded = df_ignore_excluded(&w->b->ignore, path);
	return !*excluded || (S_ISDIR(mode) && df_ignore_searched(&w->b->ignore, path));
}

/* The same for a path named rather than walked to (a COPY source): each
 * directory above it is searched too, or Docker's client sent none of it. */
static bool named_in_context(const walk *w, const char *path, mode_t mode)
{
	char dir[PATH_MAX];
	bool excluded;
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		if (!in_context(w, dir, S_IFDIR, &excluded))
			return false;
	}
	return in_context(w, path, mode, &excluded);
}

/* name in dfd (not followed), context path rel, destination dest. */
static int put_at(walk *w, int dfd, const char *name, const char *rel, const char *dest, unsigned depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cerr_sys(w->err, errno, "%s", rel);
	bool excluded;
	if (!in_context(w, rel, st.st_mode, &excluded))
		return 0;
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return cerr_sys(w->err, errno, "%s", rel);
		target[n] = '\0';
		return put(w, dest, &st, target, -1);
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
		return 0; /* the context holds no devices: the unpacking made none */
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0 || fstat(fd, &st) < 0)
		return cerr_sys(w->err, errno, "%s", rel);
	if (!S_ISDIR(st.st_mode))
		return put(w, dest, &st, NULL, fd);
	/* excluded, but searched: its files come, the directory does not */
	int r = *dest && !excluded ? put(w, dest, &st, NULL, -1) : 0;
	return r < 0 ? r : put_tree(w, fd, rel, dest, depth + 1);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted: the same tree hashes the same. */
static char **names_in(int dfd)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	rewinddir(d); /* a dup shares the offset of a directory read before */
	char **v = calloc(1, sizeof(*v));
	for (struct dirent *e; v && (e = readdir(d));)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strv_push(&v, strdup(e->d_name)) < 0)
			strv_free(v), v = NULL;
	closedir(d);
	if (v)
		qsort(v, strv_length(v), sizeof(*v), cmp_names);
	return v;
}

/* What each_name does with one name in a directory: path is its context
 * path, arg each_name's. */
typedef int (*name_fn)(walk *w, int dfd, const char *name, const char *path, const char *arg, unsigned depth);

/* Each name in directory rel (dfd, depth directories deep), sorted,
 * through fn: 0, or the first error. */
static int each_name(walk *w, int dfd, const char *rel, const char *arg, unsigned depth, name_fn fn)
{
	if (depth > WALK_MAX_DEPTH)
		return cerr_set(w->err, ELOOP, "%s: more than %d directories deep", rel, WALK_MAX_DEPTH);
	_cleanup_strv_ char **names = names_in(dfd);
	if (!names)
		return cerr_sys(w->err, errno ? errno : ENOMEM, "%s", rel);
	for (size_t i = 0; names[i]; i++) {
		_cleanup_free_ char *path = join(rel, names[i]);
		if (!path)
			return cerr_set(w->err, ENOMEM, "out of memory");
		int k = fn(w, dfd, names[i], path, arg, depth);
		if (k < 0)
			return k;
	}
	return 0;
}

/* A name of a directory put under dest. */
static int put_named(walk *w, int dfd, const char *name, const char *path, const char *dest, unsigned depth)
{
	_cleanup_free_ char *d = join(dest, name);
	if (!d)
		return cerr_set(w->err, ENOMEM, "out of memory");
	return put_at(w, dfd, name, path, d, depth);
}

static int put_tree(walk *w, int dfd, const char *rel, const char *dest, unsigned depth)
{
	return each_name(w, dfd, rel, dest, depth, put_named);
}

/* Where a source goes: a directory's content into dest; a file to dest, or
 * dest/NAME when dest is a directory. */
static char *dest_of(const copy_op *j, const char *src, bool is_dir)
{
	if (is_dir || !j->dest_dir)
		return strdup(j->dest);
	const char *slash = strrchr(src, '/');
	return join(j->dest, slash ? slash + 1 : src);
}

/* Whether fd holds an archive ADD unpacks (tar, compressed or not). */
static bool is_archive(int fd)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool yes = a && archive_read_support_filter_all(a) >= ARCHIVE_WARN && archive_read_support_format_tar(a) == ARCHIVE_OK &&
		   archive_read_open_fd(a, fd, 65536) == ARCHIVE_OK && archive_read_next_header(a, &e) == ARCHIVE_OK;
	if (a)
		archive_read_free(a);
	lseek(fd, 0, SEEK_SET);
	return yes;
}

/* ADD's local archive: each entry under dest, as CopyTo would unpack it,
 * with the archive's owners (unless --chown says) and hard links; the hash
 * takes all that an entry is, so that a changed link or owner misses. */
static int put_archive(walk *w, int fd, const char *src)
{
	struct archive *in = archive_read_new();
	int r = 0;
	if (!in || archive_read_support_filter_all(in) < ARCHIVE_WARN || archive_read_support_format_tar(in) != ARCHIVE_OK ||
	    archive_read_open_fd(in, fd, 65536) != ARCHIVE_OK)
		r = cerr_set(w->err, EINVAL, "%s: %s", src, in ? archive_error_string(in) : "out of memory");
	struct archive_entry *e;
	for (int k; r == 0 && (k = archive_read_next_header(in, &e)) != ARCHIVE_EOF;) {
		char clean[PATH_MAX];
		if (k < ARCHIVE_WARN || path_clean(archive_entry_pathname(e) ?: "", clean, sizeof(clean)) < 0) {
			r = cerr_set(w->err, EINVAL, "%s: %s", src, archive_error_string(in) ?: "a path too long");
			break;
		}
		if (!*clean)
			continue;
		_cleanup_free_ char *d = join(w->j->dest, clean), *to = NULL;
		const char *hard = archive_entry_hardlink(e);
		char target[PATH_MAX];
		if (hard && (path_clean(hard, target, sizeof(target)) < 0 || !*target || !(to = join(w->j->dest, target)))) {
			r = cerr_set(w->err, EINVAL, "%s: %s: a hard link to nothing it holds", src, clean);
			break;
		}
		w->found++;
		if (!d)
			r = cerr_set(w->err, ENOMEM, "out of memory");
		else if (w->out && to)
			r = copy_put_hardlink(w->out, d, to, w->err);
		else if (w->out)
			r = copy_put(w->j, w->out, d, archive_entry_stat(e), archive_entry_symlink(e), -1, in, w->err);
		else {
			char head[3 * PATH_MAX + 64];
			const char *sym = archive_entry_symlink(e);
			int n = snprintf(head, sizeof(head), "%s\n%o %lld %lld:%lld\n%s\n%s\n", d,
					 (unsigned)archive_entry_mode(e), (long long)archive_entry_size(e),
					 (long long)archive_entry_uid(e), (long long)archive_entry_gid(e), sym ? sym : "",
					 to ? to : "");
			digest_update(w->dg, head, (size_t)(n < (int)sizeof(head) ? n : (int)sizeof(head) - 1));
			char buf[65536];
			for (la_ssize_t m; (m = archive_read_data(in, buf, sizeof(buf))) > 0;)
				digest_update(w->dg, buf, (size_t)m);
		}
	}
	if (in)
		archive_read_free(in);
	return r;
}

/* One source path (no wildcard). */
static int put_source(walk *w, const char *src)
{
	bool is_root = !*src;
	_cleanup_close_ int fd = open_in_root(w->b->ctx_fd, is_root ? "." : src, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) < 0)
		return cerr_sys(w->err, errno, "%s", src);
	if (fd < 0 || (!is_root && !named_in_context(w, src, st.st_mode)))
		return cerr_set(w->err, ENOENT, "file not found in build context or excluded by .dockerignore: %s",
				*src ? src : ".");
	_cleanup_free_ char *dest = dest_of(w->j, src, S_ISDIR(st.st_mode));
	if (!dest)
		return cerr_set(w->err, ENOMEM, "out of memory");
	if (S_ISDIR(st.st_mode)) {
		int r = *dest ? put(w, dest, &st, NULL, -1) : 0;
		return r < 0 ? r : put_tree(w, fd, src, dest, 0);
	}
	if (!S_ISREG(st.st_mode))
		return cerr_set(w->err, EINVAL, "%s: not a file or a directory", src);
	if (w->j->add && is_archive(fd))
		return put_archive(w, fd, src);
	return put(w, dest, &st, NULL, fd);
}

/* A wildcard source: every context path it matches, outside the ignored,
 * is a source; a directory that does not match is searched. */
static int put_match(walk *w, int dfd, const char *name, const char *path, const char *pattern, unsigned depth)
{
	struct stat st;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return cerr_sys(w->err, errno, "%s", path);
	if (df_glob_match(pattern, path) && named_in_context(w, path, st.st_mode)) {
		if (++w->matched > 1 && !w->j->dest_dir)
			return cerr_set(w->err, EINVAL, "%s", copy_many_to_a_file(w->j));
		return put_source(w, path);
	}
	_cleanup_close_ int sub = -1;
	if (S_ISDIR(st.st_mode) && (sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
		return each_name(w, sub, path, pattern, depth + 1, put_match);
	return 0;
}

int copy_walk_context(bld *b, const copy_op *j, struct archive *out, char content[DIGEST_STR_LEN], cerr *err)
{
	walk w = { .b = b, .j = j, .out = out, .err = err };
	if (!out && !(w.dg = digest_new()))
		return cerr_set(err, ENOMEM, "libcrypto: cannot hash the sources");
	int r = 0;
	/* ADD's fetched files: root's, 0600, as Docker makes them */
	for (size_t i = 0; r == 0 && i < j->n_urls; i++) {
		struct stat st;
		_cleanup_free_ char *dest = dest_of(j, j->url_names[i], false);
		if (!dest || lseek(j->url_fds[i], 0, SEEK_SET) < 0 || fstat(j->url_fds[i], &st) < 0)
			r = cerr_sys(err, dest ? errno : ENOMEM, "ADD %s", j->url_names[i]);
		st.st_mode = S_IFREG | 0600, st.st_uid = 0, st.st_gid = 0;
		if (r == 0)
			r = put(&w, dest, &st, NULL, j->url_fds[i]);
	}
	for (size_t i = 0; r == 0 && j->sources && j->sources[i]; i++) {
		uint64_t before = w.found;
		if (!df_glob_has_magic(j->sources[i]))
			r = put_source(&w, j->sources[i]);
		else if ((r = each_name(&w, b->ctx_fd, "", j->sources[i], 0, put_match)) == 0 && w.found == before)
			r = cerr_set(err, ENOENT, "no source files were specified: nothing in the context matches %s",
				     j->sources[i]);
	}
	if (w.dg) {
		if (r == 0)
			digest_final(w.dg, content);
		digest_free(w.dg);
	}
	return r;
}
