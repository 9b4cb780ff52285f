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

