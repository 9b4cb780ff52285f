/* broker_stream_methods.c: The streams' calls, Subscribe's, Serve's and
 * StateWatch's: kept open, and sent what the routing queues for them. */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* Keep call as m's stream of kind over patterns (taken); *out (when not
 * NULL) gets it, or NULL when the call was answered instead: it did not
 * ask for more (ExpectedMore), or memory ran out (hung up). What the
 * handler returns. */
int broker_stream_call(bparty *m, vl_call *call, enum bstream_kind kind, char **patterns, bstream **out);
/* Subscribe and Serve (kind), as m, to a->patterns (taken): past the gate, a stream. */
int broker_subscribe_call(bparty *m, vl_call *call, broker_args *a, enum bstream_kind kind);
