/* A blocking varlink client, for corralctl and tests. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include "common/error.h"
#include "supervisor/varlink/wire.h"

typedef struct vl_client vl_client;

int vl_client_connect(const char *path, vl_client **out, cerr *err);
/* ... waiting at most ms for the server to take it (ETIMEDOUT), and as
 * long for each reply (vl_client_set_timeout). */
int vl_client_connect_within(const char *path, int ms, vl_client **out, cerr *err);
/* A client on a connected socket (name says what it is, in errors); c owns
 * fd from then on, also when this fails (it is not closed then). */
int vl_client_adopt(int fd, const char *name, vl_client **out, cerr *err);
void vl_client_free(vl_client *c);
static inline void vl_client_freep(vl_client **c) { if (*c) vl_client_free(*c); }
#define _cleanup_vl_client_ __attribute__((cleanup(vl_client_freep)))

/* Milliseconds to wait for each reply; -1 (the default) waits forever. */
void vl_client_set_timeout(vl_client *c, int ms);
int vl_client_fd(const vl_client *c);
/* Bytes received and not yet handed out as replies: a reply may be whole
 * in them, with nothing more to come on the socket (a poll would wait). */
size_t vl_client_buffered(const vl_client *c);

int vl_client_send(vl_client *c, const char *method, const char *params_json, bool more,
		   bool oneway, cerr *err);
/* A call (flags: VL_CALL_*) with fd passed along (SCM_RIGHTS), for a
 * server with accept_fds; the caller keeps its own copy of fd. */
int vl_client_send_fd(vl_client *c, const char *method, const char *params_json, unsigned flags, int fd, cerr *err);
/* The next reply; release it with vl_reply_release(). An error reply is a
 * successful receive: look at reply->error. */
int vl_client_recv(vl_client *c, vl_reply *reply, cerr *err);
/* Client: send method with "upgrade": true, read the one reply, and hand
 * back the socket (*fd) for the stream that follows. *fd is then the
 * caller's to close, and c has no connection left (its calls fail). An
 * error reply is a successful receive, as for vl_client_call: *fd is -1 and
 * the connection stays usable. */
int vl_client_call_upgrade(vl_client *c, const char *method, const char *params, vl_reply *rep, int *fd, cerr *err);
/* send + recv of a single reply. */
int vl_client_call(vl_client *c, const char *method, const char *params_json, vl_reply *reply,
		   cerr *err);
