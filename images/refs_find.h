/* refs_find.c: Finding images in refs.json by name or ID, in the view of who
 * asks, and letting go of names and images. */
#pragma once
#include "images/refs.h"

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
