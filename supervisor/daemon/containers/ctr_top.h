/* Top and Port: what runs in a container, and what it publishes (ctr_top.c, ctr_port.c). */
#pragma once
#include "supervisor/varlink/server.h"

int sv_top(vl_call *call, yajl_val params, void *ud);
int sv_port(vl_call *call, yajl_val params, void *ud);
