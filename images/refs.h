/* refs.json: the images in the store and the names that point at them.
 *   {"images": {"sha256:<manifest>": {"config": "sha256:<config>", "created": N,
 *                                     "owners": [0, 4242]}},
 *    "refs": {"localhost/name:tag": "sha256:<manifest>",
 *             "~4242/docker.io/library/name:tag": "sha256:<manifest>"}}
 * ("created" is when it was imported; the image's own time is its config's.)
 * Names are full, as podman stores them: DOMAIN/PATH:TAG. A name without a
 * registry (import --name web:1, a tag, an archive's "web:1") is
 * localhost/web:1; docker.io's one-component paths are under library/. A
 * store written before keeps its bare names as localhost's (ref_normalize
 * on load). A short name finds a full one as podman finds local images
 * (refs_find).
 * An image is its config: two manifests of one config (an OCI and a docker
 * archive of the same image) are one image, under the first manifest.
 * Names are per owner (the uid that imported them): root's are written as
 * they are, a member's as "~UID/NAME:TAG", which no image name can be (a
 * name has no '~'), so a member's name never replaces root's. Blobs and
 * layers stay shared. An image is held by the owners that imported it
 * ("owners"; absent: root alone, as every store written before owners
 * were) and stays while one holds it: an owner lets go when its last name
 * of the image goes, or when it removes the image. gc collects what no
 * image or bundle uses. Writes are atomic (write_file_atomic) under
 * refs.lock. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/store.h"

typedef struct ref_image {
	char manifest[DIGEST_STR_LEN];
	char config[DIGEST_STR_LEN];
	int64_t created;
	char **repo_digests; /* REPO@DIGEST it was pulled as (the registry's digest) */
} ref_image;

typedef struct ref_name {
	char *name; /* NAME:TAG, as ref_normalize makes it */
	uid_t owner;
	char manifest[DIGEST_STR_LEN];
} ref_name;

/* owner holds the image of manifest */
typedef struct ref_hold {
	uid_t owner;
	char manifest[DIGEST_STR_LEN];
} ref_hold;

typedef struct refs_db {
	ref_image *images;
	size_t n_images;
	ref_name *names;
	size_t n_names;
	ref_hold *holds;
	size_t n_holds;
} refs_db;

int refs_load(img_store *s, refs_db *db, cerr *err);
int refs_save(img_store *s, const refs_db *db, cerr *err);
void refs_free(refs_db *db);
static inline void refs_freep(refs_db *db) { refs_free(db); }
#define _cleanup_refs_ __attribute__((cleanup(refs_freep)))

/* refs_name.c. The full name a name is stored as: DOMAIN/PATH:TAG, short
 * names under localhost/, ":latest" when no tag; NULL if it is no image
 * name (a digest, 64 hex digits, "~", uppercase, ...). */
char *ref_normalize(const char *name);
/* Where a name's repository ends: at its tag's ':' or its '@'. */
size_t ref_repo_len(const char *name);
/* Whether stored name answers to the short name path:tag (a repository
 * that ends in "/" + path; any tag when tag is NULL). */
bool ref_short_matches(const char *name, const char *path, const char *tag);
/* Whether stored name is one that ref finds (its full name, or a short
 * name whose repository it ends with), regardless of other names. */
bool refs_name_answers(const char *name, const char *ref);
/* podman's `images REPO[:TAG]` and reference= filter: the repository is
 * pattern's or ends in "/" + it, and so is the tag when pattern has one;
 * '*', '?' and '[' glob as fnmatch(3) does. */
bool ref_filter_matches(const char *name, const char *pattern);
/* The image of manifest: one image per config digest, so the same image
 * imported from another kind of archive (another manifest) is the one the
 * store has. Returns its index in db->images, or -ENOMEM. */
int refs_add_image(refs_db *db, const char *manifest, const char *config);
/* owner's name for manifest (replacing owner's own of that name only);
 * owner then holds the image. */
int refs_set_name(refs_db *db, uid_t owner, const char *name, const char *manifest);
/* Image i was pulled as repo_digest (REPO@DIGEST), kept once. */
int refs_add_repo_digest(refs_db *db, size_t i, const char *repo_digest);
/* owner holds the image of manifest (once). */
int refs_hold(refs_db *db, uid_t owner, const char *manifest);
/* A name as it is written (refs.json, events, root's view): NAME:TAG for
 * root's, "~UID/NAME:TAG" for a member's. */
char *ref_qualified(uid_t owner, const char *name);

/* Who looks at the store. Names are looked up among uid's own, then
 * root's; "~UID/NAME:TAG" is UID's name. An owner's names and the images
 * it holds are there only when may(owner, ctx) says so. NULL: root's view,
 * in which every owner's are there. */
typedef struct refs_view {
	uid_t uid;
	bool (*may)(uid_t owner, const void *ctx);
	const void *ctx;
} refs_view;

/* Find the image REF names in view v: a name[:tag], REPO@DIGEST, a
 * manifest or config digest, or a unique prefix (at least 4 hex digits) of
 * the image ID or manifest digest. A name is looked up among an owner's
 * names as podman looks up local images: the full name first (a short one
 * under localhost/); then, for a short name, the names whose repository
 * ends in "/" + it (busybox:demo finds docker.io/library/busybox:demo),
 * which must all name one image: names of two images are ambiguous
 * (-EEXIST, err lists them; give the full name). REPO@DIGEST finds the
 * image pulled as that (its repoDigests), or named REPO whose manifest is
 * DIGEST. Returns the index in db->images or -errno with err set;
 * *name_at (if given) the index in db->names, -1 when by ID or digest. */
int refs_find(const refs_db *db, const refs_view *v, const char *ref, int *name_at, cerr *err);
/* refs_find in root's view. */
int refs_resolve(const refs_db *db, const char *ref, cerr *err);
/* Whether image i is there in view v: an owner it may see holds it. */
bool refs_visible(const refs_db *db, const refs_view *v, size_t i);
/* Whether owner holds image i. */
bool refs_held_by(const refs_db *db, size_t i, uid_t owner);
/* Drop name ni: its owner lets go of the image with its last name of it.
 * Returns 1 when the image went (no one holds it), else 0. */
int refs_unname(refs_db *db, size_t ni);
/* The owners that mine(owner, ctx) admits (every one: NULL) let go of image
 * ii, and their names of it go. Returns 1 when the image went, else 0. */
int refs_release(refs_db *db, size_t ii, bool (*mine)(uid_t owner, const void *ctx), const void *ctx);
/* Remove a name; if ref is an ID, the image and all its names (root's
 * view). Returns the number of images dropped (0 or 1) or -errno. */
int refs_remove(refs_db *db, const char *ref, cerr *err);
