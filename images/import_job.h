/* One import's state, shared by the files that carry it out: import.c
 * reads the source and records the image, import_stage.c opens its blobs
 * and stages them and its layers. */
#pragma once
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "images/import.h"
#include "images/layer.h"
#include "images/manifest.h"
#include "images/local_source.h"
#include "images/store.h"

typedef struct imp {
	img_store *s;
	image_source *src;     /* local, or the caller's (o->source) */
	img_source local;      /* SPEC's, when o->source is NULL */
	const import_opts *o;
	int stage_fd, blobs_fd, layers_fd;
	const char *os, *arch, *variant;
	bool explicit_platform;
	char **names;
	pthread_mutex_t mu;    /* layers are staged by several threads */
	char manifest_digest[DIGEST_STR_LEN];
	char config_digest[DIGEST_STR_LEN];
	unsigned layers, reused;
	/* o->every: the docker-archive's image being imported, of count */
	size_t at, count;
	/* layers staged by this import, for images that repeat a layer */
	struct staged {
		char diffid[DIGEST_STR_LEN], digest[DIGEST_STR_LEN];
		uint64_t size;
		enum layer_comp comp;
	} staged[IMG_MAX_LAYERS];
	size_t n_staged;
} imp;

/* Open a blob of the source (a manifest through its open_manifest), or
 * fail with a one-line error. */
int imp_open_blob(imp *m, const char *digest, bool manifest, cerr *err);
/* Stage the image's layers, o->parallel at once (import_layers.c). */
int imp_stage_layers(imp *m, const img_manifest *man, const img_config *cfg, cerr *err);
/* Write a verified blob into staging. */
int imp_save_blob(imp *m, const char *digest, const void *data, size_t len, cerr *err);
/* Unpack one layer into staging unless this import staged it already.
 * Fills digest/size/comp for a layer whose digest is not known beforehand. */
int imp_stage_layer(imp *m, int src_fd, const char *expect_digest, int64_t size, enum layer_comp comp,
		    const char *diffid, const char *what, char *digest_out, uint64_t *size_out,
		    enum layer_comp *comp_out, cerr *err);
/* Count a layer of the image, one the store had already when reused. */
void imp_count_layer(imp *m, bool reused);
/* The store holds this layer and its blob already, and the importer may
 * use it (layer_proof.h). */
bool imp_have_layer(imp *m, const char *blob, const char *diffid);
/* The store holds them, and blob is known to unpack to diffid: a source
 * that serves blob vouches for the layer. */
bool imp_layer_vouched(imp *m, const char *blob, const char *diffid);
/* The importer has shown it may read layer diffid. */
int imp_prove_layer(imp *m, const char *diffid, cerr *err);
