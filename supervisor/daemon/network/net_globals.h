/* What the network feature holds between calls, behind corrald's
 * d->network: made at start and freed at exit (network.h). */
#pragma once
#include "supervisor/daemon/network/cni_run.h"

/* The conflists whose plugins said, through VERSION, that they speak
 * CNI_SPEC_VERSION: asked once per text in corrald's life. */
#define NET_VERIFIED_MAX 64

typedef struct net_globals {
	cni_runner cni;                      /* every CNI run under way (cni_run.c) */
	struct pending_del *pending;         /* DELs under way, by container (net_attach.c) */
	char *verified[NET_VERIFIED_MAX];    /* (net_attach.c) */
	struct check_queue *checking;        /* reconcile's CHECKs, while they run (net_reconcile.c) */
	struct el_source *del_retry;         /* a failed DEL's next try (net_attach.c) */
	unsigned del_retry_s;                /* its backoff: 1 s, doubled to a minute */
} net_globals;

