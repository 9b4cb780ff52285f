/* h2_conn.c: The client's HTTP/2 connection (h2.h): nghttp2 parses and
 * frames, this file moves the bytes in corral-cri's epoll loop and keeps one
 * call for each request stream. */
#pragma once
#include "supervisor/cri/h2.h"
#include "supervisor/cri/cri.h"

/* Whether the client is root (kubelet): a member's defaults are corral's own */
bool cri_peer_is_root(const cri_call *c);
/* The loop, for a handler's timers. */
el_loop *cri_loop(cri_call *c);

/* Serve the client's HTTP/2 connection fd until it ends: the methods of
 * services, whose calls reach corrald through links, and whose lists may
 * answer from store (cri_store.h; NULL: none). */
int cri_serve(el_loop *loop, int fd, cri_links *links, cri_store *store, const cri_service *services, uid_t peer,
	      cerr *err);
/* request and answer bytes held for all of a connection's streams at once */
#define H2_MAX_HELD (64u << 20)
/* n more bytes of answers held for c's client: false, and none held,
 * when that would pass the connection's bound on held bytes */
bool h2_call_hold(cri_call *c, size_t n);
/* resume the stream's output (more bytes, or the end) */
void h2_call_wake(cri_call *c);
/* free c once nothing refers to it: its stream ended and no corrald call
 * is in flight */
void h2_call_release(cri_call *c);
cri_links *h2_call_links(cri_call *c);
/* the connection's relist store (cri_store.h); NULL when out of memory */
cri_store *h2_call_store(cri_call *c);
