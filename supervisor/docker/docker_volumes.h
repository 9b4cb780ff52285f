/* docker_volumes.c: Volumes: corrald's named volumes (VolumeCreate and the
 * rest) in Docker's shapes: list (filters dangling, name, label, driver),
 * create, inspect, remove (force) and prune. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_vol_list, dk_vol_create, dk_vol_inspect, dk_vol_remove, dk_vol_prune;
