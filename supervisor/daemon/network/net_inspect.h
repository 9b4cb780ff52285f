/* A container's attachments as Inspect shows them. */
#pragma once
#include "supervisor/daemon/containers/record/ctr.h"
#include <yajl/yajl_gen.h>

struct corrald;

/* "networks": {NAME: {ipAddress, macAddress, gateway, interface}} of
 * network.json, for Inspect; nothing when it has none. */
void net_gen_inspect(yajl_gen g, const struct corrald *d, const ctr *c);
