/* refs.json: the images in the store and the names that point at them.
 *   {"images": {"sha256:<manifest>": {"config": "sha256:<config>", "created": N}},
 *    "refs": {"name:tag": "sha256:<manifest>"}}
 * An image is its config: two manifests of one config (an OCI and a docker
 * archive of the same image) are one image, under the first manifest.
 * An image stays until it is removed; gc collects what no image or bundle
 * uses. Writes are atomic (write_file_atomic) under refs.lock. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "images/digest.h"
#include "images/store.h"

typedef struct ref_image {
	char manifest[DIGEST_STR_LEN];
	char config[DIGEST_STR_LEN];
	int64_t created;
} ref_image;

typedef struct ref_name {
	char *name;
	char manifest[DIGEST_STR_LEN];
} ref_name;

typedef struct refs_db {
	ref_image *images;
	size_t n_images;
	ref_name *names;
	size_t n_names;
} refs_db;

int refs_load(img_store *s, refs_db *db, cerr *err);
int refs_save(img_store *s, const refs_db *db, cerr *err);
void refs_free(refs_db *db);
static inline void refs_freep(refs_db *db) { refs_free(db); }
#define _cleanup_refs_ __attribute__((cleanup(refs_freep)))

/* Canonical "name:tag" (":latest" added when no tag); NULL if invalid. */
char *ref_normalize(const char *name);
/* The image of manifest: one image per config digest, so the same image
 * imported from another kind of archive (another manifest) is the one the
 * store has. Returns its index in db->images, or -ENOMEM. */
int refs_add_image(refs_db *db, const char *manifest, const char *config);
int refs_set_name(refs_db *db, const char *name, const char *manifest);
/* Find the image REF names: a name[:tag], a manifest or config digest, or a
 * unique prefix (at least 4 hex digits) of the image ID or manifest digest.
 * Returns the index in db->images or -errno with err set. */
int refs_resolve(const refs_db *db, const char *ref, cerr *err);
/* Remove a name; if ref is an ID, the image and all its names. Returns the
 * number of images dropped (0 or 1) or -errno. */
int refs_remove(refs_db *db, const char *ref, cerr *err);
