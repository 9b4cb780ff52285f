#include "images/gc.h"
#include "bundle/spec.h"
#include "images/image.h"
#include "images/refs.h"
#include "images/refs_find.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int image_remove(const char *store_root, const char *ref, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, store_root, false, err);
	if (r < 0)
		return r;
	_cleanup_close_ int lk = store_lock_refs(&s, err);
	if (lk < 0)
		return lk;
	_cleanup_refs_ refs_db db = { 0 };
	if ((r = refs_load(&s, &db, err)) < 0 || (r = refs_remove(&db, ref, err)) < 0)
		return r;
	return refs_save(&s, &db, err);
}

static int hold_name(const char *abs_path, char out[static DIGEST_STR_LEN + 8], cerr *err)
{
	char d[DIGEST_STR_LEN];
	int r = digest_buf(abs_path, strlen(abs_path), d, err);
	if (r < 0)
		return r;
	snprintf(out, DIGEST_STR_LEN + 8, "%s.json", digest_hex(d));
	return 0;
}

int hold_add(img_store *s, const char *abs_path, const char *manifest, cerr *err)
{
	char name[DIGEST_STR_LEN + 8];
	int r = hold_name(abs_path, name, err);
	if (r < 0)
		return r;
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g || yajl_gen_map_open(g) || jg_key_str(g, "bundle", abs_path) || jg_key_str(g, "manifest", manifest) ||
	    yajl_gen_map_close(g))
		return cerr_set(err, ENOMEM, "out of memory");
	size_t len;
	_cleanup_free_ char *text = jg_finish(g, &len);
	_cleanup_free_ char *path = NULL;
	if (!text || asprintf(&path, "%s/holds/%s", s->dir, name) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return write_file_atomic(path, text, len, 0600, err);
}

void hold_drop(img_store *s, const char *abs_path)
{
	char name[DIGEST_STR_LEN + 8];
	_cleanup_cerr_ cerr err = { 0 };
	if (hold_name(abs_path, name, &err) < 0)
		return;
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/holds/%s", s->dir, name) >= 0)
		unlink(path);
}

typedef struct marks {
	char (*d)[DIGEST_STR_LEN];
	size_t n;
} marks;

