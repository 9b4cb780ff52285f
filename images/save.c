#include "images/save.h"
#include "images/digest.h"
#include "images/image.h"
#include "images/manifest.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/refs_name.h"
#include "images/save_plan.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/strv.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (256u << 10)

typedef struct saver {
	struct archive *a;
	img_store *s;
	cerr *err;
	char *buf; /* CHUNK bytes */
} saver;

int save_format_parse(const char *s, enum save_format *out)
{
	if (streq(s, "docker-archive") || streq(s, "docker"))
		*out = SAVE_DOCKER_ARCHIVE;
	else if (streq(s, "oci-archive") || streq(s, "oci"))
		*out = SAVE_OCI_ARCHIVE;
	else
		return -EINVAL;
	return 0;
}

static int write_error(saver *w, const char *what)
{
	int e = archive_errno(w->a);
	return cerr_set(w->err, e > 0 ? e : EIO, "%s: %s", what, archive_error_string(w->a) ?: "write error");
}

/* An entry's header: a file of size bytes, or a directory. */
static int entry(saver *w, const char *path, int64_t size, bool dir)
{
	struct archive_entry *e = archive_entry_new();
	if (!e)
		return cerr_set(w->err, ENOMEM, "out of memory");
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, dir ? AE_IFDIR : AE_IFREG);
	archive_entry_set_perm(e, dir ? 0755 : 0644);
	archive_entry_set_size(e, dir ? 0 : size);
	int r = archive_write_header(w->a, e);
	archive_entry_free(e);
	return r == ARCHIVE_OK ? 0 : write_error(w, path);
}

static int data(saver *w, const void *p, size_t n, const char *what)
{
	la_ssize_t r = archive_write_data(w->a, p, n);
	return r < 0 || (size_t)r != n ? write_error(w, what) : 0;
}

static int add_bytes(saver *w, const char *path, const char *text)
{
	size_t n = strlen(text);
	int r = entry(w, path, (int64_t)n, false);
	return r < 0 ? r : data(w, text, n, path);
}

