/* docker_system.c: The daemon's own answers: _ping, version and info. */
#pragma once
#include "supervisor/docker/dk.h"

/* The routes, by file. */
void dk_ping(dk_req *r, const char *arg);
void dk_version(dk_req *r, const char *arg);
void dk_info(dk_req *r, const char *arg);
