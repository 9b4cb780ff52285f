/* NetworkCreate, NetworkList, NetworkInspect and NetworkRemove
 * (net_methods.c); NetworkConnect and NetworkDisconnect (net_conn_methods.c). */
#pragma once
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/server.h"

vl_method_fn sv_network_create, sv_network_list, sv_network_inspect, sv_network_remove;
