/* Serving a container's log to a Logs call with more: the history (tail,
 * since, until) as LogLine objects, streamed, then with follow a
 * stream of new lines, polled from the file, until the container ends
 * (logs_stream_end), the clock passes until, or the caller hangs up. */
#pragma once
#include <stdbool.h>
#include "supervisor/logs/crilog_reader.h"
#include "supervisor/daemon/containers/record/ctr.h"
#include "supervisor/daemon/containers/record/log_lines.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/server.h"

typedef struct logs_stream logs_stream;

#define LOGS_POLL_USEC 100000
/* A stream (more) sends replies of about LOGS_STREAM_BATCH, at most
 * LOGS_STREAM_STEP in one turn of the loop, and reads the log only while
 * less than LOGS_STREAM_QUEUE waits for its caller: the memory and the time a Logs call
 * takes are bounded, whatever the size of the log. A reader that does not
 * read holds that much of corrald's memory, and its stream is paused,
 * resumed from the file when it reads again; a member has at most
 * LOGS_STREAMS_PER_MEMBER open. (30 stalled followers of a 10 MB/s
 * writer took corrald from 7 to 56 MB with 1 MiB each, and held root's
 * Ping 434 ms behind their turns: tests/bench/followers.sh.) */
#define LOGS_STREAM_BATCH (32u << 10)
#define LOGS_STREAM_QUEUE (128u << 10)
#define LOGS_STREAM_STEP (64u << 10) /* 30 followers starting at once held root 80 ms with 128 KiB each */
#define LOGS_STREAMS_PER_MEMBER 16u
#define LOGS_STREAMS_PER_MEMBER_STR "16"
#define LOGS_YIELD_USEC 1000   /* more to send: after the others' turn */
#define LOGS_BEHIND_USEC 10000 /* the caller has not read what it has */

/* A stream for a call with more: it keeps the call (its cancel hook) and
 * ends it once, when the history is sent, or with follow when the container
 * ends (logs_stream_end) or the caller hangs up. *out is the stream while it
 * follows, else NULL (it may have ended the call already). On failure the
 * call is not taken: -errno, and err says why. */
int logs_stream_start(el_loop *loop, vl_call *call, const char *path, const crilog_read_opts *o, bool follow,
		      logs_stream **out, cerr *err);
/* The streams open whose caller is uid; all of them */
size_t logs_streams_of(uid_t uid);
size_t logs_streams_open(void);
/* The container has ended: send what is left and end the call (now, or as
 * the caller takes it). */
void logs_stream_end(logs_stream *s);
/* s follows c's log until c ends: then it sends what is left and ends its
 * call (now, or as the caller takes it). */
void logs_stream_follow(ctr *c, logs_stream *s);
