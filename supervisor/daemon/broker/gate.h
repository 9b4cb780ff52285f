/* gate.c: What every message passes: the session's policy (each refusal
 * audited and counted) and the party's token buckets. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* May m do a on topic, and is it within its rate? 0 when so; else -1 with
 * f filled: Denied (audited as peer's) or RateLimited. */
int broker_gate(bparty *m, const peer_cred *peer, enum broker_action a, const char *topic, size_t bytes,
		broker_fault *f);
/* Only the rate (a Reply, a StateSet): 0, or -1 with f filled (RateLimited). */
int broker_rate(bparty *m, size_t bytes, broker_fault *f);
