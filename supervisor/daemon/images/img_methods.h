/* The image methods of io.corral.Supervisor (service.c's table). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

vl_method_fn sv_image_import;
