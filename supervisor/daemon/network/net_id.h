/* A network's id: 64 hex digits, the SHA-256 of corral's prefix and its
 * name (net_id.c says why the name alone). The Docker API's Network Id. */
#pragma once
#include "common/error.h"
#include "supervisor/daemon/network/netconf.h"

#define NET_ID_LEN 64

int net_id(const char *name, char out[NET_ID_LEN + 1], cerr *err);
