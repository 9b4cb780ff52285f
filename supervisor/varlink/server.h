/* A varlink server inside the event loop: listening sockets, non-blocking
 * connections with bounded per-connection buffers, peer checks, method
 * dispatch, streaming replies, and org.varlink.service. The server is in
 * server.c, connections in conn.c, calls and replies in call.c. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "common/error.h"
#include "supervisor/loop/eventloop.h"
#include "supervisor/varlink/peer.h"
#include "supervisor/varlink/wire.h"

typedef struct vl_server vl_server;
typedef struct vl_call vl_call;

/* A method handler owns its call, and is the one place that answers it: it
 * checks the parameters (helpers return what was wrong, never a reply), then
 * returns the one reply or error, `return vl_call_reply(call, ...)`, as
 * systemd's methods return sd_varlink_error(). Or it keeps the call to end
 * it once, later, from the event loop (a Wait, a stream): it then sets a
 * cancel hook and returns 0. The hook runs when the connection goes away
 * first; the call is freed after it. A handler that neither answers nor
 * keeps its call is a bug: the server logs it and hangs up. */
typedef int (*vl_method_fn)(vl_call *call, yajl_val params, void *userdata);

typedef struct vl_method {
	const char *name; /* unqualified: "Ping" */
	vl_method_fn fn;
} vl_method;

typedef struct vl_interface {
	const char *name;        /* "io.corral.Supervisor" */
	const char *description; /* the interface definition text */
	const vl_method *methods;
	size_t n_methods;
} vl_interface;

typedef struct vl_call_info {
	const char *method;
	const peer_cred *peer;
	yajl_val params;   /* NULL for a call served from its text */
	const char *error; /* NULL on success */
	uint64_t usec;     /* from receipt to the final reply */
} vl_call_info;

typedef struct vl_server_config {
	const char *vendor, *product, *version, *url;
	size_t max_message;       /* default VL_MAX_MESSAGE */
	size_t max_connections;   /* default 1024 */
	size_t max_per_uid;       /* default 128 */
	gid_t group;              /* members may call; PEER_NO_GROUP: root only */
	bool any_peer;            /* every peer may call (who may connect is the socket's business) */
	const char *denied_error; /* default org.varlink.service.PermissionDenied */
	/* what a call one of whose parameters holds a NUL gets, with
	 * {parameter, reason}; default org.varlink.service.InvalidParameter,
	 * with {parameter} alone as the standard has it */
	const char *invalid_error;
	bool accept_fds;          /* keep fds peers send (SCM_RIGHTS) for vl_call_take_fd */
	/* Called before each call of a peer is dispatched: NULL lets it in,
	 * else the error it ends with (params, n bytes, its parameters or ""):
	 * a rate limit. */
	const char *(*admit)(vl_call *call, char *params, size_t n, void *userdata);
	/* Called once per call when it ends (metrics, audit). */
	void (*on_call_done)(const vl_call_info *info, void *userdata);
	/* Called at accept time for a connection of a tagged listener, past the
	 * global and per-uid bounds: NULL takes it in (the hook counts it), else
	 * why it is refused (closed). conn_gone runs once for each one taken in,
	 * when it goes (never for a refused one): per-tag bounds. */
	const char *(*conn_admit)(void *tag, void *userdata);
	void (*conn_gone)(void *tag, void *userdata);
	/* Called for each connection accepted on a listener, before anything
	 * is made for it: NULL takes it on to the other bounds, else why it is
	 * refused (closed at once; the hook has accounted for it, so
	 * on_refused is not called). */
	const char *(*admit_peer)(const peer_cred *peer, void *userdata);
	/* Called when a connection is refused at accept time (limits). */
	void (*on_refused)(const peer_cred *peer, const char *why, void *userdata);
	void *userdata;
} vl_server_config;

int vl_server_new(el_loop *loop, const vl_server_config *cfg, vl_server **out, cerr *err);
void vl_server_free(vl_server *s);
static inline void vl_server_freep(vl_server **s) { if (*s) vl_server_free(*s); }
#define _cleanup_vl_server_ __attribute__((cleanup(vl_server_freep)))

/* The interface (and its methods) must outlive the server. */
int vl_server_add_interface(vl_server *s, const vl_interface *iface, cerr *err);
/* A hot method (qualified: "io.corral.Broker.Publish") may also be served
 * from its parameters' text, an object's, checked as JSON already
 * (common/json_scan.h reads it), with no tree built. fn returns
 * VL_RAW_DECLINED, having touched nothing, for a text it does not take as
 * it stands: the call then goes to the method's own handler, which answers
 * anything. A call is served so only on a server with no admit hook, whose
 * peer is allowed; its vl_call_params() is NULL. */
typedef int (*vl_raw_fn)(vl_call *call, const char *params, size_t len, void *userdata);
#define VL_RAW_DECLINED 1
int vl_server_add_raw(vl_server *s, const char *method, vl_raw_fn fn, cerr *err);
/* Bind path (mode, group ownership), refusing to steal a live socket. The
 * path is unlinked when the server is freed. */
