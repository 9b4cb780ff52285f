/* Inside the broker: its server, each session's routing table, members,
 * streams (Subscribe, Serve, StateWatch) and requests waiting for their
 * answer. Not part of broker.h's contract. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_tree.h>
#include "common/strbuf.h"
#include "supervisor/daemon/broker/broker.h"
#include "supervisor/daemon/broker/bucket.h"
#include "supervisor/daemon/broker/policy.h"
#include "supervisor/daemon/broker/queue.h"
#include "supervisor/varlink/server.h"
#include "supervisor/varlink/wire.h"

#define BROKER_ERR(name) "io.corral.Broker." name
#define BROKER_DATA_MAX (64 * 1024)
#define BROKER_MAX_MESSAGE (128 * 1024) /* a call above it is garbage: hung up */
#define BROKER_OUT_HIGH (256 * 1024)    /* a stream's connection takes more only below this */
#define BROKER_PUMP_USEC 10000          /* backlogged streams are retried this often */
#define BROKER_HOST "host"
#define BROKER_MAX_PATTERNS 64
#define BROKER_LAT_BUCKETS 12

typedef struct broker_session broker_session;
typedef struct bmember bmember;
typedef struct bstream bstream;
typedef struct breq breq;

typedef struct broker {
	struct corrald *d;
	vl_server *srv;
	el_source *pump; /* armed while a stream is backlogged */
	uint64_t next_id;
} broker;

struct bmember {
	broker_session *bs;
	char *name;   /* the container's name, or "host" */
	char *id;     /* the container's id; NULL for the host */
	char **labels;
	char *path;   /* its socket */
	bucket msgs, bytes;
	bmember *next;
};

enum bstream_kind { BSTREAM_SUBSCRIBE, BSTREAM_SERVE, BSTREAM_WATCH };

struct bstream {
	broker_session *bs;
	bmember *m;
	vl_call *call;
	enum bstream_kind kind;
	char **patterns;
	struct sstate_watch *watch; /* BSTREAM_WATCH */
	bqueue *q;
	bool backlogged;
	bstream *prev, *next;
};

struct breq {
	broker_session *bs;
	vl_call *call; /* the requester's */
	bmember *from, *server;
	char id[32];
	char *topic;
	uint64_t t0;
	el_source *timer;
	breq *next;
};

struct broker_session {
	broker *b;
	struct session *s;
	bmember *members;
	bmember host;
	bstream *streams;
	breq *reqs;
	uint64_t seq;
	uint64_t routed, dropped, denied, rate_limited, disconnected;
	uint64_t lat[BROKER_LAT_BUCKETS + 1]; /* request latency, non-cumulative */
	uint64_t lat_count;
	double lat_sum;
};

/* broker.c */
broker *broker_of(struct corrald *d);
/* By name ("host": the operator); NULL when the session has none. */
bmember *broker_member_named(broker_session *bs, const char *name);
void broker_pump_arm(broker *b);
/* methods.c: io.corral.Broker */
extern const vl_interface broker_iface;
/* Parameters every side reads alike: the topic, patterns (taken; 1 when
 * the call has its error already). */
int broker_param_topic(vl_call *call, yajl_val params, const char **topic);
int broker_param_patterns(vl_call *call, yajl_val params, char ***out);
/* The parameters of Publish, Subscribe, Request and Serve, for m. */
int broker_do_publish(bmember *m, vl_call *call, yajl_val params);
int broker_do_subscribe(bmember *m, vl_call *call, yajl_val params, enum bstream_kind kind);
int broker_do_request(bmember *m, vl_call *call, yajl_val params);
/* gate.c: may m do a on topic, and is it within its rate? When not, the
 * call has its error (Denied, audited; RateLimited) and this returns 1. */
int broker_gate(bmember *m, vl_call *call, enum broker_action a, const char *topic, size_t bytes);
/* Only the rate (a Reply, a StateSet); 1 with RateLimited given. */
int broker_rate(bmember *m, vl_call *call, size_t bytes);
int broker_error_invalid(vl_call *call, const char *reason);
/* route.c */
/* data as JSON text (at most BROKER_DATA_MAX), or an InvalidMessage reply (1). */
int broker_data_text(vl_call *call, yajl_val data, char **out);
bmsg *broker_message(broker_session *bs, const char *topic, const char *from, const char *data);
int broker_publish(bmember *m, vl_call *call, const char *topic, yajl_val data);
/* Keep call as m's stream of kind over patterns (taken). */
int broker_stream(bmember *m, vl_call *call, enum bstream_kind kind, char **patterns);
void bstream_push(bstream *st, bmsg *msg);
void bstream_pump(bstream *st);
void bstream_close(bstream *st);
/* request.c */
int broker_request(bmember *m, vl_call *call, const char *to, const char *topic, yajl_val data, double timeout);
int broker_reply(bmember *m, vl_call *call, const char *id, yajl_val data);
void breq_end_all(broker_session *bs);
/* m goes: the requests it took can no longer be answered (they time out). */
void breq_forget_member(broker_session *bs, bmember *m);
extern const double broker_lat_bounds[BROKER_LAT_BUCKETS];
/* state.c: the State methods, for any member */
int broker_state_call(bmember *m, vl_call *call, const char *method, yajl_val params);
