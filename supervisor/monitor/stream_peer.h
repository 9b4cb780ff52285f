/* A client of the monitor on a Streams connection (varlink/streams.h):
 * attached to the container, or to an exec. Output to it is queued up to a
 * bound and written without ever blocking the monitor: past the bound a
 * frame is dropped for this client and counted, so a client that does not
 * read costs the others, and the log, nothing. Frames from it go to the
 * owner; garbage or a hang-up ends it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/error.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/streams.h"

typedef struct stream_peer stream_peer;

typedef struct stream_peer_ops {
	/* STDIN, RESIZE, CLOSE_STDIN or SIGNAL from the client */
	void (*frame)(stream_peer *p, const stream_frame *f, void *data);
	/* its queue has emptied (an owner that paused its source resumes) */
	void (*drained)(stream_peer *p, void *data);
	/* it has gone (hang-up, garbage, or its EXIT was sent): unlink it; the
	 * peer is freed once this returns */
	void (*gone)(stream_peer *p, void *data);
} stream_peer_ops;

/* Serve fd (taken: closed on failure too), a connected socket. */
int stream_peer_new(el_loop *l, int fd, size_t max_queue, const stream_peer_ops *ops, void *data,
		    stream_peer **out, cerr *err);
/* Free it now, its queue unsent (gone is not called). */
void stream_peer_free(stream_peer *p);
/* Queue a frame; false when it did not fit, and was dropped and counted. */
bool stream_peer_send(stream_peer *p, enum stream_kind kind, const void *buf, size_t n);
size_t stream_peer_queued(const stream_peer *p);
/* Bytes of output dropped for this client. */
uint64_t stream_peer_dropped(const stream_peer *p);
/* Take no frames from it for now: stdin waits in its socket. A client
 * that hangs up meanwhile has the rest of its input served as the pause
 * lifts, within STREAM_PEER_LINGER_MS; then it ends. */
void stream_peer_pause_input(stream_peer *p, bool pause);
/* Queue EXIT with code, the last frame; it goes once that is sent, or
 * after STREAM_PEER_LINGER_MS if the client does not read it. */
void stream_peer_finish(stream_peer *p, int code);
/* Before the process exits: write what is queued, for up to ms. */
void stream_peer_flush_blocking(stream_peer *p, int ms);

#define STREAM_PEER_LINGER_MS 5000
