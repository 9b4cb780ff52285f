/* docker_stats.c: GET /containers/{id}/stats: corrald's Stats in Docker's
 * shape, a sample a second (stream=true, the default) or one with the one
 * before it (stream=false), so that the client can work out a CPU percentage. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_stats;
