/* img_inspect.c: ImageInspect and ImageHistory: what `podman image inspect`
 * and `podman history` show of an image, from its config as the store holds
 * it. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"

vl_method_fn sv_image_inspect, sv_image_history;
