/* net_conn_methods.c: NetworkConnect and NetworkDisconnect: a further network
 * for a container, ADDed now when it runs, else at its next start; and taken
 * away, DELed now when attached. */
#pragma once
#include "supervisor/daemon/network/net_methods.h"

vl_method_fn sv_network_connect, sv_network_disconnect;
