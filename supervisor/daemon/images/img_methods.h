/* The image methods of io.corral.Supervisor (service.c's table). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

int sv_image_import(vl_call *call, yajl_val params, void *ud);
