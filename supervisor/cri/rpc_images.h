/* rpc_images.c: The images corrald holds, as the CRI's Image: ListImages and
 * ImageStatus. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_list_images, rpc_image_status;
/* What the image rpcs share: whether spec names an image (false with c
 * answered INVALID_ARGUMENT), corrald's {"image": ref} (NULL when out of
 * memory), and whether rep is corrald's NoSuchImage */
bool cri_image_named(cri_call *c, const struct Runtime__V1__ImageSpec *spec);
char *cri_image_params(const char *ref);
bool cri_no_such_image(const vl_reply *rep);
