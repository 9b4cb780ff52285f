/* An HTTP endpoint inside the event loop (libmicrohttpd, run from the
 * loop) that answers `GET /metrics`, `/healthz` (200 "ok" while it answers
 * at all) and `/readyz` (200, or 503 and why). */
#pragma once
#include "common/error.h"
#include "common/strbuf.h"
#include "supervisor/loop/eventloop.h"

typedef struct metrics_http metrics_http;
typedef int (*metrics_render_fn)(strbuf *out, void *data);

/* addr is HOST:PORT (IPv4, or [IPv6]); port 0 picks one (see _port). */
int metrics_http_listen(el_loop *loop, const char *addr, metrics_render_fn fn, void *data,
			metrics_http **out, cerr *err);
int metrics_http_port(const metrics_http *h);
/* The address it listens on, as HOST:PORT or [HOST]:PORT, the port picked. */
const char *metrics_http_addr(const metrics_http *h);
/* /readyz: fn returns 0 when ready, else < 0 with why in the buffer. */
void metrics_http_set_ready(metrics_http *h, metrics_render_fn fn);
void metrics_http_free(metrics_http *h);
