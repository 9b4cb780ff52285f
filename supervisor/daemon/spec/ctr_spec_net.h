/* ctr_spec_net.c: spec.network (none, loopback, host, a network's name or
 * container:REF) and spec.ports, published through the network's portmap
 * plugin. */
#pragma once
#include "supervisor/daemon/spec/ctr_spec.h"

#define CTR_NET_CONTAINER_REF_MAX 128 /* container:REF's REF, as pidNamespace's */

/* spec.network and spec.ports (ctr_spec_net.c); released with the spec. */
int ctr_spec_parse_network(yajl_val cspec_json, ctr_spec *s, json_fault *f);
void ctr_spec_release_network(ctr_spec *s);
/* A spec that named no network gets name (none, loopback, host or a
 * network); then its ports must have a network to go through. */
int ctr_spec_default_network(ctr_spec *s, const char *name, json_fault *f);
