/* ctr_inspect.c: A corral Container as Docker's container inspect: the spec
 * it was made with, the image's run defaults it did not replace (Docker shows
 * the config in effect: the whole environment, the image's Cmd), its state. */
#pragma once
#include "supervisor/shape/shape.h"

/* image: ImageInspect's image (its config's run defaults; its size for
 * SizeRootFs when c has sizes), or NULL when it is gone */
void dk_gen_ctr_inspect(yajl_gen g, yajl_val c, yajl_val image, dk_dialect as, uid_t viewer);
/* The inspect's members alone, into a map the caller opened (and may add
 * more to). viewer: the uid it is drawn for (dk_gen_mounts). */
void dk_gen_ctr_inspect_keys(yajl_gen g, yajl_val c, yajl_val img, dk_dialect as, uid_t viewer);
