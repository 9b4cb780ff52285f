#include "images/refs.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define REFS_MAX (64u << 20)

void refs_free(refs_db *db)
{
	for (size_t i = 0; i < db->n_names; i++)
		free(db->names[i].name);
	free(db->names);
	free(db->images);
	memset(db, 0, sizeof(*db));
}

int refs_load(img_store *s, refs_db *db, cerr *err)
{
	memset(db, 0, sizeof(*db));
	_cleanup_free_ char *text = NULL;
	int r = read_file_at(s->dirfd, "refs.json", REFS_MAX, &text, NULL, err);
	if (r == -ENOENT) {
		cerr_clear(err);
		return 0;
	}
	if (r < 0)
		return r;
	_cleanup_json_ yajl_val root = NULL;
	if ((r = json_parse(text, "refs.json", &root, err)) < 0)
		return r;
	yajl_val im = json_get(root, "images"), nm = json_get(root, "refs");
	if ((im && !YAJL_IS_OBJECT(im)) || (nm && !YAJL_IS_OBJECT(nm)))
		return cerr_set(err, EINVAL, "refs.json: malformed");
	for (size_t i = 0; im && i < im->u.object.len; i++) {
		yajl_val c = json_get(im->u.object.values[i], "config");
		yajl_val t = json_get(im->u.object.values[i], "created");
		if (!YAJL_IS_STRING(c) || !digest_valid(c->u.string) || !digest_valid(im->u.object.keys[i])) {
			refs_free(db);
			return cerr_set(err, EINVAL, "refs.json: images.%.80s: malformed", im->u.object.keys[i]);
		}
		int at = refs_add_image(db, im->u.object.keys[i], c->u.string);
		if (at < 0) {
			refs_free(db);
			return cerr_set(err, -at, "out of memory");
		}
		long long ts = 0;
		if (json_int_in(t, 0, INT64_MAX, &ts) && !db->images[at].created)
			db->images[at].created = ts;
	}
	for (size_t i = 0; nm && i < nm->u.object.len; i++) {
		yajl_val d = nm->u.object.values[i];
		if (!YAJL_IS_STRING(d) || !digest_valid(d->u.string)) {
			refs_free(db);
			return cerr_set(err, EINVAL, "refs.json: refs.%.80s: malformed", nm->u.object.keys[i]);
		}
		/* a store written before images were one per config may name
		 * a manifest that merged into another image: name that one */
		const char *manifest = d->u.string;
		yajl_val c = json_get(json_get(im, manifest), "config");
		for (size_t k = 0; YAJL_IS_STRING(c) && k < db->n_images; k++)
			if (streq(db->images[k].config, c->u.string))
				manifest = db->images[k].manifest;
		if ((r = refs_set_name(db, nm->u.object.keys[i], manifest)) < 0) {
			refs_free(db);
			return cerr_set(err, -r, "refs.json: refs.%.80s: invalid", nm->u.object.keys[i]);
		}
	}
	return 0;
}

int refs_save(img_store *s, const refs_db *db, cerr *err)
{
	_cleanup_json_gen_ yajl_gen g = json_gen_new(true);
	if (!g)
		return cerr_set(err, ENOMEM, "out of memory");
	int bad = yajl_gen_map_open(g) || jg_key(g, "images") || yajl_gen_map_open(g);
	for (size_t i = 0; !bad && i < db->n_images; i++)
		bad = jg_key(g, db->images[i].manifest) || yajl_gen_map_open(g) ||
		      jg_key_str(g, "config", db->images[i].config) ||
		      jg_key_int(g, "created", db->images[i].created) || yajl_gen_map_close(g);
	bad = bad || yajl_gen_map_close(g) || jg_key(g, "refs") || yajl_gen_map_open(g);
	for (size_t i = 0; !bad && i < db->n_names; i++)
		bad = jg_key_str(g, db->names[i].name, db->names[i].manifest);
	bad = bad || yajl_gen_map_close(g) || yajl_gen_map_close(g);
	size_t len = 0;
	_cleanup_free_ char *text = bad ? NULL : jg_finish(g, &len);
	if (!text)
		return cerr_set(err, ENOMEM, "refs.json: cannot serialise");
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/refs.json", s->dir) < 0)
		return cerr_set(err, ENOMEM, "out of memory");
	return write_file_atomic(path, text, len, 0600, err);
}

char *ref_normalize(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 255 || name[0] == '/' || name[0] == ':' || name[n - 1] == ':' || name[n - 1] == '/')
		return NULL;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-/:@", *p))
			return NULL;
	/* a name that is a digest would be ambiguous with IDs */
	if (strncmp(name, "sha256:", 7) == 0)
		return NULL;
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	char *out = NULL;
	if (colon)
		return strdup(name);
	if (asprintf(&out, "%s:latest", name) < 0)
		return NULL;
	return out;
}

