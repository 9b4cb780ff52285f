#include "images/refs.h"
#include "images/refs_name.h"
#include "common/cleanup.h"
#include "common/fileio.h"
#include "common/json.h"
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFS_MAX (64u << 20)

void refs_free(refs_db *db)
{
	for (size_t i = 0; i < db->n_names; i++)
		free(db->names[i].name);
	free(db->names);
	for (size_t i = 0; i < db->n_images; i++)
		strv_free(db->images[i].repo_digests);
	free(db->images);
	free(db->holds);
	memset(db, 0, sizeof(*db));
}

/* "~UID/NAME": UID's name; anything else root's. NULL when malformed. */
static const char *split_owner(const char *key, uid_t *owner)
{
	*owner = 0;
	if (key[0] != '~')
		return key;
	char *end;
	errno = 0;
	unsigned long u = strtoul(key + 1, &end, 10);
	if (errno || !isdigit((unsigned char)key[1]) || *end != '/' || u == 0 || u >= (uid_t)-1)
		return NULL;
	*owner = (uid_t)u;
	return end + 1;
}

static int load_name(refs_db *db, uid_t owner, const char *name, const char *manifest);

/* An image's "owners": absent, root alone. */
static int load_owners(refs_db *db, yajl_val owners, int at)
{
	const char *m = db->images[at].manifest;
	if (!owners)
		return refs_hold(db, 0, m);
	if (!YAJL_IS_ARRAY(owners))
		return -EINVAL;
	for (size_t k = 0; k < owners->u.array.len; k++) {
		long long u;
		if (!json_int_in(owners->u.array.values[k], 0, (uid_t)-2, &u))
			return -EINVAL;
		int r = refs_hold(db, (uid_t)u, m);
		if (r < 0)
			return r;
	}
	return 0;
}

int refs_load(img_store *s, refs_db *db, cerr *err)
{
	memset(db, 0, sizeof(*db));
	_cleanup_free_ char *text = NULL;
	int r = read_file_if_there(s->dirfd, "refs.json", REFS_MAX, &text, NULL, err);
	if (r < 0 || !text)
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
		yajl_val rd = json_get(im->u.object.values[i], "repoDigests");
		for (size_t k = 0; YAJL_IS_ARRAY(rd) && k < rd->u.array.len; k++)
			if (YAJL_IS_STRING(rd->u.array.values[k]) && refs_add_repo_digest(db, (size_t)at, rd->u.array.values[k]->u.string) < 0) {
				refs_free(db);
				return cerr_set(err, ENOMEM, "out of memory");
			}
		if ((r = load_owners(db, json_get(im->u.object.values[i], "owners"), at)) < 0) {
			refs_free(db);
			return cerr_set(err, -r, "refs.json: images.%.80s.owners: malformed", im->u.object.keys[i]);
		}
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
		uid_t owner;
		const char *name = split_owner(nm->u.object.keys[i], &owner);
		if (!name || (r = load_name(db, owner, name, manifest)) < 0) {
			r = name ? r : -EINVAL;
			refs_free(db);
			return cerr_set(err, -r, "refs.json: refs.%.80s: invalid", nm->u.object.keys[i]);
		}
	}
	return 0;
}

/* "owners", unless root alone holds image i (as stores before owners). */
static int gen_owners(yajl_gen g, const refs_db *db, size_t i)
{
	const char *m = db->images[i].manifest;
	size_t n = 0;
	bool root = false;
	for (size_t k = 0; k < db->n_holds; k++)
		if (streq(db->holds[k].manifest, m))
			n++, root = root || db->holds[k].owner == 0;
	if (n == 0 || (n == 1 && root))
		return 0;
	int bad = jg_key(g, "owners") || yajl_gen_array_open(g);
	for (size_t k = 0; !bad && k < db->n_holds; k++)
		if (streq(db->holds[k].manifest, m))
			bad = yajl_gen_integer(g, db->holds[k].owner);
	return bad || yajl_gen_array_close(g);
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
		      jg_key_int(g, "created", db->images[i].created) || gen_owners(g, db, i) ||
		      (db->images[i].repo_digests && jg_key_strv(g, "repoDigests", db->images[i].repo_digests)) ||
		      yajl_gen_map_close(g);
	bad = bad || yajl_gen_map_close(g) || jg_key(g, "refs") || yajl_gen_map_open(g);
	for (size_t i = 0; !bad && i < db->n_names; i++) {
		_cleanup_free_ char *key = ref_qualified(db->names[i].owner, db->names[i].name);
		bad = !key || jg_key_str(g, key, db->names[i].manifest);
	}
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

int refs_add_repo_digest(refs_db *db, size_t i, const char *repo_digest)
{
	char ***v = &db->images[i].repo_digests;
	for (char **p = *v; p && *p; p++)
		if (streq(*p, repo_digest))
			return 0;
	char *d = strdup(repo_digest);
	if (!d || strv_push(v, d) < 0) {
		free(d);
		return -ENOMEM;
	}
	return 0;
}

char *ref_qualified(uid_t owner, const char *name)
{
	char *s = NULL;
	if (owner == 0)
		return strdup(name);
	return asprintf(&s, "~%u/%s", (unsigned)owner, name) < 0 ? NULL : s;
}

int refs_hold(refs_db *db, uid_t owner, const char *manifest)
{
	for (size_t i = 0; i < db->n_holds; i++)
		if (db->holds[i].owner == owner && streq(db->holds[i].manifest, manifest))
			return 0;
	ref_hold *n = realloc(db->holds, (db->n_holds + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	db->holds = n;
	db->holds[db->n_holds].owner = owner;
	snprintf(db->holds[db->n_holds].manifest, DIGEST_STR_LEN, "%s", manifest);
	db->n_holds++;
	return 0;
}

/* owner's name norm (taken) for manifest */
static int set_name(refs_db *db, uid_t owner, char *norm, const char *manifest)
{
	_cleanup_free_ char *n = norm;
	int r = refs_hold(db, owner, manifest);
	if (r < 0)
		return r;
	for (size_t i = 0; i < db->n_names; i++)
		if (db->names[i].owner == owner && streq(db->names[i].name, n)) {
			snprintf(db->names[i].manifest, DIGEST_STR_LEN, "%s", manifest);
			return 0;
		}
	ref_name *v = realloc(db->names, (db->n_names + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	db->names = v;
	db->names[db->n_names].name = TAKE_PTR(n);
	db->names[db->n_names].owner = owner;
	snprintf(db->names[db->n_names].manifest, DIGEST_STR_LEN, "%s", manifest);
	db->n_names++;
	return 0;
}

int refs_set_name(refs_db *db, uid_t owner, const char *name, const char *manifest)
{
	char *norm = ref_normalize(name);
	return norm ? set_name(db, owner, norm, manifest) : -EINVAL;
}

/* A name as refs.json has it: one of a store before podman's names
 * ("busybox:demo") is localhost's now; one these rules refuse
 * ("Web:1") stays as it was, so that it can still be found and removed. */
static int load_name(refs_db *db, uid_t owner, const char *name, const char *manifest)
{
	char *norm = ref_normalize(name);
	if (!norm && strlen(name) <= 255 && !strpbrk(name, " \t\n~"))
		norm = strdup(name);
	return norm ? set_name(db, owner, norm, manifest) : -EINVAL;
}