static int open_blob(saver *w, const char *digest)
{
	int fd = openat(w->s->blobs_fd, digest_hex(digest), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? cerr_sys(w->err, errno, "blob %s", digest) : fd;
}

/* A blob as the store has it, at path, checked against its digest. */
static int add_blob(saver *w, const char *path, const char *digest)
{
	_cleanup_close_ int fd = open_blob(w, digest);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return fd < 0 ? fd : cerr_sys(w->err, errno, "blob %s", digest);
	_cleanup_digest_ digest_ctx *dc = digest_new();
	if (!dc)
		return cerr_set(w->err, ELIBACC, "libcrypto: cannot hash");
	int r = entry(w, path, st.st_size, false);
	off_t left = st.st_size;
	while (r == 0 && left > 0) {
		ssize_t n = read(fd, w->buf, left < CHUNK ? (size_t)left : CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return cerr_sys(w->err, n < 0 ? errno : EIO, "blob %s: read", digest);
		digest_update(dc, w->buf, (size_t)n);
		r = data(w, w->buf, (size_t)n, path);
		left -= n;
	}
	char got[DIGEST_STR_LEN];
	digest_final(dc, got);
	if (r == 0 && !streq(got, digest))
		return cerr_set(w->err, EBADMSG, "blob %s: the store's copy is damaged (its digest is %s)", digest, got);
	return r;
}

/* A layer blob decompressed (gzip, zstd or none): counted and hashed, or
 * written when to_archive. Its diff_id goes to diffid. */
static int each_chunk(saver *w, const char *blob, bool to_archive, const char *path, uint64_t *size,
		      char diffid[static DIGEST_STR_LEN])
{
	_cleanup_close_ int fd = open_blob(w, blob);
	if (fd < 0)
		return fd;
	_cleanup_digest_ digest_ctx *dc = digest_new();
	struct archive *a = archive_read_new();
	if (!a || !dc) {
		archive_read_free(a);
		return cerr_set(w->err, ENOMEM, "out of memory");
	}
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_raw(a);
	struct archive_entry *e;
	int r = 0;
	if (archive_read_open_fd(a, fd, CHUNK) != ARCHIVE_OK || archive_read_next_header(a, &e) != ARCHIVE_OK)
		r = cerr_set(w->err, EBADMSG, "blob %s: %s", blob, archive_error_string(a) ?: "unreadable");
	*size = 0;
	la_ssize_t n;
	while (r == 0 && (n = archive_read_data(a, w->buf, CHUNK)) != 0) {
		if (n < 0) {
			r = cerr_set(w->err, EBADMSG, "blob %s: %s", blob, archive_error_string(a) ?: "does not decompress");
			break;
		}
		digest_update(dc, w->buf, (size_t)n);
		*size += (uint64_t)n;
		if (to_archive)
			r = data(w, w->buf, (size_t)n, path);
	}
	archive_read_free(a);
	digest_final(dc, diffid);
	return r;
}

/* Layer i uncompressed, as <diff_id hex>.tar, its size learned first. */
static int add_layer_tar(saver *w, const img_handle *h, size_t i, const char *path)
{
	const char *blob = h->man.layers[i].digest, *want = h->cfg.diff_ids[i];
	char got[DIGEST_STR_LEN];
	uint64_t size = 0, again = 0;
	int r = each_chunk(w, blob, false, path, &size, got);
	if (r == 0 && !streq(got, want))
		return cerr_set(w->err, EBADMSG, "layer %s: the store's blob %s decompresses to %s", want, blob, got);
	if (r == 0 && (r = entry(w, path, (int64_t)size, false)) == 0)
		r = each_chunk(w, blob, true, path, &again, got);
	if (r == 0 && (again != size || !streq(got, want)))
		return cerr_set(w->err, EBADMSG, "layer %s: the store's blob %s changed while it was saved", want, blob);
	return r;
}

/* Whether entry i repeats an earlier layer (written once). */
static bool seen_layer(const img_handle *h, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (streq(h->cfg.diff_ids[k], h->cfg.diff_ids[i]) && streq(h->man.layers[k].digest, h->man.layers[i].digest))
			return true;
	return false;
}

static char *finish(yajl_gen g, int bad)
{
	return bad ? NULL : jg_finish(g, NULL);
}

/* One image's config and its layers not written yet (seen: the diff_ids
 * written before, by this image or another of the archive). */
static int docker_blobs(saver *w, const img_handle *h, char ***seen)
{
	char path[DIGEST_HEX_LEN + 8];
	snprintf(path, sizeof(path), "%s.json", digest_hex(h->id));
	int r = add_blob(w, path, h->id);
	for (size_t i = 0; r == 0 && i < h->man.n_layers; i++) {
		const char *diffid = h->cfg.diff_ids[i];
		bool dup = false;
		for (char **p = *seen; p && *p && !dup; p++)
			dup = streq(*p, diffid);
		if (dup)
			continue;
		snprintf(path, sizeof(path), "%s.tar", digest_hex(diffid));
		char *copy = strdup(diffid);
		if (!copy || strv_push(seen, copy) < 0) {
			free(copy);
			return cerr_set(w->err, ENOMEM, "out of memory");
		}
		r = add_layer_tar(w, h, i, path);
	}
	return r;
}

/* manifest.json's entry for h, named names (NULL: none). */
static int docker_entry_gen(yajl_gen g, const img_handle *h, char *const *names)
{
	char path[DIGEST_HEX_LEN + 8];
	snprintf(path, sizeof(path), "%s.json", digest_hex(h->id));
	int bad = yajl_gen_map_open(g) || jg_key_str(g, "Config", path) || jg_key_strv(g, "RepoTags", names) ||
		  jg_key(g, "Layers") || yajl_gen_array_open(g);
	for (size_t i = 0; !bad && i < h->man.n_layers; i++) {
		snprintf(path, sizeof(path), "%s.tar", digest_hex(h->cfg.diff_ids[i]));
		bad = jg_str(g, path);
	}
	return bad || yajl_gen_array_close(g) || yajl_gen_map_close(g);
}

static int save_docker(saver *w, const img_handle *hs, const save_entry *es, size_t n)
{
	_cleanup_strv_ char **seen = NULL;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = docker_blobs(w, &hs[i], &seen);
	if (r < 0)
		return r;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(w->err, ENOMEM, "out of memory");
	int bad = yajl_gen_array_open(g);
	for (size_t i = 0; !bad && i < n; i++)
		bad = docker_entry_gen(g, &hs[i], es[i].names);
	bad = bad || yajl_gen_array_close(g);
	_cleanup_free_ char *text = finish(g, bad);
	return text ? add_bytes(w, "manifest.json", text) : cerr_set(w->err, ENOMEM, "out of memory");
}

static int save_oci(saver *w, const img_handle *h, const char *name)
{
	char path[DIGEST_HEX_LEN + 16];
	struct stat st;
	_cleanup_close_ int mfd = open_blob(w, h->manifest);
	if (mfd < 0 || fstat(mfd, &st) < 0)
		return mfd < 0 ? mfd : cerr_sys(w->err, errno, "blob %s", h->manifest);
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(w->err, ENOMEM, "out of memory");
	int bad = yajl_gen_map_open(g) || jg_key_int(g, "schemaVersion", 2) || jg_key_str(g, "mediaType", MT_OCI_INDEX) ||
		  jg_key(g, "manifests") || yajl_gen_array_open(g) || yajl_gen_map_open(g) ||
		  jg_key_str(g, "mediaType", h->man.media_type ? h->man.media_type : MT_OCI_MANIFEST) ||
		  jg_key_str(g, "digest", h->manifest) || jg_key_int(g, "size", (long long)st.st_size);
	if (name)
		bad = bad || jg_key(g, "annotations") || yajl_gen_map_open(g) ||
		      jg_key_str(g, "org.opencontainers.image.ref.name", name) || yajl_gen_map_close(g);
	bad = bad || yajl_gen_map_close(g) || yajl_gen_array_close(g) || yajl_gen_map_close(g);
	_cleanup_free_ char *index = finish(g, bad);
	if (!index)
		return cerr_set(w->err, ENOMEM, "out of memory");
	int r = add_bytes(w, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
	if (r == 0 && (r = add_bytes(w, "index.json", index)) == 0 && (r = entry(w, "blobs", 0, true)) == 0)
		r = entry(w, "blobs/sha256", 0, true);
	const char *blobs[] = { h->manifest, h->id };
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(blobs); i++) {
		snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(blobs[i]));
		r = add_blob(w, path, blobs[i]);
	}
	for (size_t i = 0; r == 0 && i < h->man.n_layers; i++) {
		snprintf(path, sizeof(path), "blobs/sha256/%s", digest_hex(h->man.layers[i].digest));
		bool dup = seen_layer(h, i);
		for (size_t k = 0; k < ARRAY_SIZE(blobs); k++)
			dup = dup || streq(blobs[k], h->man.layers[i].digest);
		if (!dup)
			r = add_blob(w, path, h->man.layers[i].digest);
	}
	return r;
}

/* Each ref's image and the name to write: its own, else the one the ref
 * is; then the distinct images, each with its names (save_plan). */
typedef struct resolved {
	img_handle *hs; /* es[i]'s image */
	save_entry *es;
	size_t n;
} resolved;

static void resolved_free(resolved *v)
{
	for (size_t i = 0; v->hs && i < v->n; i++)
		image_handle_free(&v->hs[i]);
	free(v->hs);
	save_plan_free(v->es, v->n);
}

static int resolve(img_store *s, const save_ref *refs, size_t n, resolved *v, cerr *err)
{
	_cleanup_refs_ refs_db db = { 0 };
	int r = refs_load(s, &db, err);
	if (r < 0)
		return r;
	_cleanup_free_ const char **ids = calloc(n, sizeof(*ids)), **names = calloc(n, sizeof(*names));
	_cleanup_free_ size_t *at = calloc(n, sizeof(*at));
	_cleanup_strv_ char **owned = NULL; /* the normalized names */
	if (!ids || !names || !at)
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		int ni;
		if ((r = refs_find(&db, NULL, refs[i].ref, &ni, err)) < 0)
			return cerr_wrap(err, "%s", refs[i].ref);
		at[i] = (size_t)r;
		ids[i] = db.images[r].config;
		const char *want = refs[i].name ? refs[i].name : ni >= 0 ? db.names[ni].name : NULL;
		char *name = want ? ref_normalize(want) : NULL;
		if (want && !name)
			return cerr_set(err, EINVAL, "--name %s: not an image name", want);
		if (name && strv_push(&owned, name) < 0) {
			free(name);
			return cerr_set(err, ENOMEM, "out of memory");
		}
		names[i] = name;
	}
	if (save_plan(ids, names, n, &v->es, &v->n) < 0 || !(v->hs = calloc(v->n, sizeof(*v->hs))))
		return cerr_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < v->n; i++)
		if ((r = image_lookup(s, NULL, db.images[at[v->es[i].first]].manifest, &v->hs[i], err)) < 0)
			return r;
	return 0;
}

