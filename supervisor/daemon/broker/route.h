/* route.c: Routing inside a session: Publish to the matching streams, each
 * stream's queue, and handing queued messages to its connection only as fast
 * as the peer reads (corrald never blocks on, nor buffers without bound for,
 * a slow subscriber). */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* What Publish, Subscribe/Serve (taking a->patterns) and Request do for m. */
int broker_do_publish(bparty *m, vl_call *call, broker_args *a);
int broker_do_subscribe(bparty *m, vl_call *call, broker_args *a, enum bstream_kind kind);
bmsg *broker_message(broker_session *bs, const char *topic, const char *from, const char *data, size_t data_len);
/* Keep call as m's stream of kind over patterns (taken). */
int broker_stream(bparty *m, vl_call *call, enum bstream_kind kind, char **patterns);
void bstream_push(bstream *st, bmsg *msg);
void bstream_pump(bstream *st);
/* What st's connection holds, as it is now, into the broker's total. */
void bstream_out_seen(bstream *st);
void bstream_close(bstream *st);
