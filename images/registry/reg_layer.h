/* reg_layer.c: A registry's layer on its way: its bytes stream to the ingest
 * file and, through a pipe, to the import's unpacker at once; what an earlier
 * pull left in the ingest file goes first, and the registry sends the rest. */
#pragma once
#include "images/registry/regsrc_state.h"

/* Fetch one layer into its ingest file and to unpack at once. */
int regsrc_stage_layer(void *state, const src_layer *l, src_unpack_fn unpack, void *ctx, cerr *err);
