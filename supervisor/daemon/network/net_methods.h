/* NetworkCreate, NetworkList, NetworkInspect and NetworkRemove
 * (net_methods.c); NetworkConnect and NetworkDisconnect (net_conn_methods.c). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

int sv_network_create(vl_call *call, yajl_val params, void *ud);
int sv_network_list(vl_call *call, yajl_val params, void *ud);
int sv_network_inspect(vl_call *call, yajl_val params, void *ud);
int sv_network_remove(vl_call *call, yajl_val params, void *ud);
