/* docker_containers.c: Reading containers: list (with Docker's filters),
 * inspect, top, and prune, which removes the stopped ones. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_list, dk_ctr_inspect, dk_ctr_top, dk_ctr_prune;
