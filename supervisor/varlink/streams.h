/* Streams: what a connection carries after an Attach or Exec called with
 * "upgrade" (io.corral.Supervisor.varlink). Frames of 1 byte kind, 4 bytes
 * payload length (big-endian), then the payload. corralctl speaks it on one
 * end, corral-monitor on the other; corrald only hands the socket over. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "common/strbuf.h"
#include "supervisor/varlink/wire.h"

enum stream_kind {
	STREAM_STDIN = 0,       /* client -> container: bytes for stdin */
	STREAM_STDOUT = 1,      /* container -> client */
	STREAM_STDERR = 2,      /* container -> client */
	STREAM_RESIZE = 3,      /* client -> container: rows, cols (2 bytes each, BE) */
	STREAM_CLOSE_STDIN = 4, /* client -> container: end of input */
	STREAM_EXIT = 5,        /* container -> client: exit code (4 bytes, BE); then the end */
	STREAM_SIGNAL = 6,      /* client -> container: a signal number (4 bytes, BE) */
	STREAM_STAT = 7,        /* copy -> client: CopyFrom's path, JSON, before the tar (when asked) */
};

#define STREAM_HEADER 5
/* A frame larger than this is not one of ours: the peer is dropped. */
#define STREAM_MAX_PAYLOAD (1u << 20)

/* Who reads: the container's side takes the client's kinds, and the client
 * the container's. Anything else is garbage. */
enum stream_side { STREAM_AT_CONTAINER, STREAM_AT_CLIENT };

typedef struct stream_frame {
	enum stream_kind kind;
	uint32_t len;
	const char *data; /* len bytes, valid until the reader's next call */
} stream_frame;

typedef struct stream_reader {
	enum stream_side side;
	vl_framer in; /* its buffer: bytes received, not yet cut into frames */
} stream_reader;

void stream_reader_init(stream_reader *r, enum stream_side side);
void stream_reader_release(stream_reader *r);
/* Space to receive into (at least want bytes); commit n of them after. */
int stream_reader_reserve(stream_reader *r, size_t want, char **p, size_t *room);
void stream_reader_commit(stream_reader *r, size_t n);
/* One read(2) of fd into the reader: the bytes read, 0 at the stream's end,
 * or -errno (-EINTR, -EAGAIN on a non-blocking fd). */
ssize_t stream_reader_fill(stream_reader *r, int fd);
/* 1 and the next frame, 0 when none is complete yet, -EPROTO when the bytes
 * are not frames this side takes (unknown kind, a kind of the other
 * direction, a fixed-size payload of the wrong size, or too large). */
int stream_reader_next(stream_reader *r, stream_frame *f);
/* Bytes received and not yet cut into frames. */
size_t stream_reader_pending(const stream_reader *r);

/* Append one frame to out; 0 or -ENOMEM. */
int stream_put(strbuf *out, enum stream_kind kind, const void *data, size_t len);
/* One frame written whole to a blocking socket: 0, or -errno. */
int stream_send(int sock, enum stream_kind kind, const void *data, size_t len);
/* data in as many frames as it takes: 0, or -errno. */
int stream_send_all(int sock, enum stream_kind kind, const void *data, size_t len);
/* The end of a stream whose other side waits for EXIT: a STDERR line that
 * says why (unless NULL), then EXIT code. 0, or -errno. */
int stream_end(int sock, int code, const char *why);
/* EXIT and SIGNAL. */
int stream_put_u32(strbuf *out, enum stream_kind kind, uint32_t v);
int stream_put_resize(strbuf *out, unsigned rows, unsigned cols);
/* The payload of an EXIT or SIGNAL frame. */
uint32_t stream_frame_u32(const stream_frame *f);
void stream_frame_size(const stream_frame *f, unsigned *rows, unsigned *cols);
