/* SPDY/3.1 (the draft the Kubernetes streaming protocols still speak
 * between kubelet and a runtime): its frames, and the name/value blocks of
 * SYN_STREAM and SYN_REPLY, compressed with zlib over SPDY/3's dictionary.
 * zlib is the library; the framing is corral's, as Debian has no SPDY one.
 * Every length that comes in is bounded by the caller's limit. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>
#include "common/error.h"
#include "common/strbuf.h"

#define SPDY_VERSION 3
#define SPDY_HEADER_LEN 8

enum spdy_type {
	SPDY_SYN_STREAM = 1,
	SPDY_SYN_REPLY = 2,
	SPDY_RST_STREAM = 3,
	SPDY_SETTINGS = 4,
	SPDY_PING = 6,
	SPDY_GOAWAY = 7,
	SPDY_HEADERS = 8,
	SPDY_WINDOW_UPDATE = 9,
};

#define SPDY_FLAG_FIN 0x01
#define SPDY_FLAG_UNIDIRECTIONAL 0x02

/* RST_STREAM's status codes */
enum spdy_rst {
	SPDY_PROTOCOL_ERROR = 1,
	SPDY_INVALID_STREAM = 2,
	SPDY_REFUSED_STREAM = 3,
	SPDY_CANCEL = 5,
	SPDY_INTERNAL_ERROR = 6,
	SPDY_FLOW_CONTROL_ERROR = 7,
	SPDY_STREAM_IN_USE = 8,
	SPDY_STREAM_ALREADY_CLOSED = 9,
	SPDY_FRAME_TOO_LARGE = 11,
};

/* SETTINGS_INITIAL_WINDOW_SIZE's id, and the window a stream starts with */
#define SPDY_SETTINGS_INITIAL_WINDOW 7
#define SPDY_DEFAULT_WINDOW 65536

/* One frame as it came: payload points into the caller's bytes */
typedef struct spdy_frame {
	bool control;
	uint16_t version, type; /* a control frame's */
	uint32_t stream_id;     /* a data frame's */
	uint8_t flags;
	const uint8_t *payload;
	uint32_t len;
} spdy_frame;

/* A name/value pair of a header block (a name may come with several values,
 * NUL-separated, as SPDY/3 joins them) */
typedef struct spdy_header {
	char *name, *value;
} spdy_header;
typedef struct spdy_headers {
	spdy_header *h;
	size_t n;
} spdy_headers;

/* A session's two zlib streams, one each way (each block goes on the same
 * stream as the last, as SPDY/3 has it) */
typedef struct spdy_zlib {
	z_stream in, out;
	bool in_ready, out_ready;
} spdy_zlib;

