/* The image methods of io.corral.Supervisor. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "images/refs.h"
#include "supervisor/varlink/server.h"

struct corrald;
struct ctr;

int sv_image_import(vl_call *call, yajl_val params, void *ud);
int sv_image_list(vl_call *call, yajl_val params, void *ud);
int sv_image_inspect(vl_call *call, yajl_val params, void *ud);
int sv_image_remove(vl_call *call, yajl_val params, void *ud);
int sv_image_prune(vl_call *call, yajl_val params, void *ud);
/* One of corrald's containers made from the image, or NULL. */
const struct ctr *img_user_of(struct corrald *d, const ref_image *im);
/* Remove images no container uses (all), or only unnamed ones, then
 * collect blobs and layers (img_prune.c); publishes the events. *removed
 * gets the image IDs (the caller's, also on failure). */
int img_prune(struct corrald *d, bool all, char ***removed, uint64_t *reclaimed, cerr *err);
/* Set the images and store-bytes gauges from the store; *n_images if given. */
void corrald_update_image_gauges(struct corrald *d, size_t *n_images);
