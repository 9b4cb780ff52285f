/* Inside the broker: its server, each session's routing table, parties,
 * streams (Subscribe, Serve, StateWatch) and requests waiting for their
 * answer. Not part of broker.h's contract. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "common/strbuf.h"
#include "supervisor/daemon/broker/broker.h"
#include "supervisor/daemon/broker/broker_fault.h"
#include "supervisor/daemon/core/bucket.h"
#include "supervisor/daemon/broker/broker_policy.h"
#include "supervisor/daemon/broker/queue.h"
#include "supervisor/daemon/broker/topic.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/call.h"
#include "supervisor/varlink/wire.h"

#define BROKER_DATA_MAX (64 * 1024)
#define BROKER_MAX_MESSAGE (128 * 1024) /* a call above it is garbage: hung up */
/* A stream's connection holds at most this much not yet read (or one
 * message, when it is larger); all streams' connections hold at most
 * BROKER_OUT_TOTAL, and all streams' queues BROKER_QUEUED_MAX, past which the
 * oldest messages of the fullest queues are dropped (missed). Each queue
 * holds at most BQ_MAX_BYTES. */
#define BROKER_OUT_HIGH (64 * 1024)
#define BROKER_OUT_TOTAL (16u << 20)
#define BROKER_QUEUED_MAX (32u << 20)
#define BROKER_PUMP_USEC 10000          /* backlogged streams are retried this often */
#define BROKER_HOST "host"
#define BROKER_MAX_PATTERNS 64
#define BROKER_LAT_BUCKETS 12
/* Connections: on one party's socket, in one session, and in all (the
 * broker's vl_server); a connection past one is closed as it comes. The
 * peers are all uid 0 here, so the server's per-uid bound says nothing. */
#define BROKER_PARTY_CONNS 64
#define BROKER_SESSION_CONNS 512
#define BROKER_CONNS 8192

typedef struct broker_session broker_session;
typedef struct bparty bparty;
typedef struct bstream bstream;
typedef struct breq breq;

typedef struct broker {
	struct corrald *d;
	vl_server *srv;
	el_source *pump; /* armed while a stream is backlogged */
	uint64_t next_id;
	strbuf render; /* a stream's next reply, reused from one to the next */
	size_t queued;    /* bytes in all streams' queues (bqueue.total) */
	size_t out_total; /* bytes all streams' connections hold, as last seen (bstream.out_seen) */
} broker;

struct bparty {
	broker_session *bs;
	char *name;   /* the container's name, or "host" */
	char *id;     /* the container's id; NULL for the host */
	char **labels;
	char *path;   /* its socket */
	bucket msgs, bytes;
	size_t n_conns; /* on its socket */
	bparty *next;
};

enum bstream_kind { BSTREAM_SUBSCRIBE, BSTREAM_SERVE, BSTREAM_WATCH };

/* A stream's far end: the call its method keeps (broker_stream_methods.c),
 * which the routing reaches only through these. */
typedef struct bstream_sink {
	/* Hand it m, with how many were missed before it; < 0 when its
	 * connection is gone (the stream is then freed by its method). */
	int (*send)(bstream *st, const bmsg *m, uint64_t missed);
	/* What its connection holds unread. */
	size_t (*unread)(const bstream *st);
	/* End it (end: the stream's, which is gone by then) with no reply, and
	 * close its connection. */
	void (*hang_up)(void *end, const char *why);
} bstream_sink;
/* What a stream's message adds to its body, at most, as its sink sends it. */
#define BSTREAM_SEND_SLACK 64

struct bstream {
	broker_session *bs;
	bparty *m;
	const bstream_sink *sink;
	void *end; /* the sink's: its call */
	enum bstream_kind kind;
	char **patterns;
	struct kv_watch *watch; /* BSTREAM_WATCH */
	bqueue *q;
	size_t out_seen; /* its connection's unread bytes when last pumped */
	bool backlogged;
	bstream *prev, *next;
};

/* A request's end, told to its method: the fault (answer NULL), or the
 * answer (f NULL). end is what the method gave with it: its call. */
typedef void breq_done_fn(void *end, broker_fault *f, const char *answer);

struct breq {
	broker_session *bs;
	breq_done_fn *done; /* the requester's method, */
	void *end;          /* given back to it */
	bparty *from, *server;
	char id[32];
	char *topic;
	uint64_t t0;
	el_source *timer;
	breq *next;
};

struct broker_session {
	broker *b;
	struct session *s;
	bparty *parties;
	bparty host;
	bstream *streams;
	breq *reqs;
	uint64_t seq;
	size_t n_conns; /* on its parties' sockets */
	uint64_t routed, dropped, denied, rate_limited, disconnected, refused;
	uint64_t lat[BROKER_LAT_BUCKETS + 1]; /* request latency, non-cumulative */
	uint64_t lat_count;
	double lat_sum;
};

/* broker_methods.c: io.corral.Broker */
extern const vl_interface broker_iface;
/* args.c: a call's parameters, checked (text, when not NULL, is the call's
 * message, params its parameters: data is then copied as it came); what want names (BA_*) must be
 * there and right, else f says which (InvalidParameter) or why
 * (InvalidMessage). */
enum {
	BA_SESSION = 1 << 0, BA_TOPIC = 1 << 1, BA_PATTERNS = 1 << 2, BA_DATA = 1 << 3, BA_TO = 1 << 4,
	BA_TIMEOUT = 1 << 5, BA_ID = 1 << 6, BA_KEY = 1 << 7, BA_PREFIX = 1 << 8, BA_VALUE = 1 << 9,
	BA_EXPECT = 1 << 10,
};
typedef struct broker_args {
	const char *session, *topic, *to, *id, *key, *prefix; /* in the parameters' tree */
	const char *data; /* data (or value) as JSON text, at most BROKER_DATA_MAX bytes, */
	size_t data_len;  /* NUL-terminated unless it stands in a call's text */
	char *data_buf;   /* data, when it was copied or generated */
	char **patterns; /* Subscribe's and Serve's topics */
	double timeout;  /* seconds; 30 when not given */
	int64_t expect;  /* expectVersion; -1 when not given */
} broker_args;
extern const double broker_lat_bounds[BROKER_LAT_BUCKETS];
