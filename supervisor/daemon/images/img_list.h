/* img_list.c: ImageList: every image the peer may see, those its names
 * resolve to, or the names that answer to references, as `podman images
 * REPO[:TAG]` and its reference= filter list them. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"

vl_method_fn sv_image_list;