int vl_server_listen(vl_server *s, const char *path, mode_t mode, gid_t gid, cerr *err);
/* The listening socket alone (bound, moded, listening, close-on-exec), for a
 * process that hands it to another before serving (corral-monitor). */
int vl_listen_socket(const char *path, mode_t mode, gid_t gid, int *out, cerr *err);
/* Serve an already listening socket (socket activation); takes ownership. */
int vl_server_listen_fd(vl_server *s, int fd, cerr *err);
/* vl_server_listen whose connections carry tag (vl_call_listener_tag): the
 * socket a peer came in on names it. */
int vl_server_listen_tagged(vl_server *s, const char *path, mode_t mode, gid_t gid, void *tag, cerr *err);
/* The same for a socket made already (vl_listen_socket), taken; path, when
 * not NULL, is unlinked when it goes. */
int vl_server_listen_fd_tagged(vl_server *s, int fd, const char *path, void *tag, cerr *err);
/* Stop listening on tag's sockets (unlinking their paths) and close their
 * connections; their kept calls' cancel hooks run. */
void vl_server_unlisten(vl_server *s, void *tag);
size_t vl_server_n_connections(const vl_server *s);
/* Serve fd, a connected socket whose calls are peer's (checked by whoever
 * accepted it elsewhere), within the server's limits: NULL, or why it was
 * refused (fd is closed then). */
const char *vl_server_add_connection(vl_server *s, int fd, const peer_cred *peer);

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

/* Each of these ends the call (notify aside) and returns 0, or -errno when
 * the reply could not be queued (the connection is then dropped). */
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

/* Connections that change hands (handover.c). */
/* Reply params_json and give up the connection: *fd is its socket, now the
 * caller's (blocking mode); the server forgets it. For calls with
 * "upgrade": true only: -EINVAL, the call left to the caller, for others.
 * The peer must wait for the reply before it streams: bytes already
 * received after the call hang up the connection (-EPROTO). On any other
 * failure the call has ended and the connection is dropped. */
int vl_call_upgrade(vl_call *c, const char *params_json, int *fd);
/* Give up the connection with the call unanswered: *fd is its socket, now
 * the caller's, who has another process answer the call on it (corrald
 * hands a streaming Exec to the container's monitor, which serves it with
 * vl_server_adopt_call). The call ends here with no reply; the connection
 * takes no further call of ours. Failures as for vl_call_upgrade. */
int vl_call_hand_over(vl_call *c, int *fd);
/* The oldest fd the call's peer sent along (SCM_RIGHTS, with accept_fds),
 * now the caller's; -1 when there is none. */
int vl_call_take_fd(vl_call *c);
/* Serve a call handed over by another server: fd is a connection whose peer
 * waits for the answer to method(params_json) (flags: VL_CALL_MORE,
 * VL_CALL_UPGRADE, as it asked). The call is as's (NULL: the socket's
 * peer's). The server takes fd (closing it on failure), trusts the peer
 * (whoever handed it over has checked it), and closes the connection after
 * this one call. *out is the call, to answer or keep as a method handler
 * does, or to dispatch to its method as a peer's call is. */
int vl_server_adopt_call(vl_server *s, int fd, const peer_cred *as, const char *method, const char *params_json,
			 unsigned flags, vl_call **out, cerr *err);
void vl_server_dispatch_adopted(vl_call *call);
/* Local calls (local_call.c): corrald calling its own methods, as a
 * peer would, with the same checks and the same audit (jobs run their
 * containers so). done runs once with the reply's parameters, or its
 * error, always from the loop (never inside vl_local_call), so that the
 * handler that answered has returned first. A call that is kept (Wait)
 * ends later, as a peer's does. */
typedef struct vl_local vl_local;
typedef void (*vl_local_fn)(void *data, const char *error, yajl_val params);
#define VL_ERR_LOCAL_HUNG_UP "org.varlink.service.HungUp" /* the handler hung up */
/* Call method (qualified) of s's interfaces as peer; *out is the call, to
 * abandon, until done has run. */
int vl_local_call(vl_server *s, const peer_cred *peer, const char *method, const char *params_json, vl_local_fn done,
		  void *data, vl_local **out, cerr *err);
/* Let go of a call whose done has not run, and it never will: a kept
 * call's cancel hook runs, as when a peer hangs up. */
void vl_local_abandon(vl_local *l);
/* A local call's error as one line: "CreateContainer: NoSuchImage: image:
 * no such image" (the parameter and reason the error gave, or its
 * parameters as JSON); NULL when out of memory. */
char *vl_local_error_text(const char *method, const char *error, yajl_val params);

/* org.varlink.service.InvalidParameter naming the parameter. */
int vl_call_invalid_parameter(vl_call *c, const char *parameter);

/* {"key":"value"} with value escaped; NULL on allocation failure. */
char *vl_json_obj1(const char *key, const char *value);
