/* gate.c: What every message passes: the session's policy (each refusal
 * audited and counted) and the party's token buckets. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* May m do a on topic, and is it within its rate? 0 when so; else -EACCES
 * (Denied, audited as peer's) or -EAGAIN (RateLimited), with no filled. */
int broker_gate(bparty *m, const peer_cred *peer, enum broker_action a, const char *topic, size_t bytes,
		broker_refusal *no);
/* Only the rate (a Reply, a StateSet): 0, or -EAGAIN with no filled. */
int broker_rate(bparty *m, size_t bytes, broker_refusal *no);
/* Answer call with the refusal; what vl_call_error returns. */
int broker_refused(vl_call *call, broker_refusal *no);
int broker_error_invalid(vl_call *call, const char *reason);
