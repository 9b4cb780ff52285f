#include "supervisor/daemon/secrets/secret_store.h"
#include "supervisor/daemon/secrets/crypto.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "supervisor/api/owned_name.h"

#include <ctype.h>
#include <inttypes.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAGIC "CORRALS1"
#define HDR_LEN (8 + 8 + 4) /* magic, created, owner */
#define PRE_LEN (HDR_LEN + SECRET_NONCE_LEN + SECRET_TAG_LEN)

void secret_id(const secret_info *info, char *buf, size_t n)
{
	snprintf(buf, n, "%016" PRIx64 "-%" PRIu32, (uint64_t)info->created_ns, info->owner);
}

bool secret_ref_parse(const char *ref, uid_t viewer, secret_ref *out)
{
	uid_t owner;
	if (!owned_name_parse(ref, viewer, &owner, out->name, sizeof(out->name)))
		return false;
	out->owner = (uint32_t)owner;
	return secret_name_valid(out->name);
}

static void path_of(char *buf, size_t size, const char *dir, const secret_ref *ref)
{
	if (ref->owner)
		snprintf(buf, size, "%s/%s%c%" PRIu32 SECRET_SUFFIX, dir, ref->name, OWNED_NAME_MARK, ref->owner);
	else
		snprintf(buf, size, "%s/%s" SECRET_SUFFIX, dir, ref->name);
}

/* The host key, made on first use (only Create makes it). */
static int load_key(const char *dir, bool create, secbuf *key, cerr *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" SECRET_KEY_FILE, dir);
	int r = secbuf_alloc(key, SECRET_KEY_LEN);
	if (r < 0)
		return cerr_sys(err, -r, "secrets: key buffer");
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if ((r = mkdir_p(dir, 0700)) < 0)
			return cerr_sys(err, -r, "%s", dir);
		if ((r = secret_random(key->p, SECRET_KEY_LEN, err)) < 0 ||
		    (r = write_file_atomic(path, key->p, SECRET_KEY_LEN, 0600, err)) < 0)
			return r;
		key->len = SECRET_KEY_LEN;
		return 0;
	}
	if (fd < 0)
		return cerr_sys(err, errno, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != SECRET_KEY_LEN || (st.st_mode & 077))
		return cerr_set(err, EINVAL, "%s: must be a %d-byte file of mode 0600", path, SECRET_KEY_LEN);
	if (read(fd, key->p, SECRET_KEY_LEN) != SECRET_KEY_LEN)
		return cerr_sys(err, errno ? errno : EIO, "%s", path);
	key->len = SECRET_KEY_LEN;
	return 0;
}

/* The additional data: the name and the header. */
static size_t aad_of(unsigned char *aad, const char *name, const unsigned char *hdr)
{
	size_t n = strlen(name);
	memcpy(aad, "corral-secret:", 14);
	memcpy(aad + 14, name, n + 1);
	memcpy(aad + 15 + n, hdr, HDR_LEN);
	return 15 + n + HDR_LEN;
}

int secret_store_put(const char *dir, const secret_ref *ref, const unsigned char *value, size_t n, cerr *err)
{
	const char *name = ref->name;
	uint32_t owner = ref->owner;
	if (!secret_name_valid(name))
		return cerr_set(err, EINVAL, "secret name %s: must be 1-%d letters, digits, '_', '.' or '-'", name,
				SECRET_NAME_MAX);
	if (n > SECRET_MAX_SIZE)
		return cerr_set(err, EFBIG, "secret %s: %zu bytes, over the limit of 1 MiB", name, n);
	char path[PATH_MAX];
	path_of(path, sizeof(path), dir, ref);
	if (access(path, F_OK) == 0)
		return cerr_set(err, EEXIST, "secret %s exists", name);
	_cleanup_free_ secret_info *all = NULL;
	size_t count;
	int r = secret_store_list(dir, &all, &count, err);
	if (r < 0)
		return r;
	if (count >= SECRET_MAX_COUNT) /* the listing's bound: more would not be listed */
		return cerr_set(err, ENOSPC, "secret %s: the store holds %d secrets, its limit", name, SECRET_MAX_COUNT);
	_cleanup_(secbuf_release) secbuf key = { 0 };
	if ((r = load_key(dir, true, &key, err)) < 0)
		return r;
	_cleanup_free_ unsigned char *blob = malloc(PRE_LEN + n);
	if (!blob)
		return cerr_set(err, ENOMEM, "out of memory");
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t created = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	memcpy(blob, MAGIC, 8);
	for (int i = 0; i < 8; i++)
		blob[8 + i] = (unsigned char)(created >> (8 * i));
	for (int i = 0; i < 4; i++)
		blob[16 + i] = (unsigned char)(owner >> (8 * i));
	unsigned char aad[14 + SECRET_NAME_MAX + 1 + HDR_LEN];
	size_t aad_len = aad_of(aad, name, blob);
	unsigned char *nonce = blob + HDR_LEN, *tag = nonce + SECRET_NONCE_LEN;
	if ((r = secret_random(nonce, SECRET_NONCE_LEN, err)) < 0 ||
	    (r = secret_gcm_seal(key.p, nonce, aad, aad_len, value, n, blob + PRE_LEN, tag, err)) < 0)
		return r;
	return write_file_atomic(path, blob, PRE_LEN + n, 0600, err);
}

