/* The policy's methods of io.corral.Supervisor. */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

int sv_policy_show(vl_call *call, yajl_val params, void *ud);
int sv_image_sign(vl_call *call, yajl_val params, void *ud);
int sv_image_verify(vl_call *call, yajl_val params, void *ud);
