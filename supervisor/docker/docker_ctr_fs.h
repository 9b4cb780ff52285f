/* docker_ctr_fs.c: A container's filesystem as Docker shows it: GET
 * /containers/{id}/changes (docker diff: Kind 0 changed, 1 added, 2 deleted)
 * through corrald's Changes, and GET /containers/{id}/export (docker export:
 * a tar of its root filesystem) through Export. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_changes, dk_ctr_export;