/* The sealed file, checked for its shape. */
static int read_blob(const char *dir, const secret_ref *ref, unsigned char **blob, size_t *len, cerr *err)
{
	const char *name = ref->name;
	if (!secret_name_valid(name))
		return cerr_set(err, ENOENT, "no such secret: %s", name);
	char path[PATH_MAX];
	path_of(path, sizeof(path), dir, ref);
	int r = read_file(path, PRE_LEN + SECRET_MAX_SIZE, (char **)blob, len, err);
	if (r == -ENOENT) /* a fresh error: the path is not the caller's to hear */
		return cerr_set(err, ENOENT, "no such secret: %s", name);
	if (r < 0)
		return r;
	if (*len < PRE_LEN || memcmp(*blob, MAGIC, 8)) {
		free(*blob);
		*blob = NULL;
		return cerr_set(err, EBADMSG, "%s: not a corral secret", path);
	}
	return 0;
}

/* What a header says, once its magic is checked. */
static void info_of(const unsigned char *hdr, const char *name, size_t size, secret_info *out)
{
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->size = size;
	uint64_t c = 0;
	for (int i = 0; i < 8; i++)
		c |= (uint64_t)hdr[8 + i] << (8 * i);
	out->created_ns = (int64_t)c;
	out->owner = 0;
	for (int i = 0; i < 4; i++)
		out->owner |= (uint32_t)hdr[16 + i] << (8 * i);
}

/* Whether the header says ref's owner: a file renamed to another owner's
 * name is none of its secrets */
static int check_owner(const unsigned char *hdr, const secret_ref *ref, cerr *err)
{
	secret_info info;
	info_of(hdr, ref->name, 0, &info);
	return info.owner == ref->owner ? 0 : cerr_set(err, EBADMSG, "secret %s: not its owner's", ref->name);
}

int secret_store_get(const char *dir, const secret_ref *ref, secbuf *out, secret_info *info, cerr *err)
{
	const char *name = ref->name;
	_cleanup_free_ unsigned char *blob = NULL;
	size_t len;
	int r = read_blob(dir, ref, &blob, &len, err);
	if (r < 0 || (r = check_owner(blob, ref, err)) < 0)
		return r;
	_cleanup_(secbuf_release) secbuf key = { 0 };
	if ((r = load_key(dir, false, &key, err)) < 0)
		return r;
	size_t n = len - PRE_LEN;
	if ((r = secbuf_alloc(out, n + 1)) < 0)
		return cerr_sys(err, -r, "secrets: value buffer");
	unsigned char aad[14 + SECRET_NAME_MAX + 1 + HDR_LEN];
	size_t aad_len = aad_of(aad, name, blob);
	const unsigned char *nonce = blob + HDR_LEN, *tag = nonce + SECRET_NONCE_LEN;
	if ((r = secret_gcm_open(key.p, nonce, aad, aad_len, blob + PRE_LEN, n, tag, out->p, err)) < 0) {
		secbuf_release(out);
		return cerr_wrap(err, "secret %s", name);
	}
	out->len = n;
	if (info)
		info_of(blob, name, n, info);
	return 0;
}

