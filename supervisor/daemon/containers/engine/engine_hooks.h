/* What the engine hangs on a container, freed through the record's feature
 * slots (record/ctr_service.h): main_corrald.c registers it first. */
#pragma once
#include "supervisor/daemon/containers/record/ctr_service.h"

extern const ctr_feature engine_container_hooks;
