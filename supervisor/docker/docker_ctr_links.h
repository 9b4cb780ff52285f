/* docker_ctr_links.c: HostConfig.ExtraHosts, and the legacy Links as lines
 * of the same /etc/hosts. */
#pragma once
#include "supervisor/docker/dk.h"

/* spec.extraHosts: ExtraHosts, then each of Links ("NAME:ALIAS", or
 * "NAME") as ALIAS on NAME's address on the network the container joins
 * (network: corral's name, or NULL for the default), as Docker's legacy
 * links name a container. -1 with r answered when a linked container is
 * not there or not on that network. */
int dk_gen_extra_hosts(dk_req *r, yajl_gen g, yajl_val hc, const char *network);
