/* docker_ctr_actions.c: What changes a container: start, stop, kill, restart,
 * pause, unpause, rename and remove; each 204 on success, 304 where Docker
 * says "nothing to do" (start of a running one, stop of a stopped one). */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_ctr_start, dk_ctr_stop, dk_ctr_kill, dk_ctr_restart, dk_ctr_pause, dk_ctr_unpause, dk_ctr_rename,
	dk_ctr_remove;
