/* ctr_run_methods.c: The verbs that bring a container up: CreateContainer
 * (its steps are engine/ctr_create.c), Start and Restart (a stop, then a
 * start, answered once it runs again; a container that is not running is just
 * started). */
#pragma once
#include "supervisor/daemon/containers/methods/ctr_methods.h"

vl_method_fn sv_create, sv_start, sv_restart;
