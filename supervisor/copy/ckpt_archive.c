/* Checkpoint archives (ckpt_archive.h). */
#include "supervisor/copy/ckpt_archive.h"
#include "images/layer_write.h"
#include "supervisor/copy/copy.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/libcrypto.h"
#include "common/strv.h"
#include "images/digest.h"
#include "images/extract.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define CKPT_DIR "checkpoint"
#define CKPT_VERSION 1

void ckpt_entries_free(ckpt_entries *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->v[i].path);
	free(e->v);
}

static void archive_freep(struct archive **a)
{
	if (*a)
		archive_free(*a);
}
#define _cleanup_archive_ __attribute__((cleanup(archive_freep)))

/* corrald's key, made by the first export (0600, root's): a key that is
 * not root's alone is refused, as anyone could sign with it. An import
 * without one fails: nothing was signed here. */
static int key_load(const char *path, bool make, unsigned char key[CKPT_KEY_LEN], cerr *err)
{
	for (int tries = 0; tries < 2; tries++) {
		_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (fd >= 0) {
			if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077))
				return cerr_set(err, EPERM, "%s: must be a regular file of root's, mode 0600", path);
			ssize_t n = read(fd, key, CKPT_KEY_LEN);
			if (n != CKPT_KEY_LEN)
				return cerr_set(err, EIO, "%s: not a key of %d bytes", path, CKPT_KEY_LEN);
			return 0;
		}
		if (errno == ENOENT && !make)
			return cerr_set(err, EPERM, "not a checkpoint of this corrald's: it has no key (%s)", path);
		if (errno != ENOENT)
			return cerr_sys(err, errno, "%s", path);
		char tmp[PATH_MAX];
		snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
		_cleanup_close_ int t = mkostemp(tmp, O_CLOEXEC);
		if (t < 0)
			return cerr_sys(err, errno, "%s", tmp);
		unsigned char fresh[CKPT_KEY_LEN];
		int r = getrandom(fresh, sizeof(fresh), 0) == (ssize_t)sizeof(fresh) && write_all(t, fresh, sizeof(fresh)) == 0 &&
				fsync(t) == 0
			? 0
			: -errno;
		if (r == 0 && link(tmp, path) < 0 && errno != EEXIST) /* EEXIST: another made it: read that */
			r = -errno;
		unlink(tmp);
		if (r < 0)
			return cerr_sys(err, -r, "%s", path);
	}
	return cerr_set(err, EIO, "%s: cannot be made", path);
}

static int hmac_of(const char *key_path, bool make_key, const char *text, size_t len, unsigned char out[32],
		   cerr *err)
{
	const struct libcrypto *c = libcrypto(err);
	unsigned char key[CKPT_KEY_LEN];
	if (!c || key_load(key_path, make_key, key, err) < 0)
		return -1;
	unsigned int n = 32;
	bool ok = c->hmac(c->sha256(), key, sizeof(key), (const unsigned char *)text, len, out, &n) && n == 32;
	explicit_bzero(key, sizeof(key));
	return ok ? 0 : cerr_set(err, EIO, "HMAC-SHA256 failed");
}

/* ---- export ---- */

