/* The policy's methods of io.corral.Supervisor. */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

vl_method_fn sv_policy_show, sv_image_sign, sv_image_verify;
