/* conn_out.c: A connection's way out: its replies written with a bounded
 * buffer, and its wake-ups (serve it soon, flush it at the end of the turn). */
#pragma once
#include "supervisor/varlink/server_internal.h"

/* Send what is queued, as far as the socket takes it. */
void vl_conn_flush(vl_conn *c);
/* Wait for what the connection needs next (reading, writing). */
void vl_conn_update(vl_conn *c);
/* Send what is queued at the end of the loop's turn. */
void vl_conn_post_flush(vl_conn *c);
/* Serve the connection's next calls from the top of the loop, soon. */
void vl_conn_kick(vl_conn *c);
