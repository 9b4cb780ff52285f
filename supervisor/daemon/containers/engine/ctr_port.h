/* The host ports of a container's published ports (ctr_port.c). */
#pragma once
#include "supervisor/daemon/spec/ctr_spec.h"
#include "common/error.h"

struct corrald;

/* Give each of spec's ports published without a host port (-p 80) a free
 * one, as podman does at create: one the kernel hands out for the address
 * and protocol, and that no container of d publishes. */
int ctr_ports_pick(const struct corrald *d, ctr_spec *cspec, cerr *err);
