/* import_layers.c: An image's layers staged by several threads at once: each
 * is found in the store, or read from the source (its stage_layer, or its
 * blob) and unpacked into staging. */
#pragma once
#include "images/import_ctx.h"

/* Stage the image's layers, o->parallel at once (import_layers.c). */
int imp_stage_layers(imp *m, const img_manifest *man, const img_config *cfg, cerr *err);
