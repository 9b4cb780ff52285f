/* corral-cri's inside: the HTTP/2 connection and its calls (h2_conn.c),
 * gRPC's framing of them (grpc_call.c), the varlink connections to corrald
 * (links.c). Handlers see cri.h only. */
#pragma once
#include <nghttp2/nghttp2.h>
#include <stdint.h>
#include "common/strbuf.h"
#include "supervisor/cri/cri.h"

typedef struct cri_conn cri_conn;
typedef struct cri_links cri_links;
typedef struct cri_store cri_store;

struct cri_call {
	cri_conn *conn;
	int32_t stream_id;
	const cri_method *m;
	const ProtobufCMessageDescriptor *in, *out_type;
	char path[128];
	bool post;        /* :method POST, as gRPC's every call */
	bool grpc;        /* content-type application/grpc (or +proto) */
	bool compressed;  /* grpc-encoding other than identity */
	strbuf body;      /* the request's bytes as they come */
	ProtobufCMessage *req;
	el_source *deadline; /* grpc-timeout's */
	uint64_t timeout_usec;
	/* the answer: gRPC messages, then the status in trailers */
	strbuf out;
	size_t out_off;
	bool headers_sent, answered, stream_gone;
	grpc_code code;
	char *message;
	unsigned in_corrald; /* calls of corrald's in flight for it */
	void *ctx;
	void (*ctx_release)(void *ctx);
	cri_call *next;
};

/* A call of corral-cri's own (the relist's store's), for no client's
 * call: fn gets each reply as cri_corrald's do, and NULL when corrald could
 * not be reached (the last it gets) */
typedef void (*links_fn)(vl_reply *rep, void *data);
