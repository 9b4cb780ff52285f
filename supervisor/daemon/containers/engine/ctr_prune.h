/* Removing the stopped containers: ContainerPrune's and SystemPrune's part
 * (images/img_prune.c). */
#pragma once
#include "supervisor/varlink/peer.h"

struct corrald;

/* Remove every stopped container peer reaches; *removed gets their ids.
 * -ENOMEM. */
int ctr_prune_stopped(struct corrald *d, const peer_cred *peer, char ***removed);
