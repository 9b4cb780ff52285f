/* ws.c: The WebSocket side (RFC 6455) of an exec or attach: kubelet's channel
 * protocols, v1 to v5 and base64. */
#pragma once
#include "supervisor/stream/stream_conn.h"

/* ws.c: the channels of an exec or attach opened at once, as kubelet's
 * server opens them (stdin and stdout and stderr as asked, error, resize),
 * and the client told with an empty message on the first it reads */
void ws_open_channels(stream_conn *c);
void ws_parse_in(stream_conn *c);
int ws_send(stream_conn *c, uint32_t channel, const void *p, size_t n);
void ws_close(stream_conn *c, uint16_t code);
