/* corral-cri: one client's CRI connection (kubelet's, crictl's), served
 * without privileges. corrald accepts the connection and hands it over
 * (compat/handoff.h); corral-cri parses HTTP/2 (nghttp2, which does no I/O:
 * it runs in this process's epoll loop), gRPC's framing and the CRI's
 * protobuf (protobuf-c, from runtime_v1.proto), and calls corrald over
 * varlink connections that carry the client's identity, one for each call
 * in flight. What a handler sees is here: its call, its answers, and its
 * calls to corrald. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>
#include "common/error.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/client.h"

/* gRPC's status codes (grpc/doc/statuscodes.md) */
typedef enum grpc_code {
	GRPC_OK = 0,
	GRPC_CANCELLED = 1,
	GRPC_UNKNOWN = 2,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_NOT_FOUND = 5,
	GRPC_ALREADY_EXISTS = 6,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_FAILED_PRECONDITION = 9,
	GRPC_ABORTED = 10,
	GRPC_OUT_OF_RANGE = 11,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
	GRPC_UNAUTHENTICATED = 16,
} grpc_code;

/* The most one message may be, either way: kubelet's own bound for the CRI */
#define CRI_MAX_MESSAGE (16u << 20)
/* The CPU one corral-cri may use in its life (SIGXCPU, then SIGKILL) */
#define CRI_CPU_SECONDS (24 * 3600)

typedef struct cri_call cri_call;

/* A handler gets its call and the request, unpacked (freed with the call),
 * and answers through c, now or from a callback later. A header declares
 * its file's handlers with this type: `cri_handler rpc_version;`. */
typedef void cri_handler(cri_call *c, const ProtobufCMessage *req);

typedef struct cri_method {
	const char *name;       /* the rpc's, as in the service ("RunPodSandbox") */
	cri_handler *fn;
	bool server_stream;     /* it answers with a stream of messages */
} cri_method;

/* A service: its path prefix ("/runtime.v1.ImageService/"), protoc-c's
 * description of it, and its methods served (NULL-named at the end). */
typedef struct cri_service {
	const char *prefix;
	const ProtobufCServiceDescriptor *desc;
	const cri_method *methods;
} cri_service;

/* The CRI's two services (cri_methods.c), NULL-prefixed at the end */
extern const cri_service cri_services[];

/* A call of corrald's for c (method without its "io.corral.Supervisor."
 * prefix; params: an object's JSON text, or NULL): fn gets each reply
 * (rep->error set for an error reply; rep NULL when corrald could not be
 * reached, c answered UNAVAILABLE already), more than one with
 * VL_CALL_MORE while rep->continues. The reply is released after fn.
 * VL_CALL_UPGRADE here means the call uses its connection up (Exec:
 * corrald hands it to the monitor): it is closed after, not reused. A call
 * whose client went away gets no callback. */
typedef void (*cri_corrald_fn)(cri_call *c, vl_reply *rep, void *data);
