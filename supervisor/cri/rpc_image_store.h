/* rpc_image_store.c: The image store as a whole: RemoveImage takes an image
 * out of it, ImageFsInfo says where it is and what it holds. */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_remove_image, rpc_image_fs_info;
