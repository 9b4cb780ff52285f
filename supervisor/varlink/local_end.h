/* local_end.c: A local call's end: its reply or error kept, and delivered to
 * its caller from the loop, once the handler (and whatever it was called
 * from) has returned. */
#pragma once
#include "supervisor/varlink/server_internal.h"

/* The end of a local call (its reply, or its error when error is set),
 * delivered to its caller from the loop. */
int vl_local_end(vl_call *call, const char *error, const char *params_json);
void vl_local_finish(vl_call *call, const char *error);
/* Deliver the ends that wait (the server's local_timer). */
void vl_local_on_timer(el_source *src, void *data);
void vl_local_free(vl_local *l);
/* Drop every end not yet delivered (the server's end). */
void vl_local_drop_all(vl_server *s);
const peer_cred *vl_local_peer(const vl_call *call);
