/* ContainerPrune and SystemPrune (ctr_prune.c). */
#pragma once
#include "supervisor/varlink/server.h"

int sv_container_prune(vl_call *call, yajl_val params, void *ud);
int sv_system_prune(vl_call *call, yajl_val params, void *ud);