int image_save(const char *store_root, const save_ref *refs, size_t n, const save_opts *o, int out_fd, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	_cleanup_(resolved_free) resolved v = { 0 };
	if (n == 0)
		return cerr_set(err, EINVAL, "no image to save");
	int r = store_open(&s, store_root, false, err);
	if (r < 0 || (r = resolve(&s, refs, n, &v, err)) < 0)
		return r;
	if (o->format == SAVE_OCI_ARCHIVE && v.n > 1)
		return cerr_set(err, EINVAL, "an oci-archive holds one image; save %zu as a docker-archive", v.n);
	_cleanup_free_ char *buf = malloc(CHUNK);
	saver w = { .a = archive_write_new(), .s = &s, .err = err, .buf = buf };
	if (!w.a || !buf) {
		archive_write_free(w.a);
		return cerr_set(err, ENOMEM, "out of memory");
	}
	archive_write_set_format_pax_restricted(w.a);
	archive_write_set_bytes_in_last_block(w.a, 1);
	if (archive_write_open_fd(w.a, out_fd) != ARCHIVE_OK)
		r = write_error(&w, "archive");
	else if (o->format == SAVE_OCI_ARCHIVE)
		r = save_oci(&w, &v.hs[0], v.es[0].names ? v.es[0].names[0] : NULL);
	else
		r = save_docker(&w, v.hs, v.es, v.n);
	if (r == 0 && archive_write_close(w.a) != ARCHIVE_OK)
		r = write_error(&w, "archive");
	archive_write_free(w.a);
	return r;
}
