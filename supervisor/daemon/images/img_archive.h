/* img_archive.c: ImageLoad and ImageSave: archives in and out of the store,
 * as `podman load` and `podman save` take and write them, through
 * corral-images (`image load`, `image save`), which holds libarchive. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"

/* img_archive.c: load and save archives through corral-images */
vl_method_fn sv_image_load, sv_image_save;
