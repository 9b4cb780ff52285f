/* import_stage.c: blobs and layers into an import's staging. */
#pragma once
#include "images/import_ctx.h"

/* Open a blob of the source (a manifest through its open_manifest), or
 * fail with a one-line error. */
int imp_open_blob(imp *m, const char *digest, bool manifest, cerr *err);
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
