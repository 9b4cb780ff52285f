/* img_prune.c: Pruning the image store (ImagePrune, SystemPrune): images no
 * container uses go (with all), or only those without a name; then gc
 * collects the blobs and layers that no image and no container holds. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/daemon/images/img_internal.h"

int img_prune_start(struct corrald *d, vl_call *call, const peer_cred *peer, bool all, img_pruned_fn done, void *ctx,
		    cerr *err);

/* SystemPrune: the stopped containers, then the images (img_prune.c). */
vl_method_fn sv_system_prune;
