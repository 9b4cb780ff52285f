/* Removing images, holds (bundles that use an image), and garbage collection
 * of whatever no image and no bundle uses. */
#pragma once
#include "common/error.h"
#include "images/store.h"

int image_remove(const char *store_root, const char *ref, cerr *err);
typedef struct gc_stats {
	unsigned blobs, layers, holds;
} gc_stats;
/* Roots: every image in refs.json, every hold, and every bundle under
 * <store_root>/containers/<id>/ whose config.json carries the annotation
 * below (corrald's containers: their config.json is their hold). The
 * partial layers that pulls left in ingest/ go too (counted as blobs). */
int image_gc(const char *store_root, gc_stats *st, cerr *err);
#define GC_BUNDLE_ANNOTATION "io.corral.image.manifest"
/* Record that the bundle at abs_path uses the image with this manifest. */
int hold_add(img_store *s, const char *abs_path, const char *manifest, cerr *err);
void hold_drop(img_store *s, const char *abs_path);
