/* docker_volumes.c: Volumes: corrald's named volumes (VolumeCreate and the
 * rest) in Docker's shapes: list (filters dangling, name, label, driver),
 * create, inspect, remove (force) and prune. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_vol_list, dk_vol_create, dk_vol_inspect, dk_vol_remove, dk_vol_prune;

/* A volume made as docker volume create makes it (name NULL: an anonymous
 * one; driver "" or local; labels and opts objects or NULL): 0 with rep,
 * the one made or, as dockerd answers, the one of that name already there;
 * -1 with r answered. */
int dk_vol_make(dk_req *r, const char *name, const char *driver, yajl_val labels, yajl_val opts, vl_reply *rep);
