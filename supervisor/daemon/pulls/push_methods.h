/* push_methods.c: ImagePush of io.corral.Supervisor: an image the peer sees
 * (its own or root's shared ones, as ImageSave reads them) sent to a registry
 * the policy lets it pull from, with its logins. */
#pragma once
#include "supervisor/daemon/pulls/pull_methods.h"

vl_method_fn sv_image_push;
