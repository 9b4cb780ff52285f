/* A TCP socket made inside a network namespace, connecting to one of its
 * loopback addresses: the socket stays the namespace's wherever it goes. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "common/error.h"

/* netns: an fd of the namespace (-1: corrald's own); v6: ::1, else
 * 127.0.0.1. The socket (non-blocking, its connect begun: the caller sees
 * it end), or -1 with err. */
int netns_connect_loopback(int netns, uint16_t port, bool v6, cerr *err);
