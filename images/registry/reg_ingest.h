/* reg_ingest.c: A pull's ingest files: images/ingest/<owner uid>/<hex of the
 * blob>, one per layer, each locked (flock) for the whole pull; an owner's
 * own, so that one owner's slow registry never holds another's pull. */
#pragma once
#include "images/registry/regsrc_state.h"
#include "images/registry/reg_source.h"

/* Remove the files older than max_age seconds that no pull holds, under
 * ingest_fd (ingest/<owner>/, of every owner); the count. */
unsigned reg_ingest_sweep(int ingest_fd, unsigned max_age);

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
