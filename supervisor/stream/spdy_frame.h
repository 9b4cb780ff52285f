/* spdy_frame.c: SPDY/3.1's frames: an 8-byte head (a control frame: its bit,
 * version 3 and type; a data frame: its stream id), flags and a 24-bit
 * length, then the payload. */
#pragma once
#include "supervisor/stream/spdy.h"

/* The first frame of n bytes: its size (> 0), 0 when more bytes are needed,
 * < 0 with err when it is not one of SPDY/3 or its payload is past max */
ssize_t spdy_frame_parse(const uint8_t *buf, size_t n, size_t max, spdy_frame *f, cerr *err);
/* Frames appended to out: 0, or -1 out of memory */
int spdy_put_data(strbuf *out, uint32_t stream_id, uint8_t flags, const void *p, size_t n);
int spdy_put_control(strbuf *out, uint16_t type, uint8_t flags, const void *p, size_t n);
int spdy_put_rst(strbuf *out, uint32_t stream_id, enum spdy_rst status);
int spdy_put_ping(strbuf *out, uint32_t id);
int spdy_put_goaway(strbuf *out, uint32_t last_stream_id, uint32_t status);
int spdy_put_window_update(strbuf *out, uint32_t stream_id, uint32_t delta);
int spdy_put_settings(strbuf *out, uint32_t id, uint32_t value);
