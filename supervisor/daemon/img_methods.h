/* The image methods of io.corral.Supervisor. */
#pragma once
#include <stddef.h>
#include "supervisor/varlink/server.h"

struct corrald;

int sv_image_import(vl_call *call, yajl_val params, void *ud);
int sv_image_list(vl_call *call, yajl_val params, void *ud);
int sv_image_inspect(vl_call *call, yajl_val params, void *ud);
int sv_image_remove(vl_call *call, yajl_val params, void *ud);
int sv_image_prune(vl_call *call, yajl_val params, void *ud);
/* Set the images and store-bytes gauges from the store; *n_images if given. */
void corrald_update_image_gauges(struct corrald *d, size_t *n_images);
