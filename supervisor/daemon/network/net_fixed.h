/* net_fixed.c: a container's fixed address and MAC on its network. */
#pragma once
#include <stddef.h>
#include "common/error.h"
#include "common/json_get.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/network/cni.h"
#include "supervisor/varlink/peer.h"

/* Create: spec.ipAddress is a host's address in its network's subnet, not
 * the gateway, that no other container fixes there (one the peer may not
 * see is not named). 0, or -errno with f. */
int net_fixed_check(struct corrald *d, const ctr_spec *s, const peer_cred *peer, json_fault *f);
/* Start: the address (its fixed one, which must be free: EADDRINUSE;
 * else the one it had, while free) and MAC to ADD with, into a (mac: a
 * buffer for the one made from the address). 0, or -errno with err. */
int net_fixed_args(const ctr *c, const char *conf, cni_args *a, char *mac, size_t n, cerr *err);
