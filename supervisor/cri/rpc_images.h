/* rpc_images.c: The images corrald holds, as the CRI's Image: ListImages and
 * ImageStatus. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

/* rpc_images.c, rpc_image_pull.c, rpc_image_store.c: the ImageService */
void rpc_list_images(cri_call *c, const ProtobufCMessage *req);
void rpc_image_status(cri_call *c, const ProtobufCMessage *req);
bool cri_image_named(cri_call *c, const struct Runtime__V1__ImageSpec *spec);
char *cri_image_params(const char *ref);
bool cri_no_such_image(const vl_reply *rep);
