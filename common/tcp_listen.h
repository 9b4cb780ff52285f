/* A listening TCP socket from "HOST:PORT" ("[::1]:0", ":9323"): the
 * metrics server's and the streaming server's. */
#pragma once
#include <stddef.h>
#include "common/error.h"

#define TCP_ADDR_MAX 64 /* "[v6 address]:port" */

/* Bound (port 0: one the kernel picks), listening, non-blocking and
 * close-on-exec: 0 with *fd and where it listens in addr (HOST:PORT, the
 * port the kernel picked), or -1 with err naming what (whose: "metrics-listen") */
int tcp_listen(const char *whose, const char *spec, int *fd, char addr[TCP_ADDR_MAX], cerr *err);
