/* corral-stream: one connection of the streaming server, handed over by
 * corrald (stream/stream.h there): its HTTP/1.1 upgrade, the token
 * redeemed with corrald, then the kind's protocol over SPDY/3.1. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "supervisor/stream/stream_conn.h"

#define SERVE_HEAD_TIMEOUT_MS 10000 /* for the request's head */

/* client: the connection; asks: corrald; idle_seconds: 0 for none. 0 when
 * served (however it ended), -1 when it could not be */
int serve_connection(int client, int asks, size_t idle_seconds);

