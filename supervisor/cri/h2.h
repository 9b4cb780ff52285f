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

/* Serve the client's HTTP/2 connection fd until it ends: the methods of
 * services, whose calls reach corrald through links, and whose lists may
 * answer from store (cri_store.h; NULL: none). */
int cri_serve(el_loop *loop, int fd, cri_links *links, cri_store *store, const cri_service *services, uid_t peer,
	      cerr *err);

/* grpc_call.c: the call's answer, as gRPC frames it */
/* resume the stream's output (more bytes, or the end) */
void h2_call_wake(cri_call *c);
/* free c once nothing refers to it: its stream ended and no corrald call
 * is in flight */
void h2_call_release(cri_call *c);
cri_links *h2_call_links(cri_call *c);
/* the connection's relist store (cri_store.h); NULL when out of memory */
cri_store *h2_call_store(cri_call *c);
/* Parse the request body: the one gRPC message, unpacked into c->req; 0, or
 * -1 with c answered. */
int call_unpack(cri_call *c);
void call_drop_request(cri_call *c);
/* gRPC's grpc-timeout ("10S", "500m", at most 8 digits and a unit): usec, or
 * 0 when it is not one */
uint64_t grpc_timeout_usec(const char *v, size_t len);
/* percent-encode msg for grpc-message, into out (NUL-terminated) */
void grpc_message_encode(const char *msg, char *out, size_t size);

/* links.c: varlink connections to corrald, each the client's own: fd 3,
 * and more asked for on grants (compat/handoff.h) */
int links_new(el_loop *loop, int first, int grants, cri_links **out, cerr *err);
void links_free(cri_links *l);
/* A call of corral-cri's own (the relist's store's), for no client's
 * call: fn gets each reply as cri_corrald's do, and NULL when corrald could
 * not be reached (the last it gets) */
typedef void (*links_fn)(vl_reply *rep, void *data);
void links_call(cri_links *l, const char *method, const char *params, unsigned flags, links_fn fn, void *data);
