/* conn.c: A connection's bytes: reading and framing calls, serving them one
 * at a time in order, and closing (conn_out.c writes the replies out). */
#pragma once
#include "supervisor/varlink/server_internal.h"

/* Take over an accepted socket; closes it (and returns NULL) on failure. */
vl_conn *vl_conn_accept(vl_server *s, int fd, const peer_cred *peer, void *tag);
void vl_conn_close(vl_conn *c);
void vl_server_on_kick(el_source *src, void *data);
