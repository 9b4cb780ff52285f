/* Top and Port: what runs in a container, and what it publishes (ctr_top.c, ctr_port.c). */
#pragma once
#include "supervisor/varlink/server.h"
#include "supervisor/daemon/spec/ctr_spec.h"
#include "common/error.h"

struct corrald;

int sv_top(vl_call *call, yajl_val params, void *ud);
int sv_port(vl_call *call, yajl_val params, void *ud);
/* Give each of spec's ports published without a host port (-p 80) a free
 * one, as podman does at create: one the kernel hands out for the address
 * and protocol, and that no container of d publishes. */
int ctr_ports_pick(const struct corrald *d, ctr_spec *spec, cerr *err);
