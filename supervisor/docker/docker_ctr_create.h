/* docker_ctr_create.c: POST /containers/create: Docker's Config and
 * HostConfig as corral's ContainerSpec. */
#pragma once
#include "supervisor/docker/dk.h"

void dk_ctr_create(dk_req *r, const char *arg);
