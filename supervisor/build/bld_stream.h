/* bld_stream.c: The build's end of the client's stream: the context in as
 * STDIN frames, the progress out as STDOUT frames of JSON lines. */
#pragma once
#include "supervisor/build/bld.h"

/* bld_stream.c: the progress, and the context in. */
void bld_say(bld *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bld_say_raw(bld *b, const char *text, size_t n);
int bld_send_result(bld *b, const char *id, const char *manifest);
/* The context into ctx_fd, as the caller, at most max bytes of files. */
int bld_take_context(bld *b, uint64_t max, cerr *err);