static int hash_fd(int fd, uint64_t *size, char out[DIGEST_STR_LEN], const char *what, cerr *err)
{
	_cleanup_digest_ digest_ctx *d = digest_new();
	if (!d)
		return cerr_set(err, ENOMEM, "libcrypto cannot be loaded");
	static char buf[1 << 16];
	*size = 0;
	ssize_t n;
	while ((n = pread(fd, buf, sizeof(buf), (off_t)*size)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return cerr_sys(err, errno, "%s", what);
		digest_update(d, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	digest_final(d, out);
	return 0;
}

/* An image's name, as export writes it and import takes it: of
 * [A-Za-z0-9._-], not starting with '.'. */
static bool image_name_ok(const char *name)
{
	size_t n = strlen(name);
	return n && n <= NAME_MAX && name[0] != '.' &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* checkpoint/'s files by name, each a regular file (criu makes nothing else). */
static int list_images(int dirfd, char ***out, cerr *err)
{
	int fd = openat(dirfd, CKPT_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return cerr_sys(err, errno, CKPT_DIR);
	_cleanup_closedir_ DIR *d = fdopendir(fd);
	if (!d) {
		close(fd);
		return cerr_sys(err, errno, CKPT_DIR);
	}
	_cleanup_strv_ char **names = NULL;
	struct dirent *de;
	size_t n = 0;
	while ((de = readdir(d))) {
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (!image_name_ok(de->d_name))
			return cerr_set(err, EINVAL, CKPT_DIR "/%s: a name that no import would take", de->d_name);
		struct stat st;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return cerr_sys(err, errno, CKPT_DIR "/%s", de->d_name);
		if (!S_ISREG(st.st_mode))
			return cerr_set(err, EINVAL, CKPT_DIR "/%s: not a regular file", de->d_name);
		if (++n > CKPT_ARCHIVE_MAX_ENTRIES - 1)
			return cerr_set(err, E2BIG, CKPT_DIR ": more than %u files", CKPT_ARCHIVE_MAX_ENTRIES - 1);
		char *name = strdup(de->d_name);
		if (!name || strv_push(&names, name) < 0) {
			free(name);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	if (names)
		qsort(names, n, sizeof(*names), cmp_str);
	*out = TAKE_PTR(names);
	return 0;
}

/* The header of a regular file of size bytes, root's 0600. */
static int put_header(struct archive *a, const char *path, uint64_t size, cerr *err)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return cerr_set(err, ENOMEM, "out of memory");
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0600);
	archive_entry_set_size(e, (la_int64_t)size);
	int r = archive_write_header(a, e);
	archive_entry_free(e);
	return r < ARCHIVE_WARN ? cerr_set(err, EIO, "%s: %s", path, archive_error_string(a)) : 0;
}

static int put_entry(struct archive *a, const char *path, int fd, uint64_t size, cerr *err)
{
	if (put_header(a, path, size, err) < 0)
		return -1;
	static char buf[1 << 16];
	for (uint64_t at = 0; at < size;) {
		size_t want = size - at < sizeof(buf) ? (size_t)(size - at) : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) /* it changed since it was hashed */
			return n < 0 ? cerr_sys(err, errno, "%s", path) : cerr_set(err, EIO, "%s: shrank while written", path);
		if (archive_write_data(a, buf, (size_t)n) < 0)
			return cerr_set(err, EIO, "%s: %s", path, archive_error_string(a));
		at += (uint64_t)n;
	}
	return 0;
}

static int put_bytes(struct archive *a, const char *path, const void *p, size_t n, cerr *err)
{
	if (put_header(a, path, n, err) < 0)
		return -1;
	if (archive_write_data(a, p, n) < 0)
		return cerr_set(err, EIO, "%s: %s", path, archive_error_string(a));
	return 0;
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

int ckpt_export(const char *ctr_dir, const char *key_path, const char *head, int out_fd, cerr *err)
{
	_cleanup_close_ int dirfd = open(ctr_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return cerr_sys(err, errno, "%s", ctr_dir);
	_cleanup_strv_ char **names = NULL;
	if (list_images(dirfd, &names, err) < 0)
		return -1;
	size_t n = strv_length(names);
	if (n == 0)
		return cerr_set(err, ENOENT, "%s/" CKPT_DIR ": empty: nothing to export", ctr_dir);
	/* the upper directory as a layer, in a file of no name */
	_cleanup_close_ int diff = -1, upper = openat(dirfd, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (upper >= 0) {
		if ((diff = open(ctr_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) < 0)
			return cerr_sys(err, errno, "%s: a temporary file", ctr_dir);
		layer_written lw;
		if (layer_write_upper(upper, NULL, diff, &lw, err) < 0)
			return -1;
	} else if (errno != ENOENT) {
		return cerr_sys(err, errno, "%s/upper", ctr_dir);
	}
	/* every file opened and hashed, then the manifest that names them */
	_cleanup_free_ int *fds = calloc(n + 1, sizeof(int));
	_cleanup_free_ ckpt_entry *ents = calloc(n + 1, sizeof(ckpt_entry));
	if (!fds || !ents)
		return cerr_set(err, ENOMEM, "out of memory");
	size_t m = 0;
	int r = 0;
	_cleanup_json_ yajl_val head_v = NULL;
	if (json_parse(head, "the container", &head_v, err) < 0)
		return -1;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_int(g, "corralCheckpoint", CKPT_VERSION) || jg_key(g, "container") ||
	    jg_value(g, head_v) || jg_key(g, "entries") || yajl_gen_array_open(g))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i <= n && r == 0; i++) {
		char path[PATH_MAX];
		int fd;
		if (i < n) {
			snprintf(path, sizeof(path), CKPT_DIR "/%s", names[i]);
			fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0) {
				r = cerr_sys(err, errno, "%s/%s", ctr_dir, path);
				break;
			}
		} else if (diff >= 0) {
			snprintf(path, sizeof(path), CKPT_ARCHIVE_DIFF);
			fd = TAKE_FD(diff);
		} else {
			break;
		}
		fds[m] = fd;
		ents[m].path = strdup(path);
		if (!ents[m].path)
			r = cerr_set(err, ENOMEM, "out of memory");
		else if ((r = hash_fd(fd, &ents[m].size, ents[m].digest, path, err)) == 0 &&
			 (yajl_gen_map_open(g) || jg_key_str(g, "path", path) || jg_key_int(g, "size", (long long)ents[m].size) ||
			  jg_key_str(g, "digest", ents[m].digest) || yajl_gen_map_close(g)))
			r = cerr_set(err, ENOMEM, "out of memory");
		m++;
	}
	size_t len = 0;
	_cleanup_free_ char *manifest = NULL;
	unsigned char mac[32];
	char mac_hex[2 * sizeof(mac) + 2];
	if (r == 0 && (yajl_gen_array_close(g) || yajl_gen_map_close(g) || !(manifest = jg_finish(g, &len))))
		r = cerr_set(err, ENOMEM, "out of memory");
	if (r == 0 && len > CKPT_ARCHIVE_MAX_MANIFEST)
		r = cerr_set(err, E2BIG, "the manifest is over %u bytes", CKPT_ARCHIVE_MAX_MANIFEST);
	if (r == 0 && (r = hmac_of(key_path, true, manifest, len, mac, err)) == 0) {
		hex(mac, sizeof(mac), mac_hex);
		strcat(mac_hex, "\n");
	}
	_cleanup_archive_ struct archive *a = r == 0 ? archive_write_new() : NULL;
	if (r == 0 && (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
		       archive_write_open_fd(a, out_fd) != ARCHIVE_OK))
		r = cerr_set(err, EIO, "the archive: %s", a ? archive_error_string(a) : "out of memory");
	if (r == 0)
		r = put_bytes(a, CKPT_ARCHIVE_MANIFEST, manifest, len, err);
	if (r == 0)
		r = put_bytes(a, CKPT_ARCHIVE_HMAC, mac_hex, strlen(mac_hex), err);
	for (size_t i = 0; i < m && r == 0; i++)
		r = put_entry(a, ents[i].path, fds[i], ents[i].size, err);
	if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
		r = cerr_set(err, EIO, "the archive: %s", archive_error_string(a));
	for (size_t i = 0; i < m; i++) {
		close(fds[i]);
		free(ents[i].path);
	}
	return r;
}

/* ---- import ---- */

/* checkpoint/NAME, or the diff. */
static bool entry_path_ok(const char *p)
{
	if (streq(p, CKPT_ARCHIVE_DIFF))
		return true;
	return strncmp(p, CKPT_DIR "/", sizeof(CKPT_DIR)) == 0 && image_name_ok(p + sizeof(CKPT_DIR));
}

static int read_small(struct archive *a, struct archive_entry *e, const char *want, size_t max, strbuf *out,
		      cerr *err)
{
	if (!e || !streq(archive_entry_pathname(e) ?: "", want))
		return cerr_set(err, EINVAL, "not a checkpoint archive: its first entries must be " CKPT_ARCHIVE_MANIFEST
					     " and " CKPT_ARCHIVE_HMAC);
	la_int64_t size = archive_entry_size(e);
	if (archive_entry_filetype(e) != AE_IFREG || size < 0 || (uint64_t)size > max)
		return cerr_set(err, EINVAL, "%s: not a regular file of at most %zu bytes", want, max);
	if (sb_grow(out, (size_t)size + 1) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	la_ssize_t n = archive_read_data(a, out->buf, (size_t)size);
	if (n != size)
		return cerr_set(err, EIO, "%s: truncated", want);
	out->len = (size_t)size;
	out->buf[out->len] = '\0';
	return 0;
}

static int verify(const char *key_path, const strbuf *manifest, const strbuf *mac_hex, cerr *err)
{
	unsigned char want[32], got[32];
	if (mac_hex->len < 64)
		return cerr_set(err, EINVAL, CKPT_ARCHIVE_HMAC ": not an HMAC-SHA256");
	for (size_t i = 0; i < sizeof(want); i++)
		if (sscanf(mac_hex->buf + 2 * i, "%2hhx", &want[i]) != 1)
			return cerr_set(err, EINVAL, CKPT_ARCHIVE_HMAC ": not an HMAC-SHA256");
	if (hmac_of(key_path, false, manifest->buf, manifest->len, got, err) < 0)
		return -1;
	const struct libcrypto *c = libcrypto(err);
	if (!c || c->memcmp_const(want, got, sizeof(got)) != 0)
		return c ? cerr_set(err, EPERM, "its signature does not match: it was not exported by this host's corrald, "
						"or it was changed since")
			 : -1;
	return 0;
}

int ckpt_manifest_parse(const char *text, long long owner, ckpt_entries *es, char **head, cerr *err)
{
	_cleanup_json_ yajl_val m = NULL;
	if (json_parse(text, CKPT_ARCHIVE_MANIFEST, &m, err) < 0)
		return -1;
	long long version, who;
	yajl_val ctr = json_get(m, "container"), list = json_get(m, "entries");
	if (!json_int_in(json_get(m, "corralCheckpoint"), CKPT_VERSION, CKPT_VERSION, &version) ||
	    !YAJL_IS_OBJECT(ctr) || !YAJL_IS_ARRAY(list) ||
	    !json_int_in(json_get(ctr, "owner"), 0, UINT32_MAX, &who))
		return cerr_set(err, EINVAL, CKPT_ARCHIVE_MANIFEST ": not a corral checkpoint of version %d", CKPT_VERSION);
	if (owner >= 0 && who != owner)
		return cerr_set(err, EPERM, "the checkpoint is another user's: only its owner may import it");
	size_t n = list->u.array.len;
	if (n > CKPT_ARCHIVE_MAX_ENTRIES)
		return cerr_set(err, E2BIG, CKPT_ARCHIVE_MANIFEST ": more than %u entries", CKPT_ARCHIVE_MAX_ENTRIES);
	es->v = calloc(n ? n : 1, sizeof(ckpt_entry));
	if (!es->v)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		yajl_val e = list->u.array.values[i];
		const char *path = YAJL_GET_STRING(json_get(e, "path")), *dg = YAJL_GET_STRING(json_get(e, "digest"));
		uint64_t size;
		if (!path || !entry_path_ok(path) || !dg || !digest_valid(dg) || !json_uint64(json_get(e, "size"), &size))
			return cerr_set(err, EINVAL, CKPT_ARCHIVE_MANIFEST ": entries[%zu] is not a path, size and digest", i);
		for (size_t j = 0; j < es->n; j++)
			if (streq(es->v[j].path, path))
				return cerr_set(err, EINVAL, CKPT_ARCHIVE_MANIFEST ": %s twice", path);
		if (!(es->v[es->n].path = strdup(path)))
			return cerr_set(err, ENOMEM, "out of memory");
		es->v[es->n].size = size;
		snprintf(es->v[es->n].digest, DIGEST_STR_LEN, "%s", dg);
		es->n++;
	}
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || jg_value(g, ctr) || !(*head = jg_finish(g, NULL)))
		return cerr_set(err, ENOMEM, "out of memory");
	return 0;
}

/* One entry's data into stage/path (made here, never followed), hashed. */
static int stage_entry(struct archive *a, int stagefd, ckpt_entry *e, cerr *err)
{
	_cleanup_close_ int fd = openat(stagefd, e->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return cerr_sys(err, errno, "%s", e->path);
	_cleanup_digest_ digest_ctx *d = digest_new();
	if (!d)
		return cerr_set(err, ENOMEM, "libcrypto cannot be loaded");
	static char buf[1 << 16];
	uint64_t total = 0;
	la_ssize_t n;
	while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
		total += (uint64_t)n;
		if (total > e->size)
			return cerr_set(err, EINVAL, "%s: longer than its manifest says", e->path);
		digest_update(d, buf, (size_t)n);
		if (write_all(fd, buf, (size_t)n) < 0)
			return cerr_sys(err, errno, "%s", e->path);
	}
	if (n < 0)
		return cerr_set(err, EIO, "%s: truncated or damaged: %s", e->path, archive_error_string(a));
	char got[DIGEST_STR_LEN];
	digest_final(d, got);
	if (total != e->size || !streq(got, e->digest))
		return cerr_set(err, EINVAL, "%s: its content is not what its manifest says", e->path);
	e->seen = true;
	return 0;
}

/* The verified diff, applied as a layer into stage/upper. */
static int apply_diff(int stagefd, cerr *err)
{
	if (mkdirat(stagefd, "upper", 0755) < 0)
		return cerr_sys(err, errno, "upper");
	_cleanup_close_ int upper = openat(stagefd, "upper", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int fd = openat(stagefd, CKPT_ARCHIVE_DIFF, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (upper < 0 || fd < 0)
		return cerr_sys(err, errno, CKPT_ARCHIVE_DIFF);
	_cleanup_archive_ struct archive *a = archive_read_new();
	if (!a || archive_read_support_format_tar(a) != ARCHIVE_OK || archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK)
		return cerr_set(err, EIO, CKPT_ARCHIVE_DIFF ": %s", a ? archive_error_string(a) : "out of memory");
	extract_limits lim;
	extract_limits_default(&lim);
	extract_ctx x;
	extract_init(&x, upper, EXTRACT_LAYER, "the checkpoint's " CKPT_ARCHIVE_DIFF, &lim);
	struct archive_entry *e;
	int r = 0, h;
	while (r == 0 && (h = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (h < ARCHIVE_WARN)
			r = cerr_set(err, EIO, CKPT_ARCHIVE_DIFF ": %s", archive_error_string(a));
		else
			r = extract_entry(&x, a, e, err);
	}
	extract_done(&x);
	if (r == 0 && unlinkat(stagefd, CKPT_ARCHIVE_DIFF, 0) < 0)
		r = cerr_sys(err, errno, CKPT_ARCHIVE_DIFF);
	return r;
}

static int import_into(int in_fd, int stagefd, const char *key_path, long long owner, char **head, cerr *err)
{
	_cleanup_archive_ struct archive *a = archive_read_new();
	if (!a || archive_read_support_format_tar(a) != ARCHIVE_OK || archive_read_open_fd(a, in_fd, 1 << 16) != ARCHIVE_OK)
		return cerr_set(err, EINVAL, "not a tar archive: %s", a ? archive_error_string(a) : "out of memory");
	_cleanup_(sb_release) strbuf manifest = { 0 }, mac = { 0 };
	struct archive_entry *e = NULL;
	int h = archive_read_next_header(a, &e);
	if (read_small(a, h < ARCHIVE_WARN ? NULL : e, CKPT_ARCHIVE_MANIFEST, CKPT_ARCHIVE_MAX_MANIFEST, &manifest, err) < 0)
		return -1;
	h = archive_read_next_header(a, &e);
	if (read_small(a, h < ARCHIVE_WARN ? NULL : e, CKPT_ARCHIVE_HMAC, 128, &mac, err) < 0 ||
	    verify(key_path, &manifest, &mac, err) < 0)
		return -1;
	/* signed by this corrald: now its entries, and only those */
	_cleanup_(ckpt_entries_free) ckpt_entries es = { 0 };
	if (ckpt_manifest_parse(manifest.buf, owner, &es, head, err) < 0)
		return -1;
	if (mkdirat(stagefd, CKPT_DIR, 0700) < 0)
		return cerr_sys(err, errno, CKPT_DIR);
	while ((h = archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		if (h < ARCHIVE_WARN)
			return cerr_set(err, EIO, "truncated or damaged: %s", archive_error_string(a));
		const char *path = archive_entry_pathname(e) ?: "";
		ckpt_entry *it = NULL;
		for (size_t i = 0; i < es.n && !it; i++)
			if (streq(es.v[i].path, path))
				it = &es.v[i];
		if (!it || it->seen)
			return cerr_set(err, EINVAL, "%.200s: %s", path, it ? "twice" : "not in the checkpoint's manifest");
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_size(e) != (la_int64_t)it->size)
			return cerr_set(err, EINVAL, "%s: not the regular file of %llu bytes its manifest says", path,
					(unsigned long long)it->size);
		if (stage_entry(a, stagefd, it, err) < 0)
			return -1;
	}
	bool diff = false;
	for (size_t i = 0; i < es.n; i++) {
		if (!es.v[i].seen)
			return cerr_set(err, EINVAL, "truncated: %s is missing", es.v[i].path);
		diff |= streq(es.v[i].path, CKPT_ARCHIVE_DIFF);
	}
	return diff ? apply_diff(stagefd, err) : 0;
}

int ckpt_import(int in_fd, const char *stage, const char *key_path, long long owner, char **head, cerr *err)
{
	*head = NULL;
	if (mkdir(stage, 0700) < 0)
		return cerr_sys(err, errno, "%s", stage);
	_cleanup_close_ int stagefd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r = stagefd < 0 ? cerr_sys(err, errno, "%s", stage) : import_into(in_fd, stagefd, key_path, owner, head, err);
	if (r < 0) {
		rm_rf(stage);
		free(*head);
		*head = NULL;
	}
	return r;
}
