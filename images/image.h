/* An image in the store, resolved from a REF: its manifest, config and the
 * layer directories, bottom first. */
#pragma once
#include "common/error.h"
#include "images/digest.h"
#include "images/manifest.h"
#include "images/store.h"

struct refs_view;

typedef struct img_handle {
	char manifest[DIGEST_STR_LEN];
	char id[DIGEST_STR_LEN];
	img_manifest man;
	img_config cfg;
	char *config_text;
	int64_t created;
	char *name; /* image_lookup's: the name it was found by, else the viewer's first name of it; NULL: none */
} img_handle;

/* Resolve ref in view v (NULL: root's; refs.h), under the store lock held
 * by s, and load the image's metadata, checking that every layer is
 * present. */
int image_lookup(img_store *s, const struct refs_view *v, const char *ref, img_handle *h, cerr *err);
/* Load by manifest digest (for gc and holds). */
int image_load(img_store *s, const char *manifest, img_handle *h, cerr *err);
void image_handle_free(img_handle *h);
