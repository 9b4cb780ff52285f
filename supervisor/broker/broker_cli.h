/* corral-broker: a small client of io.corral.Broker for programs inside a
 * session (man/corral-broker.1). One connection per call, blocking. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>
#include "supervisor/varlink/client.h"

#define BROKER_IFACE "io.corral.Broker."
#define BROKER_DEFAULT_SOCKET "/run/corral/broker.sock"
#define BROKER_EXIT_FAIL 1
#define BROKER_EXIT_USAGE 2

extern const char *broker_sock;

