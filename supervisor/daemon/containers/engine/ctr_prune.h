/* Removing the stopped containers: ContainerPrune's and SystemPrune's part
 * (images/img_prune.c). */
#pragma once
#include "supervisor/varlink/peer.h"
#include "supervisor/daemon/core/prune_filter.h"

struct corrald;

/* Remove every stopped container peer reaches that pf keeps (NULL: all);
 * *removed gets their ids. -ENOMEM. */
int ctr_prune_stopped(struct corrald *d, const peer_cred *peer, const prune_filter *pf, char ***removed);
