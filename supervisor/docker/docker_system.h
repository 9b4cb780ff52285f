/* docker_system.c: The daemon's own answers: _ping, version and info. */
#pragma once
#include "supervisor/docker/dk.h"

/* The routes, by file. */
dk_handler dk_ping, dk_version, dk_info, dk_plugins, dk_search;
