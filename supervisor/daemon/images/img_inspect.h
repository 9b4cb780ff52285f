/* img_inspect.c: ImageInspect and ImageHistory: what `podman image inspect`
 * and `podman history` show of an image, from its config as the store holds
 * it. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"

int sv_image_inspect(vl_call *call, yajl_val params, void *ud);
int sv_image_history(vl_call *call, yajl_val params, void *ud);
