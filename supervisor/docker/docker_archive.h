/* docker_archive.c: /containers/{id}/archive, what docker cp speaks: GET (and
 * HEAD) a tar of a path with its stat in X-Docker-Container-Path-Stat, PUT a
 * tar into a directory; through corrald's CopyFrom and CopyTo. */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_archive_get;
dk_sink *dk_ctr_archive_put(dk_req *r, const char *arg);