int secret_store_info(const char *dir, const secret_ref *ref, secret_info *out, cerr *err)
{
	const char *name = ref->name;
	if (!secret_name_valid(name))
		return cerr_set(err, ENOENT, "no such secret: %s", name);
	char path[PATH_MAX];
	path_of(path, sizeof(path), dir, ref);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? cerr_set(err, ENOENT, "no such secret: %s", name) : cerr_sys(err, errno, "%s", path);
	unsigned char hdr[HDR_LEN];
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < PRE_LEN || read(fd, hdr, HDR_LEN) != HDR_LEN || memcmp(hdr, MAGIC, 8))
		return cerr_set(err, EBADMSG, "%s: not a corral secret", path);
	info_of(hdr, name, (size_t)st.st_size - PRE_LEN, out);
	return check_owner(hdr, ref, err);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const secret_info *)a)->name, ((const secret_info *)b)->name);
}

/* A store file's name, NAME.secret or NAME@UID.secret, as its ref */
static bool ref_of_file(const char *file, secret_ref *out)
{
	size_t len = strlen(file), sl = strlen(SECRET_SUFFIX);
	char stem[SECRET_NAME_MAX + 16];
	if (len <= sl || !streq(file + len - sl, SECRET_SUFFIX) || len - sl >= sizeof(stem))
		return false;
	snprintf(stem, sizeof(stem), "%.*s", (int)(len - sl), file);
	return secret_ref_parse(stem, 0, out);
}

int secret_store_list(const char *dir, secret_info **out, size_t *n, cerr *err)
{
	*out = NULL;
	*n = 0;
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", dir);
	_cleanup_free_ secret_info *v = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) && *n < SECRET_MAX_COUNT) {
		secret_ref ref;
		if (!ref_of_file(e->d_name, &ref))
			continue;
		if (*n == cap) {
			secret_info *g = realloc(v, (cap = cap ? 2 * cap : 16) * sizeof(*v));
			if (!g)
				return cerr_set(err, ENOMEM, "out of memory");
			v = g;
		}
		_cleanup_cerr_ cerr e2 = { 0 };
		if (secret_store_info(dir, &ref, &v[*n], &e2) == 0)
			(*n)++;
		/* a stray file is not a secret */
	}
	if (*n)
		qsort(v, *n, sizeof(*v), by_name);
	*out = TAKE_PTR(v);
	return 0;
}

int secret_store_remove(const char *dir, const secret_ref *ref, cerr *err)
{
	if (!secret_name_valid(ref->name))
		return cerr_set(err, ENOENT, "no such secret: %s", ref->name);
	char path[PATH_MAX];
	path_of(path, sizeof(path), dir, ref);
	if (unlink(path) < 0)
		return errno == ENOENT ? cerr_set(err, ENOENT, "no such secret: %s", ref->name)
				       : cerr_sys(err, errno, "%s", path);
	int r = fsync_dir(dir);
	return r < 0 ? cerr_sys(err, -r, "%s", dir) : 0;
}

int secret_store_migrate(const char *dir, cerr *err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : cerr_sys(err, errno, "%s", dir);
	struct dirent *e;
	size_t moved = 0;
	while ((e = readdir(d))) {
		secret_ref ref;
		if (!ref_of_file(e->d_name, &ref) || ref.owner) /* a member's has its own name already */
			continue;
		char from[PATH_MAX], to[PATH_MAX];
		path_of(from, sizeof(from), dir, &ref);
		_cleanup_close_ int fd = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		unsigned char hdr[HDR_LEN];
		secret_info info;
		if (fd < 0 || read(fd, hdr, HDR_LEN) != HDR_LEN || memcmp(hdr, MAGIC, 8))
			continue; /* a stray file is not a secret */
		info_of(hdr, ref.name, 0, &info);
		if (!info.owner)
			continue; /* root's */
		ref.owner = info.owner;
		path_of(to, sizeof(to), dir, &ref);
		if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0)
			return cerr_sys(err, errno, "%s: to %s", from, to);
		moved++;
	}
	int r = moved ? fsync_dir(dir) : 0;
	return r < 0 ? cerr_sys(err, -r, "%s", dir) : 0;
}
