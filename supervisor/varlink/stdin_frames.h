/* The client's bytes, as the STDIN frames of a Streams connection bring
 * them up to its CLOSE_STDIN: what CopyTo unpacks, an ImageLoad spools and
 * a build takes as its context. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"
#include "supervisor/varlink/streams.h"

typedef struct stdin_frames {
	int sock;
	stream_reader r;
	bool ended;     /* CLOSE_STDIN came */
	uint64_t bytes; /* taken so far */
	uint64_t max;   /* more than this is refused */
	char buf[STREAM_MAX_PAYLOAD];
} stdin_frames;

/* Allocated and reading sock; NULL when out of memory. */
stdin_frames *stdin_frames_new(int sock, uint64_t max);
void stdin_frames_free(stdin_frames *in);
/* The next piece in *out (valid until the next call): its size, 0 at
 * CLOSE_STDIN, or -errno with err set (garbage, past max, a hangup). */
long stdin_frames_next(stdin_frames *in, const void **out, cerr *err);
