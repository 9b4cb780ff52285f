/* The CRI's streaming server, corrald's part: StreamPrepare's single-use
 * tokens, the TCP listener (stream-address) whose connections go to
 * corral-stream helpers without privileges (compat/handoff.h), and what a
 * helper may ask once it brings a token: the exec or attach it names, as
 * its owner's call, or connections to ports inside its session's network
 * namespace. corral-stream (supervisor/stream/) speaks SPDY and WebSocket;
 * corrald reads none of it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/varlink/server.h"
#include "supervisor/api/stream_asks.h"

struct corrald;

#define STREAM_TOKEN_TTL_USEC (60 * 1000000ull)
#define STREAM_MAX_TOKENS 256
#define STREAM_MAX_TOKENS_MEMBER 32
/* tokens redeemed, each holding its helper till its connection ends: a
 * member holds no more, so the helpers (256) stay for the others */
#define STREAM_MAX_HELD 256
#define STREAM_MAX_HELD_MEMBER 32

/* The listener and its helpers, where stream-address is set (and the CRI
 * is served); stream_stop undoes it. */
int stream_start(struct corrald *d, cerr *err);
void stream_stop(struct corrald *d);

vl_method_fn sv_stream_prepare;
