/* docker_ctr_resize.c: POST /containers/{id}/resize?h=&w=: the container's
 * terminal sized as an attached client sizes it, by a RESIZE frame on an
 * Attach of its own (which closes this HTTP connection, as tar_stream.h
 * says). */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_resize;
