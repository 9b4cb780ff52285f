/* docker_containers.c: Reading containers: list (with Docker's filters),
 * inspect, top, and prune, which removes the stopped ones. */
#pragma once
#include "supervisor/docker/dk.h"

void dk_ctr_list(dk_req *r, const char *arg);
void dk_ctr_inspect(dk_req *r, const char *arg);
void dk_ctr_top(dk_req *r, const char *arg);
void dk_ctr_prune(dk_req *r, const char *arg);
