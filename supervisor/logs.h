/* Serving a container's log to a Logs call: the history (tail, since) as
 * LogLine objects, then with follow a stream of new lines, polled from the
 * file, until the container ends (logs_stream_end) or the caller hangs up. */
#pragma once
#include <stdbool.h>
#include "crilog_reader.h"
#include "eventloop.h"
#include "varlink_server.h"

typedef struct logs_stream logs_stream;

#define LOGS_POLL_USEC 100000
#define LOGS_MAX_REPLY (8u << 20) /* a reply this large is sent (or refused) */

/* Ends the call unless follow; with follow, *out (may be NULL) is the stream,
 * which frees itself when the call ends. Returns -errno when the call was
 * ended with an error. */
int logs_serve(el_loop *loop, vl_call *call, const char *path, const crilog_read_opts *o,
	       bool follow, logs_stream **out);
/* The container is gone: send what is left and end the call. */
void logs_stream_end(logs_stream *s);