int refs_add_image(refs_db *db, const char *manifest, const char *config)
{
	/* one image per config: the same image from another archive (an OCI
	 * and a docker one have different manifests) is the one already here */
	for (size_t i = 0; i < db->n_images; i++)
		if (streq(db->images[i].manifest, manifest) || streq(db->images[i].config, config))
			return (int)i;
	ref_image *n = realloc(db->images, (db->n_images + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	db->images = n;
	ref_image *im = &db->images[db->n_images++];
	memset(im, 0, sizeof(*im));
	snprintf(im->manifest, sizeof(im->manifest), "%s", manifest);
	snprintf(im->config, sizeof(im->config), "%s", config);
	return (int)db->n_images - 1;
}

int refs_set_name(refs_db *db, const char *name, const char *manifest)
{
	_cleanup_free_ char *norm = ref_normalize(name);
	if (!norm)
		return -EINVAL;
	for (size_t i = 0; i < db->n_names; i++)
		if (streq(db->names[i].name, norm)) {
			snprintf(db->names[i].manifest, DIGEST_STR_LEN, "%s", manifest);
			return 0;
		}
	ref_name *n = realloc(db->names, (db->n_names + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	db->names = n;
	db->names[db->n_names].name = TAKE_PTR(norm);
	snprintf(db->names[db->n_names].manifest, DIGEST_STR_LEN, "%s", manifest);
	db->n_names++;
	return 0;
}

static int find_image(const refs_db *db, const char *manifest)
{
	for (size_t i = 0; i < db->n_images; i++)
		if (streq(db->images[i].manifest, manifest))
			return (int)i;
	return -1;
}

static bool is_hex(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return false;
	return true;
}

/* Returns the index of the image an ID names, -ENOENT, or -EEXIST if ambiguous. */
static int resolve_id(const refs_db *db, const char *ref)
{
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t n = strlen(hex);
	if (n < 4 || n > DIGEST_HEX_LEN || !is_hex(hex))
		return -ENOENT;
	int found = -1;
	for (size_t i = 0; i < db->n_images; i++) {
		if (strncmp(digest_hex(db->images[i].config), hex, n) == 0 ||
		    strncmp(digest_hex(db->images[i].manifest), hex, n) == 0) {
			if (found >= 0 && found != (int)i)
				return -EEXIST;
			found = (int)i;
		}
	}
	return found >= 0 ? found : -ENOENT;
}

static int resolve_name(const refs_db *db, const char *ref)
{
	_cleanup_free_ char *norm = ref_normalize(ref);
	if (!norm)
		return -1;
	for (size_t i = 0; i < db->n_names; i++)
		if (streq(db->names[i].name, norm))
			return (int)i;
	return -1;
}

int refs_resolve(const refs_db *db, const char *ref, cerr *err)
{
	int ni = resolve_name(db, ref);
	if (ni >= 0) {
		int ii = find_image(db, db->names[ni].manifest);
		if (ii < 0)
			return cerr_set(err, ENOENT, "image %s: refers to a missing image %s", ref, db->names[ni].manifest);
		return ii;
	}
	int r = resolve_id(db, ref);
	if (r == -EEXIST)
		return cerr_set(err, EEXIST, "image %s: ambiguous ID prefix", ref);
	if (r < 0)
		return cerr_set(err, ENOENT, "image %s: not found", ref);
	return r;
}

int refs_remove(refs_db *db, const char *ref, cerr *err)
{
	int ni = resolve_name(db, ref);
	char manifest[DIGEST_STR_LEN];
	bool by_id = ni < 0;
	if (!by_id) {
		snprintf(manifest, sizeof(manifest), "%s", db->names[ni].manifest);
		free(db->names[ni].name);
		db->names[ni] = db->names[--db->n_names];
	} else {
		int ii = refs_resolve(db, ref, err);
		if (ii < 0)
			return ii;
		snprintf(manifest, sizeof(manifest), "%s", db->images[ii].manifest);
	}
	/* drop the image when it was named by ID, or lost its last name */
	size_t left = 0;
	for (size_t i = 0; i < db->n_names;) {
		if (streq(db->names[i].manifest, manifest)) {
			if (by_id) {
				free(db->names[i].name);
				db->names[i] = db->names[--db->n_names];
				continue;
			}
			left++;
		}
		i++;
	}
	if (left)
		return 0;
	int ii = find_image(db, manifest);
	if (ii >= 0)
		db->images[ii] = db->images[--db->n_images];
	return ii >= 0 ? 1 : 0;
}