static int mark(marks *m, const char *digest)
{
	char (*n)[DIGEST_STR_LEN] = realloc(m->d, (m->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	m->d = n;
	snprintf(m->d[m->n++], DIGEST_STR_LEN, "%s", digest);
	return 0;
}

static bool marked(const marks *m, const char *hex)
{
	for (size_t i = 0; i < m->n; i++)
		if (streq(digest_hex(m->d[i]), hex))
			return true;
	return false;
}

/* Mark an image's blobs and layers. An image whose blobs are already gone
 * marks what it can: gc never fails on a damaged store. */
static int mark_image(img_store *s, const char *manifest, marks *blobs, marks *layers)
{
	if (mark(blobs, manifest) < 0)
		return -ENOMEM;
	img_handle h;
	_cleanup_cerr_ cerr e = { 0 };
	if (image_load(s, manifest, &h, &e) < 0) {
		log_warn("gc: %s", cerr_msg(&e));
		return 0;
	}
	int r = mark(blobs, h.id);
	for (size_t i = 0; r == 0 && i < h.man.n_layers; i++)
		r = mark(blobs, h.man.layers[i].digest);
	for (size_t i = 0; r == 0 && i < h.cfg.n_diff_ids; i++)
		r = mark(layers, h.cfg.diff_ids[i]);
	image_handle_free(&h);
	return r;
}

typedef struct gc_roots {
	img_store *s;
	marks *blobs, *layers;
	gc_stats *st;
} gc_roots;

/* For each entry of dir (not hidden), parse <entry><suffix> as JSON (at most
 * max bytes; unreadable ones are skipped) and hand it to fn, until fn fails.
 * A missing dir has no entries. */
static int each_json(int atfd, const char *dir, const char *suffix, size_t max,
		     int (*fn)(gc_roots *g, int dfd, const char *name, yajl_val v), gc_roots *g)
{
	int fd = openat(atfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	struct dirent *de;
	int r = 0;
	while (r == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char name[300];
		snprintf(name, sizeof(name), "%.255s%s", de->d_name, suffix);
		_cleanup_cerr_ cerr e = { 0 };
		_cleanup_json_ yajl_val v = NULL;
		if (json_parse_file_at(dirfd(d), name, max, &v, &e) < 0)
			continue;
		r = fn(g, dirfd(d), de->d_name, v);
	}
	closedir(d);
	return r;
}

static int mark_hold(gc_roots *g, int dfd, const char *name, yajl_val v)
{
	yajl_val b = json_get(v, "bundle"), m = json_get(v, "manifest");
	struct stat sb;
	if (!YAJL_IS_STRING(b) || !YAJL_IS_STRING(m) || !digest_valid(m->u.string) || stat(b->u.string, &sb) < 0) {
		/* the bundle is gone: the hold goes too */
		unlinkat(dfd, name, 0);
		g->st->holds++;
		return 0;
	}
	return mark_image(g->s, m->u.string, g->blobs, g->layers);
}

/* corrald's containers: <root>/containers/<id>/config.json, annotated. */
static int mark_bundle(gc_roots *g, int dfd, const char *name, yajl_val v)
{
	yajl_val m = json_get(json_get(v, "annotations"), GC_BUNDLE_ANNOTATION);
	return YAJL_IS_STRING(m) && digest_valid(m->u.string) ? mark_image(g->s, m->u.string, g->blobs, g->layers) : 0;
}

static bool is_marked(const char *name, void *keep) { return marked(keep, name); }

/* Everything unmarked goes: blobs are files, layers are trees. */
static int sweep(int dirfd, const marks *keep, unsigned *count)
{
	return clear_dir(dirfd, is_marked, (void *)keep, count);
}

int image_gc(const char *store_root, gc_stats *st, cerr *err)
{
	memset(st, 0, sizeof(*st));
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, store_root, true, err);
	if (r < 0)
		return r;
	_cleanup_refs_ refs_db db = { 0 };
	if ((r = refs_load(&s, &db, err)) < 0)
		return r;
	marks blobs = { 0 }, layers = { 0 };
	for (size_t i = 0; r == 0 && i < db.n_images; i++)
		r = mark_image(&s, db.images[i].manifest, &blobs, &layers);
	gc_roots g = { .s = &s, .blobs = &blobs, .layers = &layers, .st = st };
	if (r == 0)
		r = each_json(s.dirfd, "holds", "", 65536, mark_hold, &g);
	_cleanup_free_ char *containers = NULL;
	if (r == 0 && asprintf(&containers, "%s/containers", s.root) < 0)
		r = -ENOMEM;
	if (r == 0)
		r = each_json(AT_FDCWD, containers, "/config.json", CONFIG_MAX_BYTES, mark_bundle, &g);
	if (r == 0 && (r = sweep(s.blobs_fd, &blobs, &st->blobs)) < 0)
		cerr_sys(err, -r, "store %s: blobs", s.root);
	if (r == 0 && (r = sweep(s.layers_fd, &layers, &st->layers)) < 0)
		cerr_sys(err, -r, "store %s: layers", s.root);
	/* partial layers of pulls (images/registry/reg_ingest.c): no pull runs
	 * while gc holds the store's lock, and a pull to come fetches them again */
	_cleanup_close_ int ingest = r == 0 ? openat(s.dirfd, "ingest", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	marks none = { 0 };
	if (ingest >= 0 && (r = sweep(ingest, &none, &st->blobs)) < 0)
		cerr_sys(err, -r, "store %s: ingest", s.root);
	if (r == -ENOMEM)
		cerr_set(err, ENOMEM, "out of memory");
	free(blobs.d);
	free(layers.d);
	return r;
}
