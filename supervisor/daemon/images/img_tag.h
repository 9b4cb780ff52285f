/* img_tag.c: ImageTag: more names for an image, as `podman tag` gives them. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"

vl_method_fn sv_image_tag;
