/* ContainerPrune, and its part of SystemPrune (images/img_prune.c). */
#pragma once
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/server.h"

struct corrald;

int sv_container_prune(vl_call *call, yajl_val params, void *ud);
/* Remove every stopped container peer reaches; *removed gets their ids.
 * -ENOMEM. */
int ctr_prune_stopped(struct corrald *d, const peer_cred *peer, char ***removed);
