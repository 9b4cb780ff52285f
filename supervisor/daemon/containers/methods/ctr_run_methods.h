/* ctr_run_methods.c: The verbs that bring a container up: CreateContainer
 * (its steps are engine/ctr_create.c), Start and Restart (a stop, then a
 * start, answered once it runs again; a container that is not running is just
 * started). */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

int sv_create(vl_call *call, yajl_val params, void *ud);
int sv_start(vl_call *call, yajl_val params, void *ud);
int sv_restart(vl_call *call, yajl_val params, void *ud);
