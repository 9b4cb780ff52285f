/* img_tag.c: ImageTag: more names for an image, as `podman tag` gives them. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"

int sv_image_tag(vl_call *call, yajl_val params, void *ud);
