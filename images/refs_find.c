/* Finding images in refs.json by name or ID, in the view of who asks, and
 * letting go of names and images (refs.h). */
#include "images/refs.h"
#include "images/refs_find.h"
#include "images/refs_name.h"
#include "images/registry/reference.h"
#include "common/cleanup.h"
#include "common/strbuf.h"
#include "common/strv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int find_image(const refs_db *db, const char *manifest)
{
	for (size_t i = 0; i < db->n_images; i++)
		if (streq(db->images[i].manifest, manifest))
			return (int)i;
	return -1;
}

static bool may(const refs_view *v, uid_t owner)
{
	return !v || !v->may || v->may(owner, v->ctx);
}

bool refs_held_by(const refs_db *db, size_t i, uid_t owner)
{
	for (size_t k = 0; k < db->n_holds; k++)
		if (db->holds[k].owner == owner && streq(db->holds[k].manifest, db->images[i].manifest))
			return true;
	return false;
}

bool refs_visible(const refs_db *db, const refs_view *v, size_t i)
{
	if (!v || !v->may)
		return true; /* root's view: held or not */
	for (size_t k = 0; k < db->n_holds; k++)
		if (streq(db->holds[k].manifest, db->images[i].manifest) && may(v, db->holds[k].owner))
			return true;
	return false;
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

/* Returns the index of the image an ID names, -ENOENT, or -EEXIST if
 * ambiguous; images not there in v are not looked at. */
static int resolve_id(const refs_db *db, const refs_view *v, const char *ref)
{
	const char *hex = strncmp(ref, "sha256:", 7) == 0 ? ref + 7 : ref;
	size_t n = strlen(hex);
	if (n < 4 || n > DIGEST_HEX_LEN || !is_hex(hex))
		return -ENOENT;
	int found = -1;
	for (size_t i = 0; i < db->n_images; i++) {
		if (!refs_visible(db, v, i))
			continue;
		if (strncmp(digest_hex(db->images[i].config), hex, n) == 0 ||
		    strncmp(digest_hex(db->images[i].manifest), hex, n) == 0) {
			if (found >= 0 && found != (int)i)
				return -EEXIST;
			found = (int)i;
		}
	}
	return found >= 0 ? found : -ENOENT;
}

static int name_of(const refs_db *db, uid_t owner, const char *name)
{
	for (size_t i = 0; i < db->n_names; i++)
		if (db->names[i].owner == owner && streq(db->names[i].name, name))
			return (int)i;
	return -1;
}

/* Among owner's names, the one ref is: -1 when none, -EEXIST when names of
 * two images answer to a short name (err lists them). */
static int name_in(const refs_db *db, uid_t owner, const char *ref, cerr *err)
{
	int ni = name_of(db, owner, ref); /* as written: a full name, or a store's old one */
	_cleanup_free_ char *norm = ni < 0 ? ref_normalize(ref) : NULL;
	if (ni >= 0 || !norm || (ni = name_of(db, owner, norm)) >= 0)
		return ni;
	reg_ref r;
	_cleanup_cerr_ cerr e = { 0 };
	if (reg_ref_parse(ref, &r, &e) < 0 || !reg_ref_is_short(&r))
		return -1;
	int found = -1;
	_cleanup_strbuf_ strbuf all = STRBUF_INIT;
	bool two = false;
	for (size_t i = 0; i < db->n_names; i++) {
		if (db->names[i].owner != owner || !ref_short_matches(db->names[i].name, r.path, r.tag[0] ? r.tag : "latest"))
			continue;
		two = two || (found >= 0 && !streq(db->names[found].manifest, db->names[i].manifest));
		sb_addf(&all, "%s%s", found >= 0 ? ", " : "", db->names[i].name);
		if (found < 0)
			found = (int)i;
	}
	if (two)
		return cerr_set(err, EEXIST, "image %s: a short name of more than one image (%s): give the full name", ref,
				all.buf ? all.buf : "");
	return found;
}

/* "~UID/NAME:TAG" is UID's; a bare name the viewer's own, else root's. */
static int resolve_name(const refs_db *db, const refs_view *v, const char *ref, cerr *err)
{
	uid_t self = v ? v->uid : 0;
	if (ref[0] == '~') {
		char *end;
		errno = 0;
		unsigned long u = strtoul(ref + 1, &end, 10);
		if (errno || !isdigit((unsigned char)ref[1]) || *end != '/' || u >= (uid_t)-1)
			return -1;
		self = (uid_t)u;
		ref = end + 1;
	}
	if (!may(v, self))
		return -1;
	int ni = name_in(db, self, ref, err);
	if (ni == -1 && self != 0 && may(v, 0))
		ni = name_in(db, 0, ref, err);
	return ni;
}

/* Whether name's repository is r's (repo), a short one as name_in has it. */
static bool repo_of(const char *name, const reg_ref *r, const char *repo)
{
	size_t rl = ref_repo_len(name);
	if (reg_ref_is_short(r))
		return ref_short_matches(name, r->path, NULL);
	return rl == strlen(repo) && !strncmp(name, repo, rl);
}

/* REPO@DIGEST: an image pulled as that, or named REPO with that manifest,
 * among what v may see. -ENOENT when none. */
static int resolve_digest(const refs_db *db, const refs_view *v, const char *ref)
{
	reg_ref r;
	_cleanup_cerr_ cerr e = { 0 };
	if (ref[0] == '~' || !strchr(ref, '@') || reg_ref_parse(ref, &r, &e) < 0 || !r.digest[0])
		return -ENOENT;
	char repo[2 * REF_NAME_MAX + 2];
	reg_ref_repo(&r, repo, sizeof(repo));
	for (size_t i = 0; i < db->n_images; i++) {
		if (!refs_visible(db, v, i))
			continue;
		for (char **p = db->images[i].repo_digests; p && *p; p++)
			if (streq(strchr(*p, '@') ? strchr(*p, '@') + 1 : "", r.digest) && repo_of(*p, &r, repo))
				return (int)i;
	}
	for (size_t k = 0; k < db->n_names; k++) {
		int i = find_image(db, db->names[k].manifest);
		if (i >= 0 && may(v, db->names[k].owner) && streq(db->images[i].manifest, r.digest) &&
		    repo_of(db->names[k].name, &r, repo))
			return i;
	}
	return -ENOENT;
}

int refs_find(const refs_db *db, const refs_view *v, const char *ref, int *name_at, cerr *err)
{
	int ni = resolve_name(db, v, ref, err);
	if (name_at)
		*name_at = ni < 0 ? -1 : ni;
	if (ni == -EEXIST)
		return ni;
	if (ni >= 0) {
		int ii = find_image(db, db->names[ni].manifest);
		if (ii < 0)
			return cerr_set(err, ENOENT, "image %s: refers to a missing image %s", ref, db->names[ni].manifest);
		return ii;
	}
	int r = resolve_digest(db, v, ref);
	if (r >= 0)
		return r;
	r = resolve_id(db, v, ref);
	if (r == -EEXIST)
		return cerr_set(err, EEXIST, "image %s: ambiguous ID prefix", ref);
	if (r < 0)
		return cerr_set(err, ENOENT, "image %s: not found", ref);
	return r;
}

int refs_resolve(const refs_db *db, const char *ref, cerr *err)
{
	return refs_find(db, NULL, ref, NULL, err);
}

/* The image of manifest goes when no one holds it: 1 when it went. */
static int drop_if_unheld(refs_db *db, const char *manifest)
{
	for (size_t k = 0; k < db->n_holds; k++)
		if (streq(db->holds[k].manifest, manifest))
			return 0;
	int ii = find_image(db, manifest);
	if (ii < 0)
		return 0;
	strv_free(db->images[ii].repo_digests);
	db->images[ii] = db->images[--db->n_images];
	return 1;
}

static void drop_hold(refs_db *db, uid_t owner, const char *manifest)
{
	for (size_t k = 0; k < db->n_holds; k++)
		if (db->holds[k].owner == owner && streq(db->holds[k].manifest, manifest)) {
			db->holds[k] = db->holds[--db->n_holds];
			return;
		}
}

int refs_unname(refs_db *db, size_t ni)
{
	char manifest[DIGEST_STR_LEN];
	uid_t owner = db->names[ni].owner;
	snprintf(manifest, sizeof(manifest), "%s", db->names[ni].manifest);
	free(db->names[ni].name);
	db->names[ni] = db->names[--db->n_names];
	for (size_t i = 0; i < db->n_names; i++)
		if (db->names[i].owner == owner && streq(db->names[i].manifest, manifest))
			return 0;
	drop_hold(db, owner, manifest);
	return drop_if_unheld(db, manifest);
}

int refs_release(refs_db *db, size_t ii, bool (*mine)(uid_t owner, const void *ctx), const void *ctx)
{
	char manifest[DIGEST_STR_LEN];
	snprintf(manifest, sizeof(manifest), "%s", db->images[ii].manifest);
	for (size_t i = 0; i < db->n_names;) {
		if (streq(db->names[i].manifest, manifest) && (!mine || mine(db->names[i].owner, ctx))) {
			free(db->names[i].name);
			db->names[i] = db->names[--db->n_names];
			continue;
		}
		i++;
	}
	for (size_t k = 0; k < db->n_holds;) {
		if (streq(db->holds[k].manifest, manifest) && (!mine || mine(db->holds[k].owner, ctx))) {
			db->holds[k] = db->holds[--db->n_holds];
			continue;
		}
		k++;
	}
	return drop_if_unheld(db, manifest);
}

int refs_remove(refs_db *db, const char *ref, cerr *err)
{
	int ni;
	int ii = refs_find(db, NULL, ref, &ni, err);
	if (ni >= 0) {
		cerr_clear(err);
		return refs_unname(db, (size_t)ni);
	}
	return ii < 0 ? ii : refs_release(db, (size_t)ii, NULL, NULL);
}
