/* docker_events.c: GET /events: corrald's Events stream as Docker's event
 * lines, until the client hangs up (or until ?until=). */
#pragma once
#include "supervisor/docker/dk.h"

dk_handler dk_events;
