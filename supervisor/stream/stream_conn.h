/* One kubelet connection to the streaming server, after its upgrade to
 * SPDY/3.1: the client's streams (each opened by the client, told apart by
 * its streamtype header; port-forward's by port and requestid too), the
 * frames each way, and the loop that serves them with whatever the kind
 * (exec and attach: exec_bridge.c; port-forward: port_forward.c) adds.
 * As the Go server kubelet ships, no flow-control window is kept: what
 * bounds memory is SC_HIGH_WATER (the kind stops reading what it sends
 * the client while that much waits; nor is the client read, whose frames
 * each may add an answer: a PING's, a reset), hold_in (the client is not
 * read while the kind's own queue is full) and each kind's own bounds.
 * Once the connection is done, what is queued for the client goes while
 * the client reads some of it every SC_FLUSH_USEC; then it is dropped. */
#pragma once
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/outq.h"
#include "supervisor/stream/spdy.h"
#include "supervisor/stream/upgrade.h"

#define SC_MAX_STREAMS 128          /* open at once; more are refused */
#define SC_MAX_FRAME (1u << 20)     /* a frame's payload, from the client */
#define SC_MAX_HEADERS 16384        /* a header block, inflated */
#define SC_MAX_PAIRS 64             /* name/value pairs in one */
#define SC_HIGH_WATER (1u << 20)    /* queued for the client */
#define SC_ASK_TIMEOUT_MS 10000     /* corrald's answer to an ask */
#define SC_FLUSH_USEC 10000000ull   /* a done connection's client reads none of its last frames */
#define SC_MAX_FDS 136              /* the client, the asks, and a kind's */

enum sc_type { SC_ERROR, SC_STDIN, SC_STDOUT, SC_STDERR, SC_RESIZE, SC_DATA, SC_OTHER };
/* what the connection speaks after its upgrade: SPDY/3.1's streams, or a
 * WebSocket's channels (ws.c): binary messages whose first byte is the
 * channel, or (base64.channel.k8s.io) text ones whose first is its digit */
enum sc_wire { SC_SPDY, SC_WS, SC_WS_BASE64 };

typedef struct sc_stream {
	uint32_t id;           /* SPDY's stream id; a WebSocket's channel */
	enum sc_type type;
	long port;             /* port-forward's */
	char request_id[32];   /* port-forward's */
	bool client_fin, our_fin;
} sc_stream;

typedef struct stream_conn stream_conn;

/* what a kind adds */
typedef struct sc_kind {
	void (*opened)(stream_conn *c, sc_stream *s);
	void (*data)(stream_conn *c, sc_stream *s, const uint8_t *p, size_t n);
	void (*fin)(stream_conn *c, sc_stream *s);   /* the client sends no more on s */
	void (*reset)(stream_conn *c, sc_stream *s); /* s is gone after */
	/* its fds for poll (events set), at most max; and what came of them */
	size_t (*fds)(stream_conn *c, struct pollfd *p, size_t max);
	void (*ready)(stream_conn *c, const struct pollfd *p, size_t n);
	/* once a second */
	void (*tick)(stream_conn *c, uint64_t now_usec);
} sc_kind;

struct stream_conn {
	int client;   /* kubelet's connection (non-blocking) */
	int asks;     /* corrald, for what this connection may have */
	upgrade_req req;
	const char *protocol; /* the subprotocol chosen */
	unsigned flags;       /* what the token granted (STREAM_F_*) */
	const sc_kind *kind;
	void *kind_data;
	outq out;             /* to the client */
	strbuf in;            /* from it, not yet framed */
	enum sc_wire wire;
	spdy_zlib z;
	strbuf ws_msg;        /* a WebSocket message, its fragments so far */
	bool ws_closed;       /* our close frame is queued */
	sc_stream streams[SC_MAX_STREAMS];
	size_t n_streams;
	uint32_t last_id;
	uint64_t idle_usec, last_traffic_usec;
	bool done;            /* flush what is queued, then end */
	bool hold_in;         /* a kind's: its end takes no more; the client is not read */
	const char *why;      /* why it ended early, for the log */
};

/* The loop: until done (and flushed), the client gone, or idle */
int sc_run(stream_conn *c);
/* Data on s (fin: the last); the stream is ours to end once */
int sc_send(stream_conn *c, sc_stream *s, const void *p, size_t n, bool fin);
void sc_reset(stream_conn *c, sc_stream *s, enum spdy_rst status);
/* the open stream of that type (the first), or NULL */
sc_stream *sc_find(stream_conn *c, enum sc_type type);
/* forget a stream ended both ways */
void sc_forget(stream_conn *c, sc_stream *s);
/* A protocol error: GOAWAY (a WebSocket: close 1002), then the end */
void sc_fail(stream_conn *c, const char *why);

/* An ask of corrald's (stream.h's STREAM_ASK_*): 1 and its answer's bytes
 * after the first (NUL-terminated, *fd the fd that came, or -1), 0 when it
 * said no (why in reply), -1 when it did not answer */
int sc_ask(stream_conn *c, const void *msg, size_t n, char *reply, size_t reply_len, int *fd);
