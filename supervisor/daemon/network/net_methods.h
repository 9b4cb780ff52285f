/* NetworkCreate, NetworkList, NetworkInspect and NetworkRemove. */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

int sv_network_create(vl_call *call, yajl_val params, void *ud);
int sv_network_list(vl_call *call, yajl_val params, void *ud);
int sv_network_inspect(vl_call *call, yajl_val params, void *ud);
int sv_network_remove(vl_call *call, yajl_val params, void *ud);
