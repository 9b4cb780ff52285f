/* docker_ctr_create.c: POST /containers/create: Docker's Config and
 * HostConfig as corral's ContainerSpec. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_create;
