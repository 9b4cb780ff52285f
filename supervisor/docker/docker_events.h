/* docker_events.c: GET /events: corrald's Events stream as Docker's event
 * lines, until the client hangs up (or until ?until=). */
#pragma once
#include "supervisor/docker/dk.h"

void dk_events(dk_req *r, const char *arg);
