/* The image store on disk, under ROOT/images:
 *   blobs/sha256/<hex>   content-addressed blobs (index, manifest, config, layer)
 *   layers/<hex>/        unpacked layers, named by diff_id, shared by images
 *   refs.json            images and the names that point at them
 *   holds/<hex>          bundles that use an image (gc roots; also see
 *                        GC_BUNDLE_ANNOTATION in gc.h)
 *   staging/             work in progress; renamed into place when verified
 *   lock, refs.lock      flock(2) files: the store lock is shared by readers
 *                        and importers, exclusive for gc and staging cleanup;
 *                        refs.lock serialises read-modify-write of refs.json */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "images/digest.h"

#define STORE_DEFAULT_ROOT "/var/lib/corral"

typedef struct img_store {
	char *root;      /* ROOT */
	char *dir;       /* ROOT/images */
	int dirfd;
	int blobs_fd;    /* blobs/sha256 */
	int layers_fd;
	int staging_fd;
	int lock_fd;
	bool exclusive;
} img_store;

#define IMG_STORE_INIT { NULL, NULL, -1, -1, -1, -1, -1, false }

/* The store root: opt, else $CORRAL_STORE, else /var/lib/corral. */
const char *store_root_default(const char *opt);
/* Open (creating) the store and take its lock. A shared opener also removes
 * staging left over by a crash when nobody else holds the lock. */
int store_open(img_store *s, const char *root, bool exclusive, cerr *err);
/* The same, shared, but never waiting: -EBUSY ("busy: ... try again")
 * while a gc holds the store. For corrald's loop, which must not block. */
int store_open_nowait(img_store *s, const char *root, cerr *err);
void store_close(img_store *s);
static inline void store_closep(img_store *s) { store_close(s); }
#define _cleanup_store_ __attribute__((cleanup(store_closep)))

/* A fresh private directory under staging/; its name goes to *name, and
 * *fd is it, locked: while the fd lives no other open takes it for a
 * crash's leftover. */
int store_mkstage(img_store *s, const char *prefix, char **name, int *fd, cerr *err);
bool store_has_blob(img_store *s, const char *digest);
bool store_has_layer(img_store *s, const char *diffid);
/* Path of a layer directory (for overlay lowerdir), malloc'd. */
char *store_layer_path(img_store *s, const char *diffid);
/* Read a small blob from the store, checking its digest again. */
int store_read_blob(img_store *s, const char *digest, size_t max, char **out, size_t *len, cerr *err);
/* Take refs.lock exclusively; returns the fd to close, or -errno. */
int store_lock_refs(img_store *s, cerr *err);
