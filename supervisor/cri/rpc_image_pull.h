/* rpc_image_pull.c: PullImage: corrald's ImagePull, as the caller (a member's
 * pull is its own image), with the request's registry credentials for that
 * pull only (ImagePull's credentials: never kept, sent to the reference's
 * registry alone). */
#pragma once
#include "supervisor/cri/cri_rpcs.h"

cri_handler rpc_pull_image;
