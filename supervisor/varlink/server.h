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
 * keeps its call is a bug: the server logs it and hangs up. A header
 * declares its file's handlers with this type: `vl_method_fn sv_ping;`. */
typedef int vl_method_fn(vl_call *call, yajl_val params, void *userdata);

typedef struct vl_method {
	const char *name; /* unqualified: "Ping" */
	vl_method_fn *fn;
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

/* Each of these ends the call (notify aside) and returns 0, or -errno when
 * the reply could not be queued (the connection is then dropped). */

/* Connections that change hands (handover.c). */
/* Local calls (local_call.c): corrald calling its own methods, as a
 * peer would, with the same checks and the same audit (jobs run their
 * containers so). done runs once with the reply's parameters, or its
 * error, always from the loop (never inside vl_local_call), so that the
 * handler that answered has returned first. A call that is kept (Wait)
 * ends later, as a peer's does. */
typedef struct vl_local vl_local;
typedef void (*vl_local_fn)(void *data, const char *error, yajl_val params);
#define VL_ERR_LOCAL_HUNG_UP "org.varlink.service.HungUp" /* the handler hung up */

