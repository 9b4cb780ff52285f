/* docker_volumes.c: Volumes: corrald's named volumes (VolumeCreate and the
 * rest) in Docker's shapes: list (filters dangling, name, label, driver),
 * create, inspect, remove (force) and prune. */
#pragma once
#include "supervisor/docker/dk.h"

void dk_vol_list(dk_req *r, const char *arg);
void dk_vol_create(dk_req *r, const char *arg);
void dk_vol_inspect(dk_req *r, const char *arg);
void dk_vol_remove(dk_req *r, const char *arg);
void dk_vol_prune(dk_req *r, const char *arg);
