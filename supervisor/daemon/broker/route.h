/* route.c: Routing inside a session: Publish to the matching streams, each
 * stream's queue, and handing queued messages to its sink only as fast as
 * the peer reads (corrald never blocks on, nor buffers without bound for, a
 * slow subscriber). */
#pragma once
#include "supervisor/daemon/broker/broker_int.h"

/* m publishes a->data on a->topic: past the gate, to every Subscribe stream
 * that matches; *delivered how many. -1 with f filled when refused. */
int broker_publish(bparty *m, const peer_cred *peer, const broker_args *a, long long *delivered, broker_fault *f);
/* May m (as peer) subscribe to (or serve, by kind) each of patterns? 0, or -1 with f filled. */
int broker_may_listen(bparty *m, const peer_cred *peer, enum bstream_kind kind, char *const *patterns,
		      broker_fault *f);
bmsg *broker_message(broker_session *bs, const char *topic, const char *from, const char *data, size_t data_len);
/* m's stream of kind over patterns (taken), its messages handed to sink
 * with end; NULL when out of memory. */
bstream *bstream_open(bparty *m, enum bstream_kind kind, char **patterns, const bstream_sink *sink, void *end);
void bstream_push(bstream *st, bmsg *msg);
void bstream_pump(bstream *st);
/* What st's sink holds, as it is now, into the broker's total. */
void bstream_out_seen(bstream *st);
/* st ends: freed, and its far end hung up. */
void bstream_close(bstream *st);
/* st's far end is gone: st is freed, with nothing said to it. */
void bstream_free(bstream *st);
