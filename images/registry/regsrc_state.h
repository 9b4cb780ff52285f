/* A registry source's state, shared by reg_source.c (its blobs),
 * reg_layer.c (its layers) and reg_ingest.c (their ingest files). */
#pragma once
#include <stdbool.h>
#include "images/registry/reference.h"
#include "images/registry/reg_source.h"

typedef struct reg_source {
	image_source iface;
	regsrc_params p;
	/* the layers' ingest files, locked for the whole pull (reg_ingest.c) */
	struct ingest {
		char digest[REF_DIGEST_LEN];
		int fd;
		bool staged; /* whole and verified: the store's blob at commit */
	} *ing;
	size_t n_ing;
} reg_source;

/* The hex of a "sha256:<hex>" digest: an ingest file's name. */
static inline const char *regsrc_hex(const char *digest) { return digest + 7; }
/* The ingest file of digest, locked; NULL when the pull locked none. */
struct ingest *ingest_of(reg_source *rs, const char *digest);
/* Lock the ingest files of the image's layers, in the order of their
 * digests (so that pulls sharing layers never wait on each other in a
 * circle), for the whole pull: a second pull of a layer waits, and then
 * finds it in the store. Refused (EDQUOT) when what the owner keeps in
 * ingest and what this pull may still fetch pass max_ingest. */
int regsrc_lock_layers(void *state, const src_layer *layers, size_t n, cerr *err);
/* After the import's commit: each staged layer's blob, its ingest file,
 * into the store's blobs. */
int regsrc_commit(void *state, int blobs_fd, cerr *err);
/* Unlock; an empty ingest file goes. */
void regsrc_unlock(reg_source *rs);
/* Fetch one layer into its ingest file and to unpack at once. */
int regsrc_stage_layer(void *state, const src_layer *l, src_unpack_fn unpack, void *ctx, cerr *err);
