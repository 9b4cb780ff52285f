/* port_forward.c: port-forward (portforward.k8s.io): the client opens two
 * streams for each connection, an error and a data stream, with the same port
 * and requestid; the data stream's bytes go to that port inside the pod's
 * network namespace and back. */
#pragma once
#include "supervisor/stream/serve.h"

int serve_port_forward(stream_conn *c);
