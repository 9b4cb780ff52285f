#include "images/import.h"
#include "images/import_ctx.h"
#include "images/import_layers.h"
#include "images/import_stage.h"
#include "images/layer.h"
#include "images/manifest.h"
#include "images/refs.h"
#include "images/refs_name.h"
#include "images/local_source.h"
#include "images/store.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/rm_rf.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strv.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Read at most max bytes of fd (one more to detect excess). */
static int read_bounded(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = max + 2, n = 0;
	_cleanup_free_ char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	while (n < max + 1) {
		ssize_t r = read(fd, buf + n, max + 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = TAKE_PTR(buf);
	*len = n;
	return 0;
}

/* Fetch a JSON blob (index, manifest, config), verifying size and digest. */
static int fetch_json(imp *m, const img_desc *d, bool manifest, char **text, cerr *err)
{
	if (d->size > IMG_MAX_JSON)
		return cerr_set(err, EFBIG, "blob %s: %llu bytes is larger than the %u allowed for metadata", d->digest,
				(unsigned long long)d->size, IMG_MAX_JSON);
	_cleanup_close_ int fd = imp_open_blob(m, d->digest, manifest, err);
	if (fd < 0)
		return fd;
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	int r = read_bounded(fd, (size_t)d->size, &buf, &n);
	if (r < 0)
		return cerr_sys(err, -r, "blob %s: read", d->digest);
	if (n != d->size)
		return cerr_set(err, EBADMSG, "blob %s: size mismatch: expected %llu bytes, got %s%zu", d->digest,
				(unsigned long long)d->size, n > d->size ? "more than " : "", n > d->size ? n - 1 : n);
	char got[DIGEST_STR_LEN];
	if ((r = digest_buf(buf, n, got, err)) < 0)
		return r;
	if (!streq(got, d->digest))
		return cerr_set(err, EBADMSG, "blob %s: digest mismatch: expected %s, got %s", d->digest, d->digest, got);
	if (strlen(buf) != n)
		return cerr_set(err, EINVAL, "blob %s: NUL byte in JSON", d->digest);
	if ((r = imp_save_blob(m, d->digest, buf, n, err)) < 0)
		return r;
	*text = TAKE_PTR(buf);
	return 0;
}

static int add_name(imp *m, const char *name)
{
	_cleanup_free_ char *n = ref_normalize(name);
	if (!n)
		return 0;
	for (char **p = m->names; p && *p; p++)
		if (streq(*p, n))
			return 0;
	int r = strv_push(&m->names, n);
	if (r == 0)
		n = NULL;
	return r;
}

static bool ref_matches(const img_desc *d, const char *ref)
{
	if (d->ref_name && streq(d->ref_name, ref))
		return true;
	if (d->image_name) {
		if (streq(d->image_name, ref))
			return true;
		size_t a = strlen(d->image_name), b = strlen(ref);
		if (a > b && d->image_name[a - b - 1] == ':' && streq(d->image_name + a - b, ref))
			return true;
	}
	return false;
}

static bool desc_platform_ok(imp *m, const img_desc *d)
{
	if (!d->os && !d->arch)
		return true;
	return platform_match(d->os, d->arch, d->variant, m->os, m->arch, m->explicit_platform ? m->variant : NULL);
}

/* Pick the manifest for our platform, descending into nested indexes. */
static int select_manifest(imp *m, const img_index *idx, const char *what, int depth, img_desc *out, cerr *err)
{
	if (depth > IMG_MAX_INDEX_DEPTH)
		return cerr_set(err, ELOOP, "%s: indexes nested deeper than %d", what, IMG_MAX_INDEX_DEPTH);
	const char *ref = depth == 0 ? m->src->ref : NULL;
	long at = -1;
	if (ref && ref[0] == '@') {
		char *end;
		at = strtol(ref + 1, &end, 10);
		if (*end || at < 0 || (size_t)at >= idx->n)
			return cerr_set(err, ENOENT, "%s: no manifest number %s", what, ref + 1);
	}
	bool any_ref = false;
	for (size_t i = 0; i < idx->n; i++) {
		const img_desc *d = &idx->m[i];
		if (at >= 0 && (size_t)at != i)
			continue;
		if (ref && at < 0 && !ref_matches(d, ref))
			continue;
		any_ref = true;
		if (!desc_platform_ok(m, d))
			continue;
		if (mt_is_index(d->media_type)) {
			_cleanup_free_ char *text = NULL;
			int r = fetch_json(m, d, true, &text, err);
			if (r < 0)
				return r;
			img_index sub;
			char w[DIGEST_STR_LEN + 8];
			snprintf(w, sizeof(w), "blob %s", d->digest);
			if ((r = index_parse(text, w, &sub, err)) < 0)
				return r;
			r = select_manifest(m, &sub, w, depth + 1, out, err);
			index_free(&sub);
			if (r < 0 && cerr_forgive(err, ENOENT))
				continue;
			if (r < 0)
				return r;
		} else if (d->media_type && !mt_is_manifest(d->media_type)) {
			return cerr_set(err, EINVAL, "%s: manifests[%zu]: wrong media type \"%.100s\" for a manifest", what, i,
					d->media_type);
		} else {
			*out = *d;
			out->media_type = d->media_type ? strdup(d->media_type) : NULL;
			out->os = out->arch = out->variant = out->ref_name = out->image_name = NULL;
		}
		if (depth == 0) /* a ref name "bb" is localhost/bb:latest, as podman names it */
			add_name(m, d->image_name ? d->image_name : d->ref_name ? d->ref_name : "");
		return 0;
	}
	if (ref && !any_ref)
		return cerr_set(err, ENOENT, "%s: no image named \"%s\"", what, ref);
	return cerr_set(err, ENOENT, "%s: no manifest for platform %s/%s%s%s", what, m->os, m->arch,
			m->explicit_platform && *m->variant ? "/" : "", m->explicit_platform ? m->variant : "");
}

static int check_platform(imp *m, const img_config *cfg, cerr *err)
{
	if (!m->explicit_platform || (!cfg->os && !cfg->arch))
		return 0;
	if (!platform_match(cfg->os, cfg->arch, cfg->variant, m->os, m->arch, m->variant))
		return cerr_set(err, EINVAL, "blob %s: image is for %s/%s, not %s/%s", m->config_digest,
				cfg->os ? cfg->os : "?", cfg->arch ? cfg->arch : "?", m->os, m->arch);
	return 0;
}

static int check_layer_count(imp *m, size_t n_layers, const img_config *cfg, cerr *err)
{
	if (n_layers != cfg->n_diff_ids)
		return cerr_set(err, EINVAL, "manifest lists %zu layers but the config has %zu diff_ids", n_layers,
				cfg->n_diff_ids);
	return 0;
}

static int import_oci(imp *m, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t n = 0;
	int fd = m->src->open_path(m->src->state, "index.json");
	if (fd < 0)
		return cerr_sys(err, -fd, "index.json");
	int r = read_bounded(fd, IMG_MAX_JSON, &text, &n);
	close(fd);
	if (r < 0)
		return cerr_sys(err, -r, "index.json");
	if (n > IMG_MAX_JSON)
		return cerr_set(err, EFBIG, "index.json: larger than %u bytes", IMG_MAX_JSON);
	img_index idx;
	if ((r = index_parse(text, "index.json", &idx, err)) < 0)
		return r;
	img_desc md = { 0 };
	r = select_manifest(m, &idx, "index.json", 0, &md, err);
	index_free(&idx);
	if (r < 0)
		return r;
	_cleanup_free_ char *mtext = NULL;
	r = fetch_json(m, &md, true, &mtext, err);
	_cleanup_free_ char *declared = md.media_type;
	if (r < 0)
		return r;
	snprintf(m->manifest_digest, DIGEST_STR_LEN, "%s", md.digest);
	char w[DIGEST_STR_LEN + 8];
	snprintf(w, sizeof(w), "blob %s", md.digest);
	_cleanup_(manifest_free) img_manifest man;
	if ((r = manifest_parse(mtext, w, &man, err)) < 0)
		return r;
	if (declared && man.media_type && !streq(declared, man.media_type))
		return cerr_set(err, EINVAL, "%s: media type mismatch: declared %s, content is %s", w, declared,
				man.media_type);
	_cleanup_free_ char *ctext = NULL;
	if ((r = fetch_json(m, &man.config, false, &ctext, err)) < 0)
		return r;
	snprintf(m->config_digest, DIGEST_STR_LEN, "%s", man.config.digest);
	snprintf(w, sizeof(w), "blob %s", man.config.digest);
	_cleanup_(img_config_free) img_config cfg;
	if ((r = img_config_parse(ctext, w, &cfg, err)) < 0)
		return r;
	if ((r = check_platform(m, &cfg, err)) < 0 || (r = check_layer_count(m, man.n_layers, &cfg, err)) < 0)
		return r;
	return imp_stage_layers(m, &man, &cfg, err);
}

/* The file name a docker-archive gives a blob, when it names its digest:
 * "<hex>.json" (legacy config) or "blobs/sha256/<hex>" (moby >= 25). */
static bool digest_from_path(const char *path, char out[static DIGEST_STR_LEN])
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char d[DIGEST_STR_LEN + 8];
	size_t bl = strlen(base);
	if (bl == DIGEST_HEX_LEN + 5 && streq(base + DIGEST_HEX_LEN, ".json"))
		snprintf(d, sizeof(d), "sha256:%.*s", DIGEST_HEX_LEN, base);
	else if (strstr(path, "blobs/sha256/") && bl == DIGEST_HEX_LEN)
		snprintf(d, sizeof(d), "sha256:%s", base);
	else
		return false;
	if (!digest_valid(d))
		return false;
	memcpy(out, d, DIGEST_STR_LEN);
	return true;
}

static const char *comp_mt(enum layer_comp c)
{
	return c == COMP_GZIP ? MT_OCI_LAYER_GZIP : c == COMP_ZSTD ? MT_OCI_LAYER_ZSTD : MT_OCI_LAYER;
}

/* Entry m->at of manifest.json (or the one m->src->ref picks); m->count
 * learns how many it has. */
static int import_docker(imp *m, cerr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t n = 0;
	int fd = m->src->open_path(m->src->state, "manifest.json");
	if (fd < 0)
		return cerr_sys(err, -fd, "manifest.json");
	int r = read_bounded(fd, IMG_MAX_JSON, &text, &n);
	close(fd);
	if (r < 0)
		return cerr_sys(err, -r, "manifest.json");
	if (n > IMG_MAX_JSON)
		return cerr_set(err, EFBIG, "manifest.json: larger than %u bytes", IMG_MAX_JSON);
	_cleanup_(docker_manifest_free) docker_manifest dm;
	if ((r = docker_manifest_parse(text, "manifest.json", &dm, err)) < 0)
		return r;
	const char *ref = m->src->ref;
	long pick = -1;
	if (ref && ref[0] == '@') {
		char *end;
		pick = strtol(ref + 1, &end, 10);
		if (*end || pick < 0 || (size_t)pick >= dm.n)
			return cerr_set(err, ENOENT, "manifest.json: no image number %s", ref + 1);
	} else if (ref) {
		for (size_t i = 0; pick < 0 && i < dm.n; i++)
			for (char **t = dm.e[i].repo_tags; t && *t; t++) {
				_cleanup_free_ char *have = ref_normalize(*t);
				if (have && refs_name_answers(have, ref))
					pick = (long)i;
			}
		if (pick < 0)
			return cerr_set(err, ENOENT, "manifest.json: no image named \"%s\"", ref);
	} else if (dm.n == 1 || (m->o->every && m->at < dm.n)) {
		pick = (long)m->at;
		m->count = dm.n;
	} else {
		return cerr_set(err, EINVAL, "manifest.json: %zu images; choose one with :NAME or :@N", dm.n);
	}
	docker_entry *e = &dm.e[pick];
	for (char **t = e->repo_tags; t && *t; t++)
		add_name(m, *t);
	/* the config */
	fd = m->src->open_path(m->src->state, e->config);
	if (fd < 0)
		return cerr_sys(err, -fd, "manifest.json: Config %.200s", e->config);
	_cleanup_free_ char *ctext = NULL;
	size_t clen = 0;
	r = read_bounded(fd, IMG_MAX_JSON, &ctext, &clen);
	close(fd);
	if (r < 0 || clen > IMG_MAX_JSON || strlen(ctext) != clen)
		return cerr_set(err, EINVAL, "%.200s: unreadable, too large or not text", e->config);
	if ((r = digest_buf(ctext, clen, m->config_digest, err)) < 0)
		return r;
	char named[DIGEST_STR_LEN];
	if (digest_from_path(e->config, named) && !streq(named, m->config_digest))
		return cerr_set(err, EBADMSG, "blob %s: digest mismatch: expected %s, got %s", named, named, m->config_digest);
	char w[DIGEST_STR_LEN + 8];
	snprintf(w, sizeof(w), "blob %s", m->config_digest);
	_cleanup_(img_config_free) img_config cfg;
	if ((r = img_config_parse(ctext, w, &cfg, err)) < 0)
		return r;
	if ((r = check_platform(m, &cfg, err)) < 0 || (r = check_layer_count(m, e->n_layers, &cfg, err)) < 0)
		return r;
	if ((r = imp_save_blob(m, m->config_digest, ctext, clen, err)) < 0)
		return r;
	/* the layers, and an OCI manifest that describes them */
	_cleanup_json_gen_ yajl_gen g = json_gen_new(false);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	int bad = yajl_gen_map_open(g) || jg_key_int(g, "schemaVersion", 2) ||
		  jg_key_str(g, "mediaType", MT_OCI_MANIFEST) || jg_key(g, "config") || yajl_gen_map_open(g) ||
		  jg_key_str(g, "mediaType", MT_OCI_CONFIG) || jg_key_str(g, "digest", m->config_digest) ||
		  jg_key_int(g, "size", (long long)clen) || yajl_gen_map_close(g) || jg_key(g, "layers") ||
		  yajl_gen_array_open(g);
	for (size_t i = 0; !bad && i < e->n_layers; i++) {
		const char *diffid = cfg.diff_ids[i];
		char dg[DIGEST_STR_LEN];
		uint64_t size = 0;
		enum layer_comp comp = COMP_NONE;
		struct stat st;
		if (imp_have_layer(m, diffid, diffid) && fstatat(m->s->blobs_fd, digest_hex(diffid), &st, 0) == 0) {
			/* an uncompressed layer we already hold: its digest is its diff_id */
			memcpy(dg, diffid, DIGEST_STR_LEN);
			size = (uint64_t)st.st_size;
			m->layers++;
			m->reused++;
		} else {
			_cleanup_close_ int lfd = m->src->open_path(m->src->state, e->layers[i]);
			if (lfd < 0)
				return cerr_sys(err, -lfd, "manifest.json: layer %.200s", e->layers[i]);
			char expect[DIGEST_STR_LEN];
			bool named_layer = digest_from_path(e->layers[i], expect);
			char lw[300];
			snprintf(lw, sizeof(lw), "layer %.200s", e->layers[i]);
			if (named_layer)
				snprintf(lw, sizeof(lw), "blob %s", expect);
			if ((r = imp_stage_layer(m, lfd, named_layer ? expect : NULL, -1, COMP_UNKNOWN, diffid, lw, dg,
						 &size, &comp, err)) < 0)
				return r;
		}
		bad = yajl_gen_map_open(g) || jg_key_str(g, "mediaType", comp_mt(comp)) ||
		      jg_key_str(g, "digest", dg) || jg_key_int(g, "size", (long long)size) || yajl_gen_map_close(g);
	}
	bad = bad || yajl_gen_array_close(g) || yajl_gen_map_close(g);
	size_t mlen = 0;
	_cleanup_free_ char *mtext = bad ? NULL : jg_finish(g, &mlen);
	if (!mtext)
		return cerr_set(err, ENOMEM, "cannot build the manifest");
	int dr = digest_buf(mtext, mlen, m->manifest_digest, err);
	if (dr < 0)
		return dr;
	return imp_save_blob(m, m->manifest_digest, mtext, mlen, err);
}

/* Move every verified blob and layer into the store. A layer another import
 * renamed first is equal by its digest, so ours is dropped with staging. */
static int commit(imp *m, cerr *err)
{
	int fds[2][2] = { { m->blobs_fd, m->s->blobs_fd }, { m->layers_fd, m->s->layers_fd } };
	for (int k = 0; k < 2; k++) {
		int dfd = fcntl(fds[k][0], F_DUPFD_CLOEXEC, 3);
		DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
		if (!d) {
			if (dfd >= 0)
				close(dfd);
			return cerr_sys(err, errno, "staging");
		}
		struct dirent *de;
		int r = 0;
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			if (renameat(fds[k][0], de->d_name, fds[k][1], de->d_name) < 0 && errno != EEXIST &&
			    errno != ENOTEMPTY) {
				r = cerr_sys(err, errno, "store %s: rename %s", m->s->root, de->d_name);
				break;
			}
		}
		closedir(d);
		if (r < 0)
			return r;
	}
	return 0;
}

