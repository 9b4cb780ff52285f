/* img_prune.c: Pruning the image store (ImagePrune, SystemPrune): images no
 * container uses go (with all), or only those without a name; then gc
 * collects the blobs and layers that no image and no container holds. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"
#include "supervisor/daemon/images/img_internal.h"

/* ImagePrune; SystemPrune: the stopped containers, then the images. */
vl_method_fn sv_image_prune, sv_system_prune;
