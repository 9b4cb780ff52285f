/* docker_ctr_update.c: POST /containers/{id}/update. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_update;