static int record(imp *m, cerr *err)
{
	_cleanup_close_ int lk = store_lock_refs(m->s, err);
	if (lk < 0)
		return lk;
	_cleanup_refs_ refs_db db = { 0 };
	int r = refs_load(m->s, &db, err);
	if (r < 0)
		return r;
	int at = refs_add_image(&db, m->manifest_digest, m->config_digest);
	if (at < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	if (!db.images[at].created)
		db.images[at].created = (int64_t)time(NULL);
	/* the same image from another archive: its names go to the one image
	 * (this manifest's own blobs are left to gc) */
	snprintf(m->manifest_digest, sizeof(m->manifest_digest), "%s", db.images[at].manifest);
	/* the names and the image are the importer's (o->owner) */
	if (refs_hold(&db, m->o->owner, m->manifest_digest) < 0 ||
	    (m->o->repo_digest && refs_add_repo_digest(&db, (size_t)at, m->o->repo_digest) < 0))
		return cerr_set(err, ENOMEM, "out of memory");
	if (m->o->name) {
		if (refs_set_name(&db, m->o->owner, m->o->name, m->manifest_digest) < 0)
			return cerr_set(err, EINVAL, "--name %s: invalid image name", m->o->name);
	} else {
		for (char **p = m->names; p && *p; p++)
			refs_set_name(&db, m->o->owner, *p, m->manifest_digest);
	}
	return refs_save(m->s, &db, err);
}

/* A SIGTERM came while it was blocked. */
static int cancelled(cerr *err)
{
	sigset_t pending;
	if (sigpending(&pending) == 0 && sigismember(&pending, SIGTERM))
		return cerr_set(err, ECANCELED, "cancelled");
	return 0;
}

static void imp_free(imp *m)
{
	source_close(&m->local);
	int *fds[] = { &m->blobs_fd, &m->layers_fd, &m->stage_fd };
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	strv_free(m->names);
	pthread_mutex_destroy(&m->mu);
}

/* The images an import has staged, each recorded once all are stored. */
typedef struct done_list {
	struct done {
		char manifest[DIGEST_STR_LEN], config[DIGEST_STR_LEN];
		char **names;
	} *e;
	size_t n;
} done_list;

static void done_free(done_list *d)
{
	for (size_t i = 0; i < d->n; i++)
		strv_free(d->e[i].names);
	free(d->e);
}

/* m's image staged: kept, and m's names with it. */
static int done_push(done_list *d, imp *m, cerr *err)
{
	struct done *e = realloc(d->e, (d->n + 1) * sizeof(*e));
	if (!e)
		return cerr_set(err, ENOMEM, "out of memory");
	d->e = e;
	e = &d->e[d->n++];
	memcpy(e->manifest, m->manifest_digest, DIGEST_STR_LEN);
	memcpy(e->config, m->config_digest, DIGEST_STR_LEN);
	e->names = TAKE_PTR(m->names);
	return 0;
}

/* names_out: the recorded image's names; of several images, the ID of one
 * without (so each is said). */
static int said_push(char ***said, imp *m, bool several, cerr *err)
{
	if (!m->names && several) {
		char *id = strdup(m->config_digest);
		if (!id || strv_push(said, id) < 0) {
			free(id);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	for (char **p = m->names; p && *p; p++) {
		char *n = strdup(*p);
		if (!n || strv_push(said, n) < 0) {
			free(n);
			return cerr_set(err, ENOMEM, "out of memory");
		}
	}
	return 0;
}

int image_import(const char *store_root, const char *spec, const import_opts *o, import_result *res, cerr *err)
{
	_cleanup_store_ img_store s = IMG_STORE_INIT;
	int r = store_open(&s, store_root, false, err);
	if (r < 0)
		return r;
	_cleanup_(imp_free) imp m = { .s = &s, .o = o, .stage_fd = -1, .blobs_fd = -1, .layers_fd = -1 };
	pthread_mutex_init(&m.mu, NULL);
	m.local.dirfd = -1;
	host_platform(&m.os, &m.arch, &m.variant);
	_cleanup_free_ char *plat = o->platform ? strdup(o->platform) : NULL;
	if (plat) {
		char *a = strchr(plat, '/'), *v = a ? strchr(a + 1, '/') : NULL;
		if (!a || a == plat || !a[1] || (v && !v[1]))
			return cerr_set(err, EINVAL, "--platform %s: expected os/arch[/variant]", o->platform);
		*a++ = '\0';
		if (v)
			*v++ = '\0';
		m.os = plat;
		m.arch = a;
		m.variant = v ? v : "";
		m.explicit_platform = true;
	}
	_cleanup_free_ char *stage = NULL;
	_cleanup_(done_free) done_list done = { 0 };
	_cleanup_strv_ char **said = NULL;
	sigset_t term, was;
	bool blocked = false;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	/* m.stage_fd holds the stage's lock until the import ends */
	if ((r = store_mkstage(&s, "import", &stage, &m.stage_fd, err)) < 0)
		return r;
	if (mkdirat(m.stage_fd, "blobs", 0700) < 0 || mkdirat(m.stage_fd, "layers", 0700) < 0 ||
	    (m.blobs_fd = openat(m.stage_fd, "blobs", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (m.layers_fd = openat(m.stage_fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = cerr_sys(err, errno, "store %s: staging", s.root);
		goto out;
	}
	m.src = o->source ? o->source : &m.local.iface;
	if (!o->source && (r = source_open(&m.local, spec, m.stage_fd, &o->lim, err)) < 0)
		goto out;
	/* every image staged (o->every: each of a docker-archive's) before any is stored */
	do {
		r = m.src->docker ? import_docker(&m, err) : import_oci(&m, err);
		if (r < 0 || (r = done_push(&done, &m, err)) < 0)
			goto out;
	} while (++m.at < m.count);
	if (!o->no_sync && syncfs(s.dirfd) < 0) {
		r = cerr_sys(err, errno, "store %s: sync", s.root);
		goto out;
	}
	/* a SIGTERM (corrald's, when the caller hangs up) ends the import with
	 * nothing left but before this point: from here it is whole once it ends */
	blocked = pthread_sigmask(SIG_BLOCK, &term, &was) == 0;
	if ((r = cancelled(err)) < 0 || (r = commit(&m, err)) < 0 ||
	    (m.src->commit && (r = m.src->commit(m.src->state, s.blobs_fd, err)) < 0))
		goto out;
	for (size_t i = 0; i < done.n; i++) {
		memcpy(m.manifest_digest, done.e[i].manifest, DIGEST_STR_LEN);
		memcpy(m.config_digest, done.e[i].config, DIGEST_STR_LEN);
		strv_free(m.names);
		m.names = TAKE_PTR(done.e[i].names);
		if ((r = record(&m, err)) < 0 || (r = said_push(&said, &m, done.n > 1, err)) < 0)
			goto out;
	}
	if (o->names_out)
		*o->names_out = TAKE_PTR(said);
	memcpy(res->id, m.config_digest, DIGEST_STR_LEN);
	memcpy(res->manifest, m.manifest_digest, DIGEST_STR_LEN);
	res->layers = m.layers;
	res->layers_reused = m.reused;
out:
	rm_rf_at(s.staging_fd, stage);
	if (blocked) /* a SIGTERM held back ends it now */
		pthread_sigmask(SIG_SETMASK, &was, NULL);
	return r;
}
