/* handover.c: Connections that change hands: upgraded to a stream after a
 * reply, handed over unanswered to another process, adopted from another
 * server, and the fds peers send along. */
#pragma once
#include "supervisor/varlink/server.h"

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
