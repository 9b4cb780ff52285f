/* call.c: Calls: from a message to its method, and from the method's one
 * reply (or error) back onto the connection. */
#pragma once
#include "supervisor/varlink/server_internal.h"
#include "supervisor/varlink/server.h"

const char *vl_call_method(const vl_call *c);
const peer_cred *vl_call_peer(const vl_call *c);
/* The tag of the listener the call's connection came in on; NULL for local
 * calls and untagged listeners. */
void *vl_call_listener_tag(const vl_call *c);
/* Made inside corrald (vl_local_call), on a peer's behalf, not by the peer. */
bool vl_call_is_local(const vl_call *c);
yajl_val vl_call_params(const vl_call *c);
/* The call's message as it came (without its NUL), while its method runs;
 * NULL for a local call or once the method has kept the call. */
const char *vl_call_text(const vl_call *c, size_t *len);
bool vl_call_wants_more(const vl_call *c);
bool vl_call_is_oneway(const vl_call *c);
bool vl_call_wants_upgrade(const vl_call *c);
/* Bytes queued on the call's connection, for pacing streaming replies. */
size_t vl_call_out_pending(const vl_call *c);
/* Keep the call, to end it later (fn non-NULL); or, with NULL, take the hook
 * back just before ending it. */
void vl_call_set_cancel(vl_call *c, void (*fn)(vl_call *c, void *data), void *data);
/* End the call with parameters (object JSON text, NULL for {}). */
int vl_call_reply(vl_call *c, const char *params_json);
/* The generator must hold one complete object. */
int vl_call_reply_gen(vl_call *c, yajl_gen g);
/* A streamed reply ("continues": true); only when the caller asked for more. */
int vl_call_notify(vl_call *c, const char *params_json);
/* The same, of params_json's len bytes. */
int vl_call_notify_n(vl_call *c, const char *params_json, size_t len);
int vl_call_error(vl_call *c, const char *error, const char *params_json);
/* End the call with no reply and close its connection soon, from the loop
 * (a peer that reads nothing: the circuit breaker); its cancel hook does
 * not run. */
void vl_call_disconnect(vl_call *c, const char *why);
/* org.varlink.service.InvalidParameter naming the parameter. */
int vl_call_invalid_parameter(vl_call *c, const char *parameter);
/* {"key":"value"} with value escaped; NULL on allocation failure. */
char *vl_json_obj1(const char *key, const char *value);

/* call.c: from a message to its method, and back. */
void vl_call_dispatch(vl_conn *c, vl_call *call);
/* Serve call from its text (call->text) when its method has a raw server
 * and takes it; false when it goes the tree's way (vl_call_dispatch). */
bool vl_call_dispatch_text(vl_conn *c, vl_call *call);
/* The call is over (error NULL: it succeeded), replied or not. */
void vl_call_finish(vl_call *call, const char *error);
/* End it with no reply, and drop its connection (out of memory, a bug). */
void vl_call_hang_up(vl_call *call, const char *why);
/* Find call's method among s's interfaces and run it. */
int vl_call_invoke(vl_server *s, vl_call *call);
