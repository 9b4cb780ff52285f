/* img_remove.c: ImageRemove: taking names and images away,
 * each peer only its own: a member never reaches root's names or images,
 * which it sees shared read-only, nor another member's, which it does not see
 * at all. */
#pragma once
#include "supervisor/daemon/images/img_methods.h"

vl_method_fn sv_image_remove;
