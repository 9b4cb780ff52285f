/* grpc_call.c: A call's gRPC framing (h2.h): the request's one message in,
 * the answer's messages out (a 5-byte prefix each: a compressed flag, then
 * the length, big-endian), the status in the trailers. */
#pragma once
#include "supervisor/cri/h2.h"
#include "supervisor/cri/cri.h"

/* Answers: each call gets exactly one of cri_reply (or cri_reply_packed),
 * cri_fail or cri_stream_end; after it, c is gone. */
void cri_reply(cri_call *c, const ProtobufCMessage *resp);
/* The same, of a response packed already (len bytes of its message) */
void cri_reply_packed(cri_call *c, const void *packed, size_t len);
void cri_fail(cri_call *c, grpc_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A server stream's next message: 0, or -1 when the client is gone (the
 * call was ended: c is gone). */
int cri_stream_send(cri_call *c, const ProtobufCMessage *msg);
void cri_stream_end(cri_call *c);
/* Memory of size zeroed bytes for the handler's own, freed with the call
 * (the same block at each call). */
void *cri_call_ctx(cri_call *c, size_t size);
/* What the call's memory holds that is freed with it however the call
 * ends (answered, cancelled, past its deadline): fn gets the ctx block. */
void cri_call_ctx_release(cri_call *c, void (*fn)(void *ctx));

/* Parse the request body: the one gRPC message, unpacked into c->req; 0, or
 * -1 with c answered. */
int call_unpack(cri_call *c);
void call_drop_request(cri_call *c);
/* gRPC's grpc-timeout ("10S", "500m", at most 8 digits and a unit): usec, or
 * 0 when it is not one */
uint64_t grpc_timeout_usec(const char *v, size_t len);
/* percent-encode msg for grpc-message, into out (NUL-terminated) */
void grpc_message_encode(const char *msg, char *out, size_t size);
