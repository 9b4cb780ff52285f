/* docker_networks.c: Networks: corral's CNI networks by name, with corrald's
 * id as their Id, and host and none, the modes every container may ask for. */
#pragma once
#include "supervisor/docker/dk.h"

/* The network a request names: Docker's "bridge" is corral's own bridge
 * network, "corral", as podman's compat service answers it with "podman"
 * (testcontainers reads its gateway) */
const char *dk_net_name(const char *arg);
/* The network a request's arg names, into name: a network of that name,
 * else the one whose Id it is, else the one whose Id it begins (Docker's
 * order). 0, with arg itself when none matches (corrald then says there
 * is none), or -1 with r answered: an ambiguous prefix is a 404. */
int dk_net_resolve(dk_req *r, const char *arg, char *name, size_t n);
dk_handler dk_net_list, dk_net_inspect, dk_net_create, dk_net_remove, dk_net_connect, dk_net_prune, dk_net_disconnect;
